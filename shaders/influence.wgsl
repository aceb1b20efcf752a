// Exact influence sums of one question (spec §6.4 (17), §6.5 (18), §6.8), one parameter tensor per
// dispatch, plus the frozen preconditioner D of §9.4:
//   exact:  v_term = β₂ v + (1 − β₂) g²      frozen: v_term = β₂ v
//   γ = g / (sqrt(v_term / (1 − β₂^(t+1))) + ε_A), and γ = 0 where g = 0 (also when 0/0)
//   sums (in this order): ⟨g, u⟩, ⟨γ, u⟩, ‖γ‖², ‖g‖², ‖u‖²
// Shapes: g, u, v (n) for one tensor; partials (P, 5) shared by all tensors of a question; ranges (T, 2)
// u32 [first partial, end) per tensor; sums (T, 5).
// influence_partials(_empty): `threads` threads, thread i sums elements i + m·threads (coalesced) and
//   writes its 5 sums to partials[offset + i]. The _empty entry is the t = 0 state (v = 0; v unbound).
// influence_finish: one thread per (tensor, sum) adds that tensor's partials in order. Barrier-free,
//   fixed order: one input gives the same bits. Outputs overwrite.
// Element i = gid.x + gid.y · num_workgroups.x · WG.

struct Params {
  n: u32,            // elements of this tensor; influence_finish: tensors · 5
  threads: u32,      // partial sums for this tensor
  offset: u32,       // first partial slot of this tensor
  is_frozen: u32,    // 1: D of §9.4 (drops the candidate's own (1 − β₂) g² term)
  beta2: f32,
  one_minus_beta2: f32,
  inv_bias_correction: f32,  // 1 / (1 − β₂^(t+1))
  eps: f32,                  // ε_A
}

override WG: u32 = 256;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> g: array<f32>;       // (n) question gradient
@group(0) @binding(2) var<storage, read> u: array<f32>;       // (n) dev reference vector
@group(0) @binding(3) var<storage, read> v: array<f32>;       // (n) stored AdamW second moment
@group(0) @binding(4) var<storage, read> ranges: array<u32>;  // (T, 2)
@group(0) @binding(5) var<storage, read_write> partials: array<f32>;  // (P, 5)
@group(0) @binding(6) var<storage, read_write> sums: array<f32>;      // (T, 5)

fn index(gid: vec3u, nwg: vec3u) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

fn gamma(gi: f32, vi: f32) -> f32 {
  let v_term = select(p.beta2 * vi + p.one_minus_beta2 * gi * gi, p.beta2 * vi, p.is_frozen == 1u);
  return select(gi / (sqrt(v_term * p.inv_bias_correction) + p.eps), 0.0, gi == 0.0);
}

fn add_element(s: ptr<function, array<f32, 5>>, gi: f32, ui: f32, vi: f32) {
  let c = gamma(gi, vi);
  (*s)[0] += gi * ui;
  (*s)[1] += c * ui;
  (*s)[2] += c * c;
  (*s)[3] += gi * gi;
  (*s)[4] += ui * ui;
}

fn write_partials(i: u32, s: array<f32, 5>) {
  for (var q = 0u; q < 5u; q++) { partials[(p.offset + i) * 5u + q] = s[q]; }
}

@compute @workgroup_size(WG)
fn influence_partials(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = index(gid, nwg);
  if (i >= p.threads) { return; }
  var s = array<f32, 5>(0.0, 0.0, 0.0, 0.0, 0.0);
  for (var j = i; j < p.n; j += p.threads) { add_element(&s, g[j], u[j], v[j]); }
  write_partials(i, s);
}

@compute @workgroup_size(WG)
fn influence_partials_empty(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = index(gid, nwg);
  if (i >= p.threads) { return; }
  var s = array<f32, 5>(0.0, 0.0, 0.0, 0.0, 0.0);
  for (var j = i; j < p.n; j += p.threads) { add_element(&s, g[j], u[j], 0.0); }
  write_partials(i, s);
}

@compute @workgroup_size(WG)
fn influence_finish(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let id = index(gid, nwg);
  if (id >= p.n) { return; }
  let t = id / 5u;
  let q = id % 5u;
  var s = 0.0;
  for (var i = ranges[2u * t]; i < ranges[2u * t + 1u]; i++) { s += partials[i * 5u + q]; }
  sums[id] = s;
}
