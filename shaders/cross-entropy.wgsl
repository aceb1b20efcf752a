// Per-token log-probability of the target under log_softmax(logits / T) (spec §4 (3), T = 0.7),
// fused so the full (N, V) log-softmax is never stored. sign = +1 gives ℓ_n, sign = −1 the
// cross-entropy −ℓ_n:
//   forward:  out_n = sign · (z_{n,t_n} − lse_n),  z = logits / T,  lse_n = log Σ_j exp z_{n,j}
//   backward: d_logits_{n,j} = sign · d_out_n · ([j = t_n] − exp(z_{n,j} − lse_n)) / T
// The backward recomputes lse_n, so nothing but the logits is kept between passes.
// Two thread mappings: *_rows = one thread per token, barrier-free (software adapters); *_wg = one
// 256-thread workgroup per token with tree reductions (real GPUs). Token n = gid.x + gid.y · nwg.x · WG
// (rows) or wid.x + wid.y · nwg.x (wg). Outputs overwrite; gradient summing happens in tape.ts.

struct Params {
  N: u32,
  V: u32,
  inv_t: f32,  // 1 / temperature
  sign: f32,   // +1 log-prob, −1 cross-entropy
}

override WG: u32 = 256;
const ROW_WG: u32 = 256;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>;   // (N, V)
@group(0) @binding(2) var<storage, read> targets: array<u32>;  // (N)
@group(0) @binding(3) var<storage, read> d_out: array<f32>;    // (N), backward
@group(0) @binding(4) var<storage, read_write> out: array<f32>;       // (N), forward
@group(0) @binding(5) var<storage, read_write> d_logits: array<f32>;  // (N, V), backward

var<workgroup> red: array<f32, ROW_WG>;

// Online max and sum in one pass: when a new maximum appears, the running sum is rescaled.
fn lse_serial(base: u32) -> f32 {
  var m = logits[base] * p.inv_t;
  var s = 1.0;
  for (var j = 1u; j < p.V; j++) {
    let z = logits[base + j] * p.inv_t;
    if (z > m) {
      s = s * exp(m - z) + 1.0;
      m = z;
    } else {
      s += exp(z - m);
    }
  }
  return m + log(s);
}

fn backward_value(n: u32, j: u32, lse: f32) -> f32 {
  let i = n * p.V + j;
  let onehot = select(0.0, 1.0, j == targets[n]);
  return p.sign * d_out[n] * (onehot - exp(logits[i] * p.inv_t - lse)) * p.inv_t;
}

@compute @workgroup_size(WG)
fn token_logprob_forward_rows(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let n = gid.x + gid.y * nwg.x * WG;
  if (n >= p.N) { return; }
  let base = n * p.V;
  out[n] = p.sign * (logits[base + targets[n]] * p.inv_t - lse_serial(base));
}

@compute @workgroup_size(WG)
fn token_logprob_backward_rows(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let n = gid.x + gid.y * nwg.x * WG;
  if (n >= p.N) { return; }
  let lse = lse_serial(n * p.V);
  for (var j = 0u; j < p.V; j++) { d_logits[n * p.V + j] = backward_value(n, j, lse); }
}

// Tree reductions over the workgroup; the trailing barrier lets `red` be reused at once.
fn wg_max(v: f32, lid: u32) -> f32 {
  red[lid] = v;
  workgroupBarrier();
  for (var s = ROW_WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { red[lid] = max(red[lid], red[lid + s]); }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}

fn wg_sum(v: f32, lid: u32) -> f32 {
  red[lid] = v;
  workgroupBarrier();
  for (var s = ROW_WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { red[lid] += red[lid + s]; }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}

fn lse_wg(base: u32, lid: u32) -> f32 {
  var m = logits[base] * p.inv_t;
  for (var j = lid; j < p.V; j += ROW_WG) { m = max(m, logits[base + j] * p.inv_t); }
  m = wg_max(m, lid);
  var s = 0.0;
  for (var j = lid; j < p.V; j += ROW_WG) { s += exp(logits[base + j] * p.inv_t - m); }
  return m + log(wg_sum(s, lid));
}

@compute @workgroup_size(ROW_WG)
fn token_logprob_forward_wg(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32,
                            @builtin(num_workgroups) nwg: vec3u) {
  let n = wid.x + wid.y * nwg.x;
  if (n >= p.N) { return; }
  let base = n * p.V;
  let lse = lse_wg(base, lid);
  if (lid == 0u) { out[n] = p.sign * (logits[base + targets[n]] * p.inv_t - lse); }
}

@compute @workgroup_size(ROW_WG)
fn token_logprob_backward_wg(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32,
                             @builtin(num_workgroups) nwg: vec3u) {
  let n = wid.x + wid.y * nwg.x;
  if (n >= p.N) { return; }
  let lse = lse_wg(n * p.V, lid);
  for (var j = lid; j < p.V; j += ROW_WG) { d_logits[n * p.V + j] = backward_value(n, j, lse); }
}
