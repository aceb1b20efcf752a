// How rollouts, train rows, answer groups and influence reports cross between the page and a role
// worker: their numbers packed into typed arrays whose buffers comlink transfers instead of cloning.
// Called by role-client.ts (page side) and role-host.ts (worker side); pure, so node tests drive it.
// Invariants: every typed array here owns its whole buffer, so transferring it detaches nothing else;
// token ids travel as Int32 (checked), every real number as Float64, so unpack(pack(x)) equals x.
import { transfer } from 'comlink';
import type { AnswerGroup, InfluenceReport, QuestionInfluence, Sample, TrainRow } from '../infuser/roles.ts';

/** Ragged rows packed end to end: row i is data[offsets[i] .. offsets[i + 1]). */
export interface PackedRows<A extends Int32Array | Float64Array> {
  data: A;
  offsets: Uint32Array; // (rows + 1)
}

export interface WireSamples {
  tokens: PackedRows<Int32Array>;
  logprobs: PackedRows<Float64Array>;
  texts: string[];
  finishes: Sample['finish'][];
}

export interface WireTrainRows {
  promptIds: PackedRows<Int32Array>;
  responseIds: PackedRows<Int32Array>;
  /** Empty rows where hasSamplingLogprobs is 0 (the field was absent). */
  samplingLogprobs: PackedRows<Float64Array>;
  hasSamplingLogprobs: Uint8Array; // (rows)
  advantages: Float64Array; // (rows)
}

export interface WireAnswerGroups {
  promptIds: PackedRows<Int32Array>; // one row per group
  /** Every group's responses end to end; group g owns responses groupOffsets[g] .. groupOffsets[g + 1]. */
  responses: PackedRows<Int32Array>;
  groupOffsets: Uint32Array; // (groups + 1)
  advantages: PackedRows<Float64Array>; // one row per group
}

/** A question's scalar fields, in the column order of WireInfluenceReport.scalars. */
const QUESTION_FIELDS = ['score', 'dot', 'cosine', 'preconditionedDot', 'preconditionedCosine', 'gammaNorm', 'gradNorm'] as const;

export interface WireInfluenceReport extends Omit<InfluenceReport, 'questions'> {
  scalars: Float64Array; // (questions, QUESTION_FIELDS.length)
  layers: PackedRows<Float64Array>; // one row per question
  /** 0 where hasExactScore is 0 (the field was absent). */
  exactScores: Float64Array; // (questions)
  hasExactScore: Uint8Array; // (questions)
}

function packRows(rows: readonly (readonly number[])[], kind: 'token ids'): PackedRows<Int32Array>;
function packRows(rows: readonly (readonly number[])[], kind: 'reals'): PackedRows<Float64Array>;
function packRows(rows: readonly (readonly number[])[], kind: 'token ids' | 'reals'): PackedRows<Int32Array | Float64Array> {
  const offsets = new Uint32Array(rows.length + 1);
  rows.forEach((row, i) => { offsets[i + 1] = offsets[i] + row.length; });
  const data = kind === 'token ids' ? new Int32Array(offsets[rows.length]) : new Float64Array(offsets[rows.length]);
  rows.forEach((row, i) => {
    if (kind === 'token ids') checkTokenIds(row, i);
    data.set(row, offsets[i]);
  });
  return { data, offsets };
}

/** Int32Array.set would silently wrap or truncate a bad id; a wrong token is worse than an error. */
function checkTokenIds(row: readonly number[], rowIndex: number): void {
  for (let j = 0; j < row.length; j++) {
    const id = row[j];
    if (!Number.isInteger(id) || id < 0 || id > 0x7fffffff) {
      throw new Error(`wire-format: token id ${id} at row ${rowIndex}, position ${j} is not an integer in [0, 2^31); the tokenizer or sampler produced a bad id`);
    }
  }
}

function unpackRows(rows: PackedRows<Int32Array | Float64Array>): number[][] {
  const out: number[][] = [];
  for (let i = 0; i + 1 < rows.offsets.length; i++) out.push(Array.from(rows.data.subarray(rows.offsets[i], rows.offsets[i + 1])));
  return out;
}

const rowCount = (rows: PackedRows<Int32Array | Float64Array>) => rows.offsets.length - 1;

export function packSamples(samples: readonly Sample[]): WireSamples {
  return {
    tokens: packRows(samples.map((s) => s.tokens), 'token ids'),
    logprobs: packRows(samples.map((s) => s.logprobs), 'reals'),
    texts: samples.map((s) => s.text),
    finishes: samples.map((s) => s.finish),
  };
}

