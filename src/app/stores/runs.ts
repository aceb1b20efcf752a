// useRunsStore: every run the lab knows (imported, replayed or live), its config and append-only
// metric and question rows, plus the live driver's stage progress. Derived views (the influence grid,
// curves, topic mix) are memoised selectors below, never stored fields. Fed by App (driver callbacks),
// RunsPanel (imports) and run-persistence.ts (IndexedDB); read by every chart panel.
import { create } from 'zustand';
import type { RunConfig } from '../../infuser/config.ts';
import { TRAIN } from '../../infuser/metrics.ts';
import type { MetricRecord, QuestionRow, StageName, StageProgress } from '../../infuser/run-records.ts';
import type { DriverStatus } from '../run-driver.ts';

export type RunSource = 'imported' | 'replay' | 'live';

export interface RunEntry {
  id: string;
  name: string;
  source: RunSource;
  config: RunConfig;
  metrics: readonly MetricRecord[];
  questions: readonly QuestionRow[];
  /** Last driver state seen; imported runs are `finished`. */
  status: DriverStatus['state'];
  createdMs: number;
}

/** One stage's progress with the clock readings that give a time-left estimate. */
export interface StageClock {
  done: number;
  total: number;
  startedMs: number;
  updatedMs: number;
}

export interface LiveRun {
  runId: string;
  status: DriverStatus;
  iteration: number;
  stages: Partial<Record<StageName, StageClock>>;
}

interface RunsState {
  runs: Record<string, RunEntry>;
  /** Run ids, oldest first. */
  order: string[];
  activeId: string | null;
  /** Runs drawn beside the active one on the curves. */
  compareIds: string[];
  live: LiveRun | null;
  addRun: (run: RunEntry) => void;
  hydrate: (runs: readonly RunEntry[]) => void;
  appendIteration: (runId: string, metrics: MetricRecord, questions: readonly QuestionRow[]) => void;
  removeRun: (runId: string) => void;
  setActive: (runId: string) => void;
  toggleCompare: (runId: string) => void;
  startLive: (runId: string) => void;
  setProgress: (progress: StageProgress, nowMs: number) => void;
  setDriverStatus: (runId: string, status: DriverStatus) => void;
}

export const useRunsStore = create<RunsState>((set) => ({
  runs: {},
  order: [],
  activeId: null,
  compareIds: [],
  live: null,
  addRun: (run) => set((s) => ({
    runs: { ...s.runs, [run.id]: run },
    order: s.order.includes(run.id) ? s.order : [...s.order, run.id],
    activeId: run.id,
  })),
  hydrate: (runs) => set((s) => {
    const merged = { ...s.runs };
    for (const run of runs) if (!(run.id in merged)) merged[run.id] = run;
    const order = Object.values(merged).sort((a, b) => a.createdMs - b.createdMs).map((r) => r.id);
    return { runs: merged, order, activeId: s.activeId ?? order[order.length - 1] ?? null };
  }),
  appendIteration: (runId, metrics, questions) => set((s) => {
    const run = s.runs[runId];
    if (run === undefined) throw new Error(`runs store: no run "${runId}" to append iteration to`);
    const next = { ...run, metrics: [...run.metrics, metrics], questions: [...run.questions, ...questions] };
    return { runs: { ...s.runs, [runId]: next } };
  }),
  removeRun: (runId) => set((s) => {
    const { [runId]: _removed, ...runs } = s.runs;
    const order = s.order.filter((id) => id !== runId);
    return {
      runs,
      order,
      activeId: s.activeId === runId ? (order[order.length - 1] ?? null) : s.activeId,
      compareIds: s.compareIds.filter((id) => id !== runId),
      live: s.live?.runId === runId ? null : s.live,
    };
  }),
  setActive: (runId) => set({ activeId: runId }),
  toggleCompare: (runId) => set((s) => ({
    compareIds: s.compareIds.includes(runId) ? s.compareIds.filter((id) => id !== runId) : [...s.compareIds, runId],
  })),
  startLive: (runId) => set({ live: { runId, status: { state: 'ready' }, iteration: 0, stages: {} } }),
  setProgress: (p, nowMs) => set((s) => {
    if (s.live === null) return {};
    // A new iteration restarts every stage's clock.
    const stages = p.iteration === s.live.iteration ? { ...s.live.stages } : {};
    const previous = stages[p.stage];
    stages[p.stage] = { done: p.done, total: p.total, startedMs: previous?.startedMs ?? nowMs, updatedMs: nowMs };
    return { live: { ...s.live, iteration: p.iteration, stages } };
  }),
  setDriverStatus: (runId, status) => set((s) => {
    const run = s.runs[runId];
    const runs = run === undefined ? s.runs : { ...s.runs, [runId]: { ...run, status: status.state } };
    const live = s.live?.runId === runId ? { ...s.live, status } : s.live;
    return { runs, live };
  }),
}));

// ---------------------------------------------------------------------------------------------
// Selectors. Each caches on the identity of the append-only arrays it reads, so a component
// re-renders only when its run actually grew.

function memoOn<K extends object, V>(compute: (key: K) => V): (key: K) => V {
  const cache = new WeakMap<K, V>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined) {
      value = compute(key);
      cache.set(key, value);
    }
    return value;
  };
}

export const questionKey = (q: QuestionRow): string => `${q.iteration}:${q.slot}:${q.row}`;

/** The run the charts show, or null. */
export const selectActiveRun = (s: RunsState): RunEntry | null => (s.activeId === null ? null : s.runs[s.activeId] ?? null);

