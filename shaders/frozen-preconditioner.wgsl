// The frozen preconditioner of spec §9.4 applied to a gradient-sized vector: out = D u with
// D_i = 1 / (√(β₂ v_i / (1 − β₂^(t+1))) + ε_A), the candidate's own g² term left out (P3's dev side).
// v unbound (has_v = 0) is t = 0: D = 1/ε_A for every coordinate.
// 1-D grid: element i = gid.x + gid.y * num_workgroups.x * 256. Output overwrites.

struct Params {
  n: u32,
  has_v: u32,
  beta2: f32,
  bias_correction: f32, // 1 − β₂^(t+1)
  eps: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> u: array<f32>;
@group(0) @binding(2) var<storage, read> v: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn frozen_scale(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
  out[i] = u[i] / (sqrt(p.beta2 * v[i] / p.bias_correction) + p.eps);
}

@compute @workgroup_size(256)
fn frozen_scale_no_v(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
  out[i] = u[i] / p.eps;
}
