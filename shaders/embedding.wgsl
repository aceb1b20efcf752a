// Embedding gather and its scatter-add backward. table (V, C), ids (N) u32, out (N, C).
//   forward:  out[n, c] = table[ids[n], c]; one thread per output element (ids ≥ V read as 0).
//   backward: d_table[v, c] += Σ_{n : ids[n] = v} d_out[n, c]. No float atomics exist in WGSL, so
//     each thread owns one (column c, vocabulary bucket b) and walks every token in order, adding the
//     rows whose id satisfies id % buckets = b: no two threads touch the same element, and the sum
//     order is fixed. buckets = 1 suits software adapters; more buckets add parallelism on GPUs.
// Accumulation contract: the forward overwrites; the backward ACCUMULATES into d_table (the
// parameter's gradient, or zeros the launcher created), saving a (V, C) temporary per call.
// Element / thread i = gid.x + gid.y · num_workgroups.x · WG.

struct Params {
  N: u32,
  V: u32,
  C: u32,
  buckets: u32,
}

override WG: u32 = 256;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> table: array<f32>;   // (V, C), forward
@group(0) @binding(2) var<storage, read> ids: array<u32>;     // (N)
@group(0) @binding(3) var<storage, read> d_out: array<f32>;   // (N, C), backward
@group(0) @binding(4) var<storage, read_write> out: array<f32>;      // (N, C), forward
@group(0) @binding(5) var<storage, read_write> d_table: array<f32>;  // (V, C), backward

@compute @workgroup_size(WG)
fn embedding_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.N * p.C) { return; }
  let id = ids[i / p.C];
  out[i] = select(0.0, table[id * p.C + i % p.C], id < p.V);
}

@compute @workgroup_size(WG)
fn embedding_backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.C * p.buckets) { return; }
  let c = i % p.C;
  let b = i / p.C;
  for (var n = 0u; n < p.N; n++) {
    let id = ids[n];
    if (id < p.V && id % p.buckets == b) {
      d_table[id * p.C + c] += d_out[n * p.C + c];
    }
  }
}
