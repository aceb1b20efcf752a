// Agreement statistics between two score lists, for projected-mode fidelity (spec §9.4 R5):
// `influence_proj/spearman` (average ranks for ties), `spearman_within_doc`, `pearson` and
// `sign_agreement`. Called by influence.ts with exact and projected scores of the same questions.
// Undefined statistics (a constant input, no qualifying group) are NaN; the caller decides how to log them.

function checkPair(x: ArrayLike<number>, y: ArrayLike<number>, what: string): void {
  if (x.length !== y.length) {
    throw new Error(`rank-stats.ts: ${what} needs equal lengths, got ${x.length} and ${y.length}`);
  }
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) {
      throw new Error(`rank-stats.ts: ${what}: non-finite value at index ${i} (${x[i]}, ${y[i]})`);
    }
  }
}

/** 1-based ranks; tied values share the mean of the ranks they span. */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const order = Array.from({ length: values.length }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Float64Array(values.length);
  let start = 0;
  while (start < order.length) {
    let end = start + 1;
    while (end < order.length && values[order[end]] === values[order[start]]) end++;
    const rank = (start + 1 + end) / 2; // mean of ranks start+1 … end
    for (let k = start; k < end; k++) ranks[order[k]] = rank;
    start = end;
  }
  return ranks;
}

/** Pearson correlation; NaN for fewer than two points or a constant input. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkPair(x, y, 'pearson');
  const n = x.length;
  if (n < 2) return NaN;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return NaN;
  return sxy / Math.sqrt(sxx * syy);
}

/** Spearman correlation: Pearson of the average ranks. */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkPair(x, y, 'spearman');
  return pearson(averageRanks(x), averageRanks(y));
}

/** Share of pairs with equal signs (zero matches only zero); NaN for empty input. */
export function signAgreement(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkPair(x, y, 'signAgreement');
  if (x.length === 0) return NaN;
  let agree = 0;
  for (let i = 0; i < x.length; i++) if (Math.sign(x[i]) === Math.sign(y[i])) agree++;
  return agree / x.length;
}

/** Mean absolute difference; NaN for empty input (`influence_proj/abs_err/mean`). */
export function meanAbsoluteError(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkPair(x, y, 'meanAbsoluteError');
  if (x.length === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += Math.abs(x[i] - y[i]);
  return sum / x.length;
}

/**
 * Within-group Spearman (R5 `spearman_within_doc`): the mean of per-group Spearman over groups with at
 * least `minGroupSize` items whose Spearman is defined; NaN when no group qualifies.
 */
export function withinGroupSpearman(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  groupKeys: ArrayLike<string | number>,
  minGroupSize = 3,
): number {
  checkPair(x, y, 'withinGroupSpearman');
  if (groupKeys.length !== x.length) {
    throw new Error(`rank-stats.ts: withinGroupSpearman has ${x.length} scores but ${groupKeys.length} group keys`);
  }
  const groups = new Map<string | number, number[]>();
  for (let i = 0; i < groupKeys.length; i++) {
    const rows = groups.get(groupKeys[i]);
    if (rows) rows.push(i);
    else groups.set(groupKeys[i], [i]);
  }
  let sum = 0;
  let count = 0;
  for (const rows of groups.values()) {
    if (rows.length < minGroupSize) continue;
    const rho = spearman(rows.map((i) => x[i]), rows.map((i) => y[i]));
    if (Number.isNaN(rho)) continue;
    sum += rho;
    count++;
  }
  return count === 0 ? NaN : sum / count;
}