export function unpackSamples(w: WireSamples): Sample[] {
  const tokens = unpackRows(w.tokens);
  const logprobs = unpackRows(w.logprobs);
  return w.texts.map((text, i) => ({ tokens: tokens[i], logprobs: logprobs[i], text, finish: w.finishes[i] }));
}

export function packTrainRows(rows: readonly TrainRow[]): WireTrainRows {
  return {
    promptIds: packRows(rows.map((r) => r.promptIds), 'token ids'),
    responseIds: packRows(rows.map((r) => r.responseIds), 'token ids'),
    samplingLogprobs: packRows(rows.map((r) => r.samplingLogprobs ?? []), 'reals'),
    hasSamplingLogprobs: Uint8Array.from(rows, (r) => (r.samplingLogprobs ? 1 : 0)),
    advantages: Float64Array.from(rows, (r) => r.advantage),
  };
}

export function unpackTrainRows(w: WireTrainRows): TrainRow[] {
  const promptIds = unpackRows(w.promptIds);
  const responseIds = unpackRows(w.responseIds);
  const logprobs = unpackRows(w.samplingLogprobs);
  return promptIds.map((p, i) => {
    const row: TrainRow = { promptIds: p, responseIds: responseIds[i], advantage: w.advantages[i] };
    if (w.hasSamplingLogprobs[i]) row.samplingLogprobs = logprobs[i];
    return row;
  });
}

export function packAnswerGroups(groups: readonly AnswerGroup[]): WireAnswerGroups {
  const groupOffsets = new Uint32Array(groups.length + 1);
  groups.forEach((g, i) => { groupOffsets[i + 1] = groupOffsets[i] + g.responses.length; });
  return {
    promptIds: packRows(groups.map((g) => g.promptIds), 'token ids'),
    responses: packRows(groups.flatMap((g) => g.responses), 'token ids'),
    groupOffsets,
    advantages: packRows(groups.map((g) => g.advantages), 'reals'),
  };
}

export function unpackAnswerGroups(w: WireAnswerGroups): AnswerGroup[] {
  const responses = unpackRows(w.responses);
  const advantages = unpackRows(w.advantages);
  return unpackRows(w.promptIds).map((promptIds, g) => ({
    promptIds,
    responses: responses.slice(w.groupOffsets[g], w.groupOffsets[g + 1]),
    advantages: advantages[g],
  }));
}

export function packInfluenceReport(report: InfluenceReport): WireInfluenceReport {
  const { questions, ...summary } = report;
  const scalars = new Float64Array(questions.length * QUESTION_FIELDS.length);
  questions.forEach((q, i) => QUESTION_FIELDS.forEach((f, j) => { scalars[i * QUESTION_FIELDS.length + j] = q[f]; }));
  return {
    ...summary,
    scalars,
    layers: packRows(questions.map((q) => q.layers), 'reals'),
    exactScores: Float64Array.from(questions, (q) => q.exactScore ?? 0),
    hasExactScore: Uint8Array.from(questions, (q) => (q.exactScore === undefined ? 0 : 1)),
  };
}

export function unpackInfluenceReport(w: WireInfluenceReport): InfluenceReport {
  const { scalars, layers, exactScores, hasExactScore, ...summary } = w;
  if (scalars.length !== rowCount(layers) * QUESTION_FIELDS.length) {
    throw new Error(`wire-format: influence report holds ${rowCount(layers)} layer rows but ${scalars.length / QUESTION_FIELDS.length} scalar rows`);
  }
  const questions = unpackRows(layers).map((rowLayers, i) => {
    const q = { layers: rowLayers } as QuestionInfluence;
    QUESTION_FIELDS.forEach((f, j) => { q[f] = scalars[i * QUESTION_FIELDS.length + j]; });
    if (hasExactScore[i]) q.exactScore = exactScores[i];
    return q;
  });
  return { ...summary, questions };
}

type Packed = WireSamples | WireTrainRows | WireAnswerGroups | WireInfluenceReport;

/** The distinct ArrayBuffers under a packed value's typed arrays (its PackedRows one level down included). */
export function buffersOf(packed: Packed): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  const visit = (v: unknown, depth: number): void => {
    if (ArrayBuffer.isView(v)) buffers.add(v.buffer as ArrayBuffer);
    else if (depth > 0 && v !== null && typeof v === 'object' && !Array.isArray(v)) for (const x of Object.values(v)) visit(x, depth - 1);
  };
  visit(packed, 2);
  return [...buffers];
}

/** Marks a packed value for comlink to move its buffers to the other side instead of copying them. */
export function transferPacked<P extends Packed>(packed: P): P {
  return transfer(packed, buffersOf(packed));
}
