// Global gradient-norm clipping, spec §4 (8): G = ‖grad‖₂ over all parameters; a non-finite G skips
// the optimizer step, else gradients scale by min(1, max_norm / (G + 1e-6)).
// clip_info: one thread turns Σ grad² (from reduce.wgsl's sum_partials) into
//   info = (G, scale, is_finite) with scale = 0 and is_finite = 0 when G is inf or NaN. adamw.wgsl reads
//   info on the GPU, so clipping needs no CPU round trip.
// clip_apply: grad[i] *= scale in place (1-D grid, i = gid.x + gid.y · num_workgroups.x · WG); a
//   non-finite G leaves the gradient untouched.
// Finiteness is tested on the bits: WGSL lets compilers assume floats are never inf or NaN.

struct Params {
  n: u32,          // clip_apply: gradient elements
  max_norm: f32,
  is_enabled: u32, // 0: scale is 1 whatever G is (clipping off, finiteness still checked)
  pad: u32,
}

override WG: u32 = 256;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> sum_sq: array<f32>;  // (1) Σ grad²
@group(0) @binding(2) var<storage, read> info_in: array<f32>; // (3) G, scale, is_finite
@group(0) @binding(3) var<storage, read_write> info: array<f32>;  // (3), clip_info output
@group(0) @binding(4) var<storage, read_write> grad: array<f32>;  // clip_apply, in place

fn is_finite(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7f800000u) != 0x7f800000u;
}

@compute @workgroup_size(1)
fn clip_info() {
  let g = sqrt(sum_sq[0]);
  let finite = is_finite(g);
  let clipped = min(1.0, p.max_norm / (g + 1e-6));
  let scale = select(1.0, clipped, p.is_enabled == 1u);
  info[0] = g;
  info[1] = select(0.0, scale, finite);
  info[2] = select(0.0, 1.0, finite);
}

@compute @workgroup_size(WG)
fn clip_apply(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n || info_in[2] == 0.0) { return; }
  grad[i] *= info_in[1];
}
