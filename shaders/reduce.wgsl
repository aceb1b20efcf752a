// Sums: of all elements (optionally of squares, for L2 norms), over the last dimension, and a masked
// mean; plus the broadcasts their backward passes need. All barrier-free, summing in a fixed order so
// one input gives the same bits every run. Outputs overwrite; gradient summing happens in tape.ts.
//
// sum_partials (multi-pass, launched repeatedly by reduce.ts until one value is left):
//   T = ceil(n / per_thread) threads; thread i sums f(x[i + k·T]) for k < per_thread (coalesced reads)
//   and writes alpha · Σ (or sqrt of it when root = 1) to out[offset + i]. f(v) = v or v².
// sum_rows: one thread per row, out[r] = alpha · Σ_c x[r, c].
// broadcast_rows: out[i] = alpha · g[i / cols] (backward of sum_rows; cols = n for sum of all).
// masked_mean: one thread, out[0] = Σ_n mask_n x_n / D with D = normaliser, or Σ_n mask_n when the
//   normaliser is 0 (spec §4 (7) passes L̄ · N_nom); D = 0 gives 0. masked_mean_backward:
//   d_x[n] = g · mask_n / D, D read from `denominator` (written by masked_mean_denominator).
// Element i = gid.x + gid.y · num_workgroups.x · WG.

struct Params {
  n: u32,          // elements read (rows · cols for row kernels)
  cols: u32,       // row length; per_thread for sum_partials
  square: u32,     // sum_partials: 1 = sum of squares
  root: u32,       // sum_partials: 1 = write sqrt of the sum
  alpha: f32,      // scale of the written sum; masked_mean: the normaliser (0 = Σ mask)
  offset: u32,     // sum_partials: first output slot
}

override WG: u32 = 256;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> mask: array<f32>;
@group(0) @binding(3) var<storage, read> denominator: array<f32>;  // (1), masked_mean_backward
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

fn index(gid: vec3u, nwg: vec3u) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

@compute @workgroup_size(WG)
fn sum_partials(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = index(gid, nwg);
  let threads = (p.n + p.cols - 1u) / p.cols;
  if (i >= threads) { return; }
  var s = 0.0;
  for (var j = i; j < p.n; j += threads) {
    let v = x[j];
    s += select(v, v * v, p.square == 1u);
  }
  s *= p.alpha;
  out[p.offset + i] = select(s, sqrt(s), p.root == 1u);
}

@compute @workgroup_size(WG)
fn sum_rows(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let r = index(gid, nwg);
  if (r >= p.n / p.cols) { return; }
  var s = 0.0;
  for (var c = 0u; c < p.cols; c++) { s += x[r * p.cols + c]; }
  out[r] = p.alpha * s;
}

@compute @workgroup_size(WG)
fn broadcast_rows(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = index(gid, nwg);
  if (i >= p.n) { return; }
  out[i] = p.alpha * x[i / p.cols];
}

fn masked_denominator() -> f32 {
  if (p.alpha != 0.0) { return p.alpha; }
  var d = 0.0;
  for (var j = 0u; j < p.n; j++) { d += mask[j]; }
  return d;
}

@compute @workgroup_size(1)
fn masked_mean_forward() {
  var s = 0.0;
  for (var j = 0u; j < p.n; j++) { s += mask[j] * x[j]; }
  let d = masked_denominator();
  out[0] = select(s / d, 0.0, d == 0.0);
}

@compute @workgroup_size(1)
fn masked_mean_denominator() {
  out[0] = masked_denominator();
}

// x holds the upstream gradient g (1 element).
@compute @workgroup_size(WG)
fn masked_mean_backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = index(gid, nwg);
  if (i >= p.n) { return; }
  let d = denominator[0];
  out[i] = select(x[0] * mask[i] / d, 0.0, d == 0.0);
}