/** Iteration numbers present in a run, ascending (from metrics and questions alike). */
export const selectIterations = memoOn((run: RunEntry): number[] => {
  const seen = new Set<number>(run.questions.map((q) => q.iteration));
  for (const m of run.metrics) seen.add(m[TRAIN.ansLoop]);
  return [...seen].sort((a, b) => a - b);
});

/** A heatmap cell: the questions of one row (document or topic) in one iteration. */
export interface GridCell {
  questions: QuestionRow[];
  /** Mean influence over the questions that have a score; null when none has one. */
  mean: number | null;
  scored: number;
}

export interface InfluenceGrid {
  rowKind: 'documents' | 'topics';
  rows: string[];
  iterations: number[];
  /** cells[row][column]; null where the row had no question that iteration. */
  cells: (GridCell | null)[][];
  maxAbs: number;
}

/** Above this many documents, the heatmap groups rows by topic when the pool has topics. */
export const LARGE_POOL_ROWS = 48;

const UNTAGGED = '(untagged)';

function buildGrid(run: RunEntry, rowKind: 'documents' | 'topics'): InfluenceGrid {
  const iterations = selectIterations(run);
  const column = new Map(iterations.map((it, i) => [it, i]));
  const rowOf = (q: QuestionRow): string => (rowKind === 'topics' ? q.topic ?? UNTAGGED : q.doc_id);
  const rows: string[] = [];
  const rowIndex = new Map<string, number>();
  const ordered = rowKind === 'topics' ? [...run.questions].sort((a, b) => rowOf(a).localeCompare(rowOf(b))) : run.questions;
  for (const q of ordered) {
    const key = rowOf(q);
    if (!rowIndex.has(key)) {
      rowIndex.set(key, rows.length);
      rows.push(key);
    }
  }
  const cells: (GridCell | null)[][] = rows.map(() => iterations.map(() => null));
  for (const q of run.questions) {
    const r = rowIndex.get(rowOf(q)) as number;
    const c = column.get(q.iteration) as number;
    const cell = (cells[r][c] ??= { questions: [], mean: null, scored: 0 });
    cell.questions.push(q);
  }
  let maxAbs = 0;
  for (const row of cells) {
    for (const cell of row) {
      if (cell === null) continue;
      const scores = cell.questions.flatMap((q) => (q.influence === null ? [] : [q.influence]));
      cell.scored = scores.length;
      cell.mean = scores.length === 0 ? null : scores.reduce((a, b) => a + b, 0) / scores.length;
      if (cell.mean !== null) maxAbs = Math.max(maxAbs, Math.abs(cell.mean));
    }
  }
  return { rowKind, rows, iterations, cells, maxAbs };
}

const gridByDocuments = memoOn((run: RunEntry) => buildGrid(run, 'documents'));
const gridByTopics = memoOn((run: RunEntry) => buildGrid(run, 'topics'));

/** Whether the run's questions carry topics and its documents are too many for one row each. */
export const prefersTopicRows = memoOn((run: RunEntry): boolean => {
  const docs = new Set(run.questions.map((q) => q.doc_id));
  return docs.size > LARGE_POOL_ROWS && run.questions.some((q) => q.topic !== null);
});

/** Documents (or topics) × iterations, cell = mean influence of that row's questions (§6, `influence_sim/score`). */
export function selectInfluenceGrid(run: RunEntry, rowKind: 'documents' | 'topics' | 'auto'): InfluenceGrid {
  const kind = rowKind === 'auto' ? (prefersTopicRows(run) ? 'topics' : 'documents') : rowKind;
  return kind === 'topics' ? gridByTopics(run) : gridByDocuments(run);
}

export interface CurvePoint { x: number; y: number }

const curveCache = new WeakMap<readonly MetricRecord[], Map<string, CurvePoint[]>>();

/** One metric per iteration (`train/ans_loop` on x), skipping records that lack the key. */
export function selectCurve(run: RunEntry, key: string): CurvePoint[] {
  let byKey = curveCache.get(run.metrics);
  if (byKey === undefined) curveCache.set(run.metrics, (byKey = new Map()));
  let points = byKey.get(key);
  if (points === undefined) {
    points = run.metrics.flatMap((m) => (key in m ? [{ x: m[TRAIN.ansLoop], y: m[key] }] : []));
    byKey.set(key, points);
  }
  return points;
}

export interface TopicMix {
  iterations: number[];
  categories: string[];
  /** counts[column][category] */
  counts: number[][];
}

function buildMix(run: RunEntry, dimension: 'topic' | 'question_type'): TopicMix {
  const iterations = selectIterations(run);
  const label = (q: QuestionRow): string => (dimension === 'topic' ? q.topic : q.question_type) ?? UNTAGGED;
  const categories = [...new Set(run.questions.map(label))].sort();
  const catIndex = new Map(categories.map((c, i) => [c, i]));
  const column = new Map(iterations.map((it, i) => [it, i]));
  const counts = iterations.map(() => categories.map(() => 0));
  for (const q of run.questions) counts[column.get(q.iteration) as number][catIndex.get(label(q)) as number]++;
  return { iterations, categories, counts };
}

const mixByTopic = memoOn((run: RunEntry) => buildMix(run, 'topic'));
const mixByType = memoOn((run: RunEntry) => buildMix(run, 'question_type'));

/** Questions per topic (or question type) per iteration. */
export function selectTopicMix(run: RunEntry, dimension: 'topic' | 'question_type'): TopicMix {
  return dimension === 'topic' ? mixByTopic(run) : mixByType(run);
}

/** The questions whose keys are listed, in run order. */
export function selectQuestionsByKey(run: RunEntry, keys: readonly string[]): QuestionRow[] {
  const wanted = new Set(keys);
  return run.questions.filter((q) => wanted.has(questionKey(q)));
}
