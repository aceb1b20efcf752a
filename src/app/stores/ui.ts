// useUiStore: what the user is pointing at (heatmap cell hovered or selected, questions picked for the
// layer heatmap) and view choices (heatmap rows, topic-mix dimension). Read by InfluenceHeatmap,
// LayerHeatmap, CellQuestions and TopicMix; nothing here is derived from run data.
import { create } from 'zustand';

/** A heatmap cell by its row label (document id or topic) and iteration number. */
export interface CellRef {
  runId: string;
  row: string;
  iteration: number;
}

interface UiState {
  hovered: CellRef | null;
  selected: CellRef | null;
  /** Question keys (`iteration:slot:row`) shown in the layer heatmap. */
  pickedQuestions: string[];
  heatmapRows: 'auto' | 'documents' | 'topics';
  mixDimension: 'topic' | 'question_type';
  setHovered: (cell: CellRef | null) => void;
  select: (cell: CellRef | null, questionKeys: string[]) => void;
  togglePicked: (questionKey: string) => void;
  setHeatmapRows: (rows: UiState['heatmapRows']) => void;
  setMixDimension: (dimension: UiState['mixDimension']) => void;
}

export const useUiStore = create<UiState>((set) => ({
  hovered: null,
  selected: null,
  pickedQuestions: [],
  heatmapRows: 'auto',
  mixDimension: 'topic',
  setHovered: (hovered) => set({ hovered }),
  select: (selected, pickedQuestions) => set({ selected, pickedQuestions }),
  togglePicked: (key) => set((s) => ({
    pickedQuestions: s.pickedQuestions.includes(key) ? s.pickedQuestions.filter((k) => k !== key) : [...s.pickedQuestions, key],
  })),
  setHeatmapRows: (heatmapRows) => set({ heatmapRows, selected: null, hovered: null, pickedQuestions: [] }),
  setMixDimension: (mixDimension) => set({ mixDimension }),
}));

/** Same cell? (null-safe) */
export function sameCell(a: CellRef | null, b: CellRef | null): boolean {
  return a !== null && b !== null && a.runId === b.runId && a.row === b.row && a.iteration === b.iteration;
}
