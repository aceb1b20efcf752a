// The built-in worlds shipped in public/: a document pool each, and the anchors trained to write questions
// from it. 'single' (one question type per document) is the default; 'mixed' states two or three types of a
// topic per document, so the Generator chooses what to ask (docs/experiment.md item 13); 'results' is the
// mixed pool with each arithmetic result also stated, so the Generator can copy a right sum (item 21), with
// the anchors fine-tuned to ask sums more often (item 26; tiny-world-mixed-results, items 21–25, stays shipped). All
// share the target set in public/world/dev.json. Regenerate with scripts/build-world.ts and scripts/train-anchors.ts.
import { BUILTIN_MODEL, type ModelSource } from '../workers/api.ts';

export type BuiltinWorld = 'single' | 'mixed' | 'results';

export interface BuiltinWorldFiles {
  /** How the panels name it, after "Built-in pool" or "Built-in anchors". */
  label: string;
  documentsUrl: string;
  anchors: ModelSource & { kind: 'url' };
}

const base = import.meta.env?.BASE_URL ?? '/';

export const BUILTIN_WORLDS: Record<BuiltinWorld, BuiltinWorldFiles> = {
  single: { label: 'one question type per document', documentsUrl: `${base}world/documents.json`, anchors: BUILTIN_MODEL },
  mixed: { label: 'mixed question types', documentsUrl: `${base}world-mixed/documents.json`, anchors: { kind: 'url', base: '/anchors/tiny-world-mixed/' } },
  results: {
    label: 'mixed question types, sums stated', documentsUrl: `${base}world-mixed-results/documents.json`,
    anchors: { kind: 'url', base: '/anchors/tiny-world-mixed-focus/' },
  },
};
