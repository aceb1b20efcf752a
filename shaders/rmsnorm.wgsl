// RMSNorm over the last dimension, Hugging Face Llama/Qwen convention, all in f32:
//   y[r, c] = x[r, c] * rstd[r] * weight[c],   rstd[r] = 1 / sqrt(mean_c(x[r, c]^2) + eps)
// x, y, d_out, d_x: (rows, C); weight, d_weight: (C); rstd: (rows). Per-head q/k norm is rows = T * H, C = D.
// Backward: d_x[r, c] = rstd * d_out * weight - x * rstd^3 / C * sum_c'(d_out * weight * x);
//           d_weight[c] = sum over rows of d_out * x * rstd (rows summed in order: deterministic).
// Grid: one thread per row (forward, backward_input) or per column (backward_weight), looping over the
// other dimension: barrier-free. Index = gid.x + gid.y * num_workgroups.x * WG.
// Outputs overwrite; gradient accumulation is tape.ts's job.

override WG: u32 = 64u;

struct Params {
  rows: u32,
  C: u32,
  eps: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;              // (rows, C)
@group(0) @binding(2) var<storage, read> weight: array<f32>;         // (C)
@group(0) @binding(3) var<storage, read> d_out: array<f32>;          // (rows, C)
// Written by backward_input, read by backward_weight.
@group(0) @binding(4) var<storage, read_write> rstd: array<f32>;     // (rows)
@group(0) @binding(5) var<storage, read_write> out: array<f32>;      // y or d_x: (rows, C)
@group(0) @binding(6) var<storage, read_write> d_weight: array<f32>; // (C)

fn flat(gid: vec3u, nwg: vec3u) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

fn row_rstd(base: u32) -> f32 {
  var ss = 0.0;
  for (var c = 0u; c < p.C; c++) {
    let v = x[base + c];
    ss += v * v;
  }
  return inverseSqrt(ss / f32(p.C) + p.eps);
}

@compute @workgroup_size(WG)
fn rmsnorm_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let r = flat(gid, nwg);
  if (r >= p.rows) { return; }
  let base = r * p.C;
  let s = row_rstd(base);
  for (var c = 0u; c < p.C; c++) {
    out[base + c] = x[base + c] * s * weight[c];
  }
}

@compute @workgroup_size(WG)
fn rmsnorm_backward_input(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let r = flat(gid, nwg);
  if (r >= p.rows) { return; }
  let base = r * p.C;
  let s = row_rstd(base);
  var dot = 0.0; // sum_c d_out * weight * x
  for (var c = 0u; c < p.C; c++) {
    dot += d_out[base + c] * weight[c] * x[base + c];
  }
  let k = s * s * s * dot / f32(p.C);
  for (var c = 0u; c < p.C; c++) {
    out[base + c] = s * d_out[base + c] * weight[c] - k * x[base + c];
  }
  rstd[r] = s;
}

@compute @workgroup_size(WG)
fn rmsnorm_backward_weight(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let c = flat(gid, nwg);
  if (c >= p.C) { return; }
  var acc = 0.0;
  for (var r = 0u; r < p.rows; r++) {
    let i = r * p.C + c;
    acc += d_out[i] * x[i] * rstd[r];
  }
  d_weight[c] = acc;
}
