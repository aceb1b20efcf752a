// AdamW update, spec §4 (9), one thread per parameter element (i = gid.x + gid.y · nwg.x · WG):
//   g = scale · grad (scale from clip.wgsl's info, §4 (8)); θ ← θ(1 − ηλ);
//   m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; θ ← θ − η · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε).
// A non-finite gradient norm (info[2] = 0) leaves θ, m and v untouched: the step is skipped and the
// caller does not advance t. Bias corrections and 1 − ηλ come from float64 on the CPU.
// Accumulation contract: updates param, m and v in place; grad is only read.

struct Params {
  n: u32,
  lr: f32,               // η
  beta1: f32,
  beta2: f32,
  one_minus_beta1: f32,
  one_minus_beta2: f32,
  eps: f32,              // ε_A, added after the square root
  decay: f32,            // 1 − ηλ
  bias1: f32,            // 1 − β₁ᵗ for the step being taken
  bias2: f32,            // 1 − β₂ᵗ
}

override WG: u32 = 256;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> info: array<f32>;  // (3) G, scale, is_finite
@group(0) @binding(2) var<storage, read> grad: array<f32>;  // (n)
@group(0) @binding(3) var<storage, read_write> param: array<f32>;  // (n)
@group(0) @binding(4) var<storage, read_write> m: array<f32>;      // (n) first moment
@group(0) @binding(5) var<storage, read_write> v: array<f32>;      // (n) second moment

@compute @workgroup_size(WG)
fn adamw_update(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n || info[2] == 0.0) { return; }
  let g = grad[i] * info[1];
  let m_new = p.beta1 * m[i] + p.one_minus_beta1 * g;
  let v_new = p.beta2 * v[i] + p.one_minus_beta2 * g * g;
  m[i] = m_new;
  v[i] = v_new;
  let m_hat = m_new / p.bias1;
  let v_hat = v_new / p.bias2;
  param[i] = param[i] * p.decay - p.lr * m_hat / (sqrt(v_hat) + p.eps);
}
