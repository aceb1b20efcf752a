// Batched matmul, one thread per output: C[z] = op(A[z]) · op(B[z]) (+ C[z] when accumulating).
// The reference variant: simplest indexing, slowest. Launched by src/engine/ops/matmul.ts, which also
// runs the backward (dA, dB) through this same entry point with the transpose flags swapped.
// Shapes: op(A) is M x K, op(B) is K x N, C is M x N, all row-major per batch slice. A stored [K, M]
//   when TRANS_A, B stored [N, K] when TRANS_B (the linear-layer layout y = x · Wᵀ).
// Batch: slice z of A starts at (z + r) * stride_a (stride 0 broadcasts a 2-D operand); the R =
//   batch_reduce slices r are summed into one output (weight gradients of a broadcast operand).
// Grid: x = ceil(N / 16) and y = ceil(M / 16) workgroups of 16 x 16 threads, z = output batch.
// Contract: C is overwritten, or summed into when accumulate = 1 (parameter-gradient accumulation).

struct Params {
  M: u32,
  N: u32,
  K: u32,
  batch_reduce: u32,
  stride_a: u32,
  stride_b: u32,
  stride_c: u32,
  accumulate: u32,
}

override TRANS_A: bool = false;
override TRANS_B: bool = false;
override WG_X: u32 = 16u;
override WG_Y: u32 = 16u;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

// op(A)[m, k] of the slice starting at base
fn a_at(base: u32, m: u32, k: u32) -> f32 {
  if (TRANS_A) { return a[base + k * p.M + m]; }
  return a[base + m * p.K + k];
}

// op(B)[k, n] of the slice starting at base
fn b_at(base: u32, k: u32, n: u32) -> f32 {
  if (TRANS_B) { return b[base + n * p.K + k]; }
  return b[base + k * p.N + n];
}

@compute @workgroup_size(WG_X, WG_Y)
fn matmul_forward(@builtin(global_invocation_id) gid: vec3u) {
  let n = gid.x;
  let m = gid.y;
  if (m >= p.M || n >= p.N) { return; }
  var s = 0.0;
  for (var r = 0u; r < p.batch_reduce; r++) {
    let base_a = (gid.z + r) * p.stride_a;
    let base_b = (gid.z + r) * p.stride_b;
    for (var k = 0u; k < p.K; k++) {
      s += a_at(base_a, m, k) * b_at(base_b, k, n);
    }
  }
  let i = gid.z * p.stride_c + m * p.N + n;
  if (p.accumulate == 1u) { s += c[i]; }
  c[i] = s;
}
