// The built-in worlds shipped in public/: a document pool each, and the anchors trained to write questions
// from it. 'single' (one question type per document) is the default; 'mixed' states two or three types of a
// topic per document, so the Generator chooses what to ask (docs/experiment.md item 13); 'results' is the
// mixed pool with each arithmetic result also stated, so the Generator can copy a right sum (item 21), with
// the anchors fine-tuned to ask sums more often (item 26; tiny-world-mixed-results, items 21–25, stays shipped).
// 'ranked' is that pool with every numeric question's right number at a uniformly drawn place among its
// choices (item 28): its problems differ, so it has its own target set; the others share public/world/dev.json.
// Regenerate with scripts/build-world.ts and scripts/train-anchors.ts.
import { BUILTIN_MODEL, type ModelSource } from '../workers/api.ts';

export type BuiltinWorld = 'single' | 'mixed' | 'results' | 'ranked';

export interface BuiltinWorldFiles {
  /** How the panels name it, after "Built-in pool" or "Built-in anchors". */
  label: string;
  documentsUrl: string;
  /** The built-in target set that belongs with this pool. */
  devUrl: string;
  anchors: ModelSource & { kind: 'url' };
}

const base = import.meta.env?.BASE_URL ?? '/';

const sharedDev = `${base}world/dev.json`;

export const BUILTIN_WORLDS: Record<BuiltinWorld, BuiltinWorldFiles> = {
  single: { label: 'one question type per document', documentsUrl: `${base}world/documents.json`, devUrl: sharedDev, anchors: BUILTIN_MODEL },
  mixed: {
    label: 'mixed question types', documentsUrl: `${base}world-mixed/documents.json`, devUrl: sharedDev,
    anchors: { kind: 'url', base: '/anchors/tiny-world-mixed/' },
  },
  results: {
    label: 'mixed question types, sums stated', documentsUrl: `${base}world-mixed-results/documents.json`, devUrl: sharedDev,
    anchors: { kind: 'url', base: '/anchors/tiny-world-mixed-focus/' },
  },
  ranked: {
    label: 'sums stated, numbers at drawn places', documentsUrl: `${base}world-mixed-results-ranked/documents.json`,
    devUrl: `${base}world-mixed-results-ranked/dev.json`, anchors: { kind: 'url', base: '/anchors/tiny-world-mixed-ranked/' },
  },
};
