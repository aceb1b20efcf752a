// PPO clipped policy loss with dual clip over N tokens (spec §4 (4), (6), (7)) and its backward:
//   ρ_t = exp(clamp(ℓ_t − ℓ_t^old, −20, 20))                                              (4)
//   p_t = max(−A_t ρ_t, −A_t clamp(ρ_t, 1 − clip_low, 1 + clip_high));
//         if A_t < 0 and the dual clip is on: p_t ← min(p_t, −c A_t)                      (6)
//   loss = Σ_t w_t (p_t + β k_t) / D, with D = L̄ · N_nom passed as `normaliser`            (7)
// k_t is the optional KL penalty to a frozen reference policy (verl's `low_var_kl`, the k3 estimator):
//   δ = clamp(ℓ^ref − ℓ, −20, 20), k = clamp(exp(δ) − δ − 1, −10, 10); β = kl_coef, 0 = off.
// Shapes: logp, old_logp, advantages, weights, ref_logp (N); partials (chunks, 6); loss (1); metrics (5).
// ppo_loss_partials: one thread per chunk of `chunk` consecutive tokens writes
//   (Σ w p, clipped count, dual-clipped count, Σ (ℓ^old − ℓ) clamped, token count, Σ w k); tokens with
//   w = 0 are padding and enter no metric. ppo_loss_finish: one thread sums the chunks in order
//   (barrier-free, fixed order, so one input gives the same bits) and writes loss and metrics.
// ppo_loss_backward: one thread per token, d_logp = d_loss · w (∂p/∂ℓ + β ∂k/∂ℓ) / D, where ∂p/∂ℓ = −A ρ
//   on the unclipped branch with |ℓ − ℓ^old| ≤ 20, else 0, and ∂k/∂ℓ = 1 − exp(δ) where neither KL clamp
//   binds, else 0. Outputs overwrite; gradient summing happens in tape.ts.
// Element i = gid.x + gid.y · num_workgroups.x · WG.

struct Params {
  n: u32,           // tokens
  chunk: u32,       // tokens per ppo_loss_partials thread
  chunks: u32,      // ceil(n / chunk)
  has_dual: u32,    // 1: dual clip applies to A < 0
  clip_low: f32,
  clip_high: f32,
  dual_clip: f32,   // c
  normaliser: f32,  // D
  kl_coef: f32,     // β; 0 skips ref_logp
}

override WG: u32 = 256;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> logp: array<f32>;        // (N) ℓ_t(θ)
@group(0) @binding(2) var<storage, read> old_logp: array<f32>;    // (N) ℓ_t^old
@group(0) @binding(3) var<storage, read> advantages: array<f32>;  // (N) A broadcast to tokens
@group(0) @binding(4) var<storage, read> weights: array<f32>;     // (N) w_t · mask_t
@group(0) @binding(5) var<storage, read> d_loss: array<f32>;      // (1) backward seed
@group(0) @binding(6) var<storage, read_write> partials: array<f32>;  // (chunks, 5)
@group(0) @binding(7) var<storage, read_write> loss: array<f32>;      // (1)
@group(0) @binding(8) var<storage, read_write> metrics: array<f32>;   // (4)
@group(0) @binding(9) var<storage, read_write> d_logp: array<f32>;    // (N)
@group(0) @binding(10) var<storage, read> ref_logp: array<f32>;       // (N) ℓ^ref, read when β > 0

const LOG_RATIO_CLAMP: f32 = 20.0;
const KL_CLAMP: f32 = 10.0;

struct TokenLoss {
  loss: f32,
  d_loss_d_logp: f32,  // ∂p_t/∂ℓ_t: −A ρ on the unclipped branch, else 0
  is_clipped: bool,     // pg_clipfrac: −A clamp(ρ) > −A ρ strictly
  is_dual: bool,        // pg_clipfrac_lower: A < 0 and the dual bound binds strictly
  log_ratio: f32,       // clamped ℓ − ℓ^old
  kl: f32,              // k, 0 when β = 0
  d_kl_d_logp: f32,     // ∂k/∂ℓ
}

fn token_loss(i: u32) -> TokenLoss {
  let raw = logp[i] - old_logp[i];
  let log_ratio = clamp(raw, -LOG_RATIO_CLAMP, LOG_RATIO_CLAMP);
  let ratio = exp(log_ratio);
  let a = advantages[i];
  let unclipped = -a * ratio;
  let clipped = -a * clamp(ratio, 1.0 - p.clip_low, 1.0 + p.clip_high);
  let pessimistic = max(unclipped, clipped);
  var t: TokenLoss;
  t.is_clipped = clipped > unclipped;
  t.loss = pessimistic;
  t.is_dual = false;
  if (a < 0.0 && p.has_dual == 1u) {
    let bound = -p.dual_clip * a;
    t.is_dual = pessimistic > bound;
    t.loss = min(pessimistic, bound);
  }
  // Outside the ±20 clamp ρ is flat; where a clip wins, the loss does not depend on ℓ.
  let is_live = abs(raw) <= LOG_RATIO_CLAMP && !t.is_clipped && !t.is_dual;
  t.d_loss_d_logp = select(0.0, unclipped, is_live);
  t.log_ratio = log_ratio;
  t.kl = 0.0;
  t.d_kl_d_logp = 0.0;
  if (p.kl_coef > 0.0) {
    let raw_kl = ref_logp[i] - logp[i];
    let d = clamp(raw_kl, -LOG_RATIO_CLAMP, LOG_RATIO_CLAMP);
    let k = exp(d) - d - 1.0;
    t.kl = min(k, KL_CLAMP);  // k ≥ 0, so only the upper clamp can bind
    let kl_live = abs(raw_kl) <= LOG_RATIO_CLAMP && k <= KL_CLAMP;
    t.d_kl_d_logp = select(0.0, 1.0 - exp(d), kl_live);
  }
  return t;
}

fn index(gid: vec3u, nwg: vec3u) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

@compute @workgroup_size(WG)
fn ppo_loss_partials(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let c = index(gid, nwg);
  if (c >= p.chunks) { return; }
  var s = array<f32, 6>(0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
  let end = min(p.n, (c + 1u) * p.chunk);
  for (var i = c * p.chunk; i < end; i++) {
    let w = weights[i];
    if (w == 0.0) { continue; }
    let t = token_loss(i);
    s[0] += w * (t.loss + p.kl_coef * t.kl);
    s[1] += select(0.0, 1.0, t.is_clipped);
    s[2] += select(0.0, 1.0, t.is_dual);
    s[3] -= t.log_ratio;
    s[4] += 1.0;
    s[5] += w * t.kl;
  }
  for (var q = 0u; q < 6u; q++) { partials[c * 6u + q] = s[q]; }
}

@compute @workgroup_size(1)
fn ppo_loss_finish() {
  var s = array<f32, 6>(0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
  for (var c = 0u; c < p.chunks; c++) {
    for (var q = 0u; q < 6u; q++) { s[q] += partials[c * 6u + q]; }
  }
  loss[0] = s[0] / p.normaliser;
  for (var q = 0u; q < 5u; q++) { metrics[q] = s[q + 1u]; }
}

@compute @workgroup_size(WG)
fn ppo_loss_backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = index(gid, nwg);
  if (i >= p.n) { return; }
  let t = token_loss(i);
  d_logp[i] = d_loss[0] * weights[i] * (t.d_loss_d_logp + p.kl_coef * t.d_kl_d_logp) / p.normaliser;
}
