// A narrower target: the built-in dev and held-out sets restricted to some of their kinds. Filtering the
// shipped files, rather than drawing new questions, keeps the anchors' guarantee: no question of either
// set was ever an SFT target (sft.ts), and no held-out question is stated by a document.
import { DEV_KINDS, type DevRow } from '../world/documents.ts';
import { kindOf } from './iteration-summary.ts';

/** Parses "kinship/two_hop,travel/two_hop"; each kind must be one the dev and held-out sets hold. */
export function parseTargetKinds(text: string): string[] {
  const known = DEV_KINDS.map(([t, q]) => kindOf(t, q));
  const kinds = [...new Set(text.split(',').map((k) => k.trim()).filter((k) => k.length > 0))];
  if (kinds.length === 0) throw new Error(`narrow target: no kinds given; choose from ${known.join(', ')}`);
  for (const k of kinds) {
    if (!known.includes(k)) throw new Error(`narrow target: "${k}" is not a kind of the dev and held-out sets; choose from ${known.join(', ')}`);
  }
  return kinds;
}

/** The rows of `kinds`, in file order; `file` names the source in errors. */
export function rowsOfKinds<R extends Pick<DevRow, 'topic' | 'question_type'>>(rows: readonly R[], kinds: readonly string[], file: string): R[] {
  const kept = rows.filter((r) => kinds.includes(kindOf(r.topic, r.question_type)));
  if (kept.length === 0) throw new Error(`narrow target: ${file} has no questions of ${kinds.join(', ')}`);
  return kept;
}

/** The kinds a folder's target tests: those of its dev rows, or the built-in set's where it names none. */
export function targetKindsOf(rows: readonly { topic: string; question_type: string }[] | null): Set<string> {
  return new Set(rows === null ? DEV_KINDS.map(([t, q]) => kindOf(t, q)) : rows.map((r) => kindOf(r.topic, r.question_type)));
}
