// useModelsStore: which weights each role starts from, a built-in world's anchors (default) or a dropped
// Hugging Face folder, and what inspecting them found (architecture, parameters) or why they were
// refused. By default the Solver uses the Generator's choice. The File objects stay here unread; the
// role workers read them. Read by ModelsPanel and RunControls (selectModelSources at start); the last
// choices come back from IndexedDB at start (restoreModels) and are saved by input-persistence.ts.
import { create } from 'zustand';
import { UrlFolder, DroppedFolder } from '../../model/browser-folder.ts';
import type { ModelSource } from '../../workers/api.ts';
import { BUILTIN_WORLDS, type BuiltinWorld } from '../builtin-worlds.ts';
import type { RunConfig } from '../../infuser/config.ts';
import { fitVerdict, roleFootprint, type DeviceBudget, type FitVerdict, type RoleFootprint } from '../model-fit.ts';
import { savedInputs } from '../input-db.ts';
import { inspectModel, type ModelInfo, type PickedModel } from '../model-files.ts';
import type { Role } from '../run-driver.ts';

export type ModelChoice = { kind: 'builtin'; world: BuiltinWorld } | { kind: 'files'; name: string; files: File[] };

export interface ModelEntry {
  choice: ModelChoice;
  status: 'loading' | 'ready' | 'error';
  info: ModelInfo | null;
  message: string | null;
}

interface ModelsState {
  generator: ModelEntry;
  solver: ModelEntry;
  /** The Solver starts from the Generator's model (the usual setup: both roles from one checkpoint). */
  isShared: boolean;
  chooseBuiltin: (role: Role, world?: BuiltinWorld) => Promise<void>;
  chooseFolder: (role: Role, picked: PickedModel) => Promise<void>;
  /** A pick that is not a model folder: the role has no usable model until another choice. */
  refuse: (role: Role, name: string, message: string) => void;
  setShared: (isShared: boolean) => void;
  /** Roles on built-in anchors switch to `world`'s (they were trained on its pool); dropped folders stay. */
  followWorld: (world: BuiltinWorld) => void;
  /**
   * The choices saved at the last visit, once per page: true when a saved record was applied; false when
   * there was none, it was unreadable (then `restoreProblem` says why) or the user chose first.
   */
  restoreModels: () => Promise<boolean>;
  restoreProblem: string | null;
}

const builtinEntry = (): ModelEntry => ({ choice: { kind: 'builtin', world: 'single' }, status: 'loading', info: null, message: null });

/** Why a world's built-in anchors failed to load, in words a user can act on. */
function builtinProblem(world: BuiltinWorld, error: Error): string {
  const missing = /config\.json is missing|tokenizer\.json is missing|no model\.safetensors/.test(error.message);
  return missing
    ? `The built-in anchors are not in this build (${BUILTIN_WORLDS[world].anchors.base} is empty or partial): drop a Hugging Face model folder instead.`
    : `The built-in anchors did not load: ${error.message}`;
}

