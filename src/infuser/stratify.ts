// Stage-6 stratification (spec §2.4 step 3, reference `utils/data_utils.py: stratify_by_doc`): spreads
// each slot's questions evenly over the Solver update so no mini-batch is piled with one document.
// Question j (0-based) of a slot with K questions gets the ideal position (j + 0.5)/K; sort by position,
// ties by the slot's first appearance. Called by iteration.ts before cutting Solver mini-batches.

/** Question order after stratification: a permutation of 0 … Q−1, given each question's slot. */
export function stratifyBySlot(slotOfQuestion: ArrayLike<string | number>): number[] {
  const slotSize = new Map<string | number, number>();
  for (let q = 0; q < slotOfQuestion.length; q++) {
    slotSize.set(slotOfQuestion[q], (slotSize.get(slotOfQuestion[q]) ?? 0) + 1);
  }
  const firstSeen = new Map<string | number, number>();
  const seenInSlot = new Map<string | number, number>();
  // Position (j + 0.5)/K is kept as the exact fraction (2j + 1)/(2K), so equal positions compare equal.
  const entries = Array.from({ length: slotOfQuestion.length }, (_, q) => {
    const slot = slotOfQuestion[q];
    if (!firstSeen.has(slot)) firstSeen.set(slot, firstSeen.size);
    const j = seenInSlot.get(slot) ?? 0;
    seenInSlot.set(slot, j + 1);
    const denominator = 2 * (slotSize.get(slot) as number);
    return { q, numerator: 2 * j + 1, denominator, slotRank: firstSeen.get(slot) as number };
  });
  entries.sort((a, b) => {
    const byPosition = a.numerator * b.denominator - b.numerator * a.denominator;
    return byPosition !== 0 ? byPosition : a.slotRank - b.slotRank;
  });
  return entries.map((e) => e.q);
}

/**
 * Expands a question order to answer-row order, keeping each question's answers contiguous.
 * `answersPerQuestion` is n_S, or each question's answer count when they differ.
 */
export function expandToAnswerRows(
  questionOrder: readonly number[],
  answersPerQuestion: number | readonly number[],
): number[] {
  const counts =
    typeof answersPerQuestion === 'number'
      ? new Array<number>(questionOrder.length).fill(answersPerQuestion)
      : answersPerQuestion;
  if (counts.length !== questionOrder.length) {
    throw new Error(`stratify.ts: ${questionOrder.length} questions but ${counts.length} answer counts`);
  }
  const offsets = new Array<number>(counts.length + 1).fill(0);
  counts.forEach((c, q) => {
    if (!(Number.isInteger(c) && c >= 0)) throw new Error(`stratify.ts: question ${q} has answer count ${c}`);
    offsets[q + 1] = offsets[q] + c;
  });
  const rows: number[] = [];
  for (const q of questionOrder) {
    if (!(q >= 0 && q < counts.length)) throw new Error(`stratify.ts: question index ${q} out of range`);
    for (let r = offsets[q]; r < offsets[q + 1]; r++) rows.push(r);
  }
  return rows;
}
