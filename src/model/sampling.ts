// Token sampling from one row of logits, in float64 on the CPU: temperature, top-k, top-p (nucleus) and
// greedy decoding at T = 0. generate.ts calls it once per sequence per step; the uniform number u comes
// from the caller (spec §9.5 streams), so the same (logits, options, u) always picks the same token.
//
// Order of the filters (as Hugging Face and vLLM apply them): scale by 1/T, keep the k most likely
// tokens, then keep the smallest most-likely prefix of those whose renormalised mass reaches p.
// Ranking is by probability, ties by the smaller token id, so every cut is exact and deterministic.
//
// The returned log-prob is log softmax(z / T)[token] of the FULL distribution, before any top-k/top-p
// cut: GRPO recomputes the old log-probs in the training forward (§4 (3), §9.3), which knows nothing of
// truncation, and the sampling log-probs only feed the `rollout_corr/logp_abs_diff` health metric,
// which compares like with like. At T = 0 (greedy) the limit is degenerate, so the log-prob is taken
// under T = 1, the model's own distribution.

export interface SamplingOptions {
  /** T ≥ 0; 0 means greedy (argmax, ties to the smaller id). */
  temperature: number;
  /** Keep the k most likely tokens; 0 (default) or k ≥ V turns the cut off. */
  topK?: number;
  /** Nucleus mass in (0, 1]; 1 (default) turns the cut off. */
  topP?: number;
}

export interface SampledToken {
  token: number;
  /** log softmax(z / T)[token] over the full vocabulary (T = 1 when greedy). */
  logprob: number;
}

/** Throws unless the options describe a valid sampler. */
export function checkSamplingOptions(o: SamplingOptions): void {
  if (!(Number.isFinite(o.temperature) && o.temperature >= 0)) {
    throw new Error(`sampling: temperature must be a finite number ≥ 0, got ${o.temperature}`);
  }
  const k = o.topK ?? 0;
  if (!(Number.isInteger(k) && k >= 0)) throw new Error(`sampling: top-k must be an integer ≥ 0 (0 = off), got ${o.topK}`);
  const p = o.topP ?? 1;
  if (!(p > 0 && p <= 1)) throw new Error(`sampling: top-p must be in (0, 1] (1 = off), got ${o.topP}`);
}

function checkRow(logits: ArrayLike<number>): void {
  if (logits.length === 0) throw new Error('sampling: empty logits row');
  let finite = false;
  for (let i = 0; i < logits.length; i++) {
    const z = logits[i];
    if (Number.isNaN(z) || z === Infinity) throw new Error(`sampling: logit ${i} is ${z}; the forward pass produced non-finite values`);
    if (z !== -Infinity) finite = true;
  }
  if (!finite) throw new Error('sampling: every logit is -Infinity; nothing can be sampled');
}

/** Index of the largest logit, ties to the smaller index. */
export function argmax(logits: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  return best;
}

/** Unnormalised probabilities w_i = exp(z_i / T − max) and their sum Z (so p_i = w_i / Z). */
function weights(logits: ArrayLike<number>, temperature: number): { w: Float64Array; Z: number; max: number } {
  const V = logits.length;
  let max = -Infinity;
  for (let i = 0; i < V; i++) max = Math.max(max, logits[i] / temperature);
  const w = new Float64Array(V);
  let Z = 0;
  for (let i = 0; i < V; i++) {
    w[i] = Math.exp(logits[i] / temperature - max);
    Z += w[i];
  }
  return { w, Z, max };
}

/** log softmax(z / T)[token] over the full row, in float64. */
export function tokenLogprob(logits: ArrayLike<number>, token: number, temperature: number): number {
  const { Z, max } = weights(logits, temperature);
  return logits[token] / temperature - max - Math.log(Z);
}

const byRank = (w: Float64Array) => (a: number, b: number) => w[b] - w[a] || a - b;

/**
 * The most likely tokens in rank order, enough of them to hold the top-k set (when topK is on) or the
 * nucleus (when only topP is on). Lowers a probability threshold instead of sorting all V tokens.
 */
function rankedCandidates(w: Float64Array, Z: number, k: number, p: number): number[] {
  const V = w.length;
  let wMax = 0;
  for (let i = 0; i < V; i++) wMax = Math.max(wMax, w[i]);
  for (let shift = 4; ; shift *= 2) {
    const tau = shift > 1024 ? 0 : wMax * 2 ** -shift;
    const cand: number[] = [];
    let mass = 0;
    for (let i = 0; i < V; i++) {
      if (w[i] >= tau && (w[i] > 0 || tau === 0)) {
        cand.push(i);
        mass += w[i];
      }
    }
    const enough = k > 0 ? cand.length >= k : mass >= p * Z;
    if (enough || tau === 0) return cand.sort(byRank(w));
  }
}

/** The kept tokens in rank order after the top-k and top-p cuts. */
export function keptTokens(logits: ArrayLike<number>, o: SamplingOptions): number[] {
  checkSamplingOptions(o);
  checkRow(logits);
  const V = logits.length;
  if (o.temperature === 0) return [argmax(logits)];
  const { w, Z } = weights(logits, o.temperature);
  const k = (o.topK ?? 0) >= V ? 0 : (o.topK ?? 0);
  const p = o.topP ?? 1;
  const all = () => Array.from({ length: V }, (_, i) => i).filter((i) => w[i] > 0).sort(byRank(w));
  if (k === 0 && p === 1) return all();
  let kept = rankedCandidates(w, Z, k, p);
  if (k > 0) kept = kept.slice(0, k);
  if (p < 1) {
    // Without a top-k cut the candidates are only a prefix: the nucleus is relative to all of Z.
    const keptMass = k > 0 ? kept.reduce((s, i) => s + w[i], 0) : Z;
    let cum = 0;
    let end = 0;
    while (end < kept.length && cum < p * keptMass) cum += w[kept[end++]];
    kept = kept.slice(0, Math.max(1, end));
  }
  return kept.filter((i) => w[i] > 0);
}

/**
 * Draws one token from a logits row given u ∈ [0, 1): inverse CDF over the kept tokens (in rank order
 * after a cut, in id order without one). Greedy at T = 0 ignores u.
 */
export function sampleToken(logits: ArrayLike<number>, u: number, o: SamplingOptions): SampledToken {
  if (!(u >= 0 && u < 1)) throw new Error(`sampling: uniform number must be in [0, 1), got ${u}`);
  checkSamplingOptions(o);
  checkRow(logits);
  if (o.temperature === 0) {
    const token = argmax(logits);
    return { token, logprob: tokenLogprob(logits, token, 1) };
  }
  const { w, Z, max } = weights(logits, o.temperature);
  const V = logits.length;
  const isCut = ((o.topK ?? 0) > 0 && (o.topK ?? 0) < V) || (o.topP ?? 1) < 1;
  const order = isCut ? keptTokens(logits, o) : null;
  const n = order ? order.length : V;
  const at = (j: number) => (order ? order[j] : j);
  let mass = 0;
  for (let j = 0; j < n; j++) mass += w[at(j)];
  const target = u * mass;
  let cum = 0;
  let token = -1;
  for (let j = 0; j < n; j++) {
    const i = at(j);
    if (w[i] === 0) continue;
    token = i; // rounding can leave target ≥ the final sum: the last kept token then wins
    cum += w[i];
    if (target < cum) break;
  }
  return { token, logprob: logits[token] / o.temperature - max - Math.log(Z) };
}