export const useModelsStore = create<ModelsState>((set, get) => {
  /** Counts the user's own choices, so a restore that finishes after one leaves it alone. */
  let userChoices = 0;
  let restoring: Promise<boolean> | null = null;
  const setEntry = (role: Role, entry: ModelEntry): void => set({ [role]: entry } as Pick<ModelsState, Role>);
  /** Inspects `choice` for `role`, ignoring the answer if the choice changed meanwhile. */
  const inspect = async (role: Role, choice: ModelChoice): Promise<void> => {
    setEntry(role, { choice, status: 'loading', info: null, message: null });
    const folder = choice.kind === 'builtin'
      ? new UrlFolder(BUILTIN_WORLDS[choice.world].anchors.base, 'built-in anchors')
      : new DroppedFolder(choice.files, choice.name);
    let entry: ModelEntry;
    try {
      entry = { choice, status: 'ready', info: await inspectModel(folder), message: null };
    } catch (error) {
      const message = choice.kind === 'builtin' ? builtinProblem(choice.world, error as Error) : (error as Error).message;
      entry = { choice, status: 'error', info: null, message };
    }
    if (get()[role].choice === choice) setEntry(role, entry);
  };
  return {
    generator: builtinEntry(),
    solver: builtinEntry(),
    isShared: true,
    chooseBuiltin: (role, world = 'single') => {
      userChoices++;
      return inspect(role, { kind: 'builtin', world });
    },
    chooseFolder: (role, picked) => {
      userChoices++;
      return inspect(role, { kind: 'files', name: picked.name, files: picked.files });
    },
    refuse: (role, name, message) => {
      userChoices++;
      setEntry(role, { choice: { kind: 'files', name, files: [] }, status: 'error', info: null, message });
    },
    setShared: (isShared) => {
      userChoices++;
      set({ isShared });
    },
    restoreProblem: null,
    restoreModels: () => (restoring ??= (async () => {
      const before = userChoices;
      const saved = await savedInputs('models').catch((error: Error) => error);
      if (userChoices !== before) return false;
      if (saved instanceof Error) set({ restoreProblem: `Your model choices from the last visit could not be read (${saved.message}); the built-in anchors are used.` });
      if (saved instanceof Error || saved === null) return false;
      set({ isShared: saved.isShared });
      for (const role of ['generator', 'solver'] as const) void inspect(role, saved[role]);
      return true;
    })()),
    followWorld: (world) => {
      for (const role of ['generator', 'solver'] as const) {
        const choice = get()[role].choice;
        if (choice.kind === 'builtin' && choice.world !== world) void inspect(role, { kind: 'builtin', world });
      }
    },
  };
});

/** The entry each role will train from (the Generator's for both when shared). */
export function selectRoleEntries(s: Pick<ModelsState, Role | 'isShared'>): Record<Role, ModelEntry> {
  return { generator: s.generator, solver: s.isShared ? s.generator : s.solver };
}

const sourceOf = (choice: ModelChoice): ModelSource => (choice.kind === 'builtin' ? BUILTIN_WORLDS[choice.world].anchors : { kind: 'files', files: choice.files });

/** The workers' model sources for a run. */
export function selectModelSources(s: Pick<ModelsState, Role | 'isShared'>): { generator: ModelSource; solver: ModelSource } {
  const entries = selectRoleEntries(s);
  return { generator: sourceOf(entries.generator.choice), solver: sourceOf(entries.solver.choice) };
}

export interface ModelCheck {
  footprints: RoleFootprint[];
  /** null until both models are inspected and the adapter is known. */
  verdict: FitVerdict | null;
  /** Why a run cannot start with these models, or null. */
  blocker: string | null;
}

const ROLE_TITLE: Record<Role, string> = { generator: 'Generator', solver: 'Solver' };

/** Both roles' footprints under `config` and whether they fit `budget`; `blocker` says what stops a start. */
export function checkModels(entries: Record<Role, ModelEntry>, config: RunConfig | null, budget: DeviceBudget | null): ModelCheck {
  const roles: Role[] = ['generator', 'solver'];
  for (const role of roles) {
    const e = entries[role];
    if (e.status === 'loading') return { footprints: [], verdict: null, blocker: `The ${ROLE_TITLE[role]} model is still loading.` };
    if (e.status === 'error') return { footprints: [], verdict: null, blocker: `${ROLE_TITLE[role]} model: ${e.message}` };
  }
  if (config === null) return { footprints: [], verdict: null, blocker: null };
  const footprints = roles.map((role) => roleFootprint(role, entries[role].info!.config, config));
  if (budget === null) return { footprints, verdict: null, blocker: null };
  const verdict = fitVerdict(footprints, budget);
  return { footprints, verdict, blocker: verdict.fits ? null : `These models cannot train on this adapter. ${verdict.problems.join(' ')}` };
}
