// SiLU and SwiGLU (the Llama/Qwen MLP gate), forward and backward, elementwise over n values.
//   silu(x) = x * sigmoid(x);  silu'(x) = s * (1 + x * (1 - s)) with s = sigmoid(x)
//   swiglu(gate, up) = silu(gate) * up;  d_gate = d_out * up * silu'(gate);  d_up = d_out * silu(gate)
// All tensors have the same shape (n values). One thread per element; index = gid.x + gid.y * nwg.x * WG.
// Outputs overwrite; gradient accumulation is tape.ts's job.

override WG: u32 = 256u;

struct Params {
  n: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;          // silu input, or gate (n)
@group(0) @binding(2) var<storage, read> up: array<f32>;         // (n)
@group(0) @binding(3) var<storage, read> d_out: array<f32>;      // (n)
@group(0) @binding(4) var<storage, read_write> out: array<f32>;  // forward output, d_x or d_gate (n)
@group(0) @binding(5) var<storage, read_write> d_up: array<f32>; // (n)

fn flat(gid: vec3u, nwg: vec3u) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

// exp(-v) overflows to inf for v < -88, and 1 / inf = 0: the right limit, no NaN.
fn sigmoid(v: f32) -> f32 {
  return 1.0 / (1.0 + exp(-v));
}

fn silu_grad(v: f32) -> f32 {
  let s = sigmoid(v);
  return s * (1.0 + v * (1.0 - s));
}

@compute @workgroup_size(WG)
fn silu_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i >= p.n) { return; }
  out[i] = x[i] * sigmoid(x[i]);
}

@compute @workgroup_size(WG)
fn silu_backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i >= p.n) { return; }
  out[i] = d_out[i] * silu_grad(x[i]);
}

@compute @workgroup_size(WG)
fn swiglu_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i >= p.n) { return; }
  out[i] = x[i] * sigmoid(x[i]) * up[i];
}

// Writes both gradients in one pass (they share the sigmoid).
@compute @workgroup_size(WG)
fn swiglu_backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i >= p.n) { return; }
  let g = x[i];
  out[i] = d_out[i] * up[i] * silu_grad(g);
  d_up[i] = d_out[i] * g * sigmoid(g);
}
