// Rotary position embedding, Hugging Face rotate_half convention (Llama, Qwen2, Qwen3):
//   out = x * cos + rotate_half(x) * sin,  rotate_half(x) = [-x2, x1],  x1 = x[..., :D/2], x2 = x[..., D/2:]
//   angle(pos, j) = f32(pos) * inv_freq[j] for j < D/2 (the f32 product HF's forward forms).
// Backward is the transpose rotation (sin negated). x, out: (rows, H, D) with rows = B * T tokens;
// inv_freq: (D/2); positions: (rows) u32 (the _positions entry points) or pos = offset + row % T.
// Grid: one thread per rotation pair (row, h, j), index = gid.x + gid.y * num_workgroups.x * WG.
// Outputs overwrite; gradient accumulation is tape.ts's job.

override WG: u32 = 256u;

struct Params {
  pairs: u32,  // rows * H * D / 2
  H: u32,
  D: u32,
  T: u32,      // tokens per sequence (offset mode)
  offset: u32, // position of each sequence's first token (offset mode)
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;         // x or d_out: (rows, H, D)
@group(0) @binding(2) var<storage, read> inv_freq: array<f32>;  // (D/2)
@group(0) @binding(3) var<storage, read> positions: array<u32>; // (rows)
@group(0) @binding(4) var<storage, read_write> out: array<f32>; // out or d_x: (rows, H, D)

fn flat(gid: vec3u, nwg: vec3u) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

// cos and sin of a in f32 to ~1 ulp on every adapter (GPU builtins are only specified to 2^-11, and
// software adapters miss f32 precision by ~1e-5). Cody-Waite reduction by pi/2: the three parts have
// 8, 8 and 24 bits, so k * part is exact for |k| < 2^16 (angles up to ~1e5 rad); then Cephes
// minimax polynomials on [-pi/4, pi/4] and the quadrant picks signs and order.
fn cos_sin(a: f32) -> vec2f {
  let k = round(a * 0.63661975);
  let r = ((a - k * 1.5703125) - k * 0.00048255920) - k * 1.26759085e-6;
  let z = r * r;
  let sin_r = ((-1.9515296e-4 * z + 8.3321609e-3) * z - 1.6666655e-1) * z * r + r;
  let cos_r = ((2.4433157e-5 * z - 1.3887316e-3) * z + 4.1666646e-2) * z * z - 0.5 * z + 1.0;
  switch (i32(k) & 3) {
    case 0: { return vec2f(cos_r, sin_r); }
    case 1: { return vec2f(-sin_r, cos_r); }
    case 2: { return vec2f(-cos_r, -sin_r); }
    default: { return vec2f(sin_r, -cos_r); }
  }
}

// Rotates pair i by the angle of position pos; sign = 1 forward, -1 for the transpose (backward).
fn rotate(i: u32, pos: u32, sign: f32) {
  let half = p.D / 2u;
  let head_row = i / half;           // (row * H + h)
  let j = i - head_row * half;
  let base = head_row * p.D;
  let cs = cos_sin(f32(pos) * inv_freq[j]);
  let c = cs.x;
  let s = sign * cs.y;
  let x1 = x[base + j];
  let x2 = x[base + j + half];
  out[base + j] = x1 * c - x2 * s;
  out[base + j + half] = x2 * c + x1 * s;
}

fn row_of(i: u32) -> u32 {
  return i / (p.H * (p.D / 2u));
}

@compute @workgroup_size(WG)
fn rope_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i >= p.pairs) { return; }
  rotate(i, p.offset + row_of(i) % p.T, 1.0);
}

@compute @workgroup_size(WG)
fn rope_backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i >= p.pairs) { return; }
  rotate(i, p.offset + row_of(i) % p.T, -1.0);
}

@compute @workgroup_size(WG)
fn rope_forward_positions(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i >= p.pairs) { return; }
  rotate(i, positions[row_of(i)], 1.0);
}

@compute @workgroup_size(WG)
fn rope_backward_positions(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i >= p.pairs) { return; }
  rotate(i, positions[row_of(i)], -1.0);
}
