// The worker protocol in one place: what a role worker exposes over comlink. Small arguments and
// results structured-clone; bulk numbers cross as transferred buffers (marked ⇄ below): weights as
// Float32Arrays, rollouts, train rows, answer groups and influence reports packed by wire-format.ts.
// The page talks to it through role-client.ts, which unpacks, so runIteration sees plain roles.ts types.
import type { RunConfig } from '../infuser/config.ts';
import type { InfluenceSettings, PpoSettings, RoleCheckpoint, SampleRequest, UpdateReport } from '../infuser/roles.ts';
import type { ChatMessage } from '../infuser/prompts.ts';
import type { WireAnswerGroups, WireInfluenceReport, WireSamples, WireTrainRows } from './wire-format.ts';

/** Where a role's weights come from: the built-in anchors (a URL folder) or a dropped Hugging Face folder. */
export type ModelSource = { kind: 'url'; base: string } | { kind: 'files'; files: File[] };

/** The built-in anchors, served from public/; the Models panel's default for both roles. */
export const BUILTIN_MODEL: ModelSource & { kind: 'url' } = { kind: 'url', base: '/anchors/tiny-world/' };

export interface RoleInit {
  role: 'generator' | 'solver';
  config: RunConfig;
  model: ModelSource;
  /** A checkpoint to start from instead of the source's weights (resume after a reload). */
  checkpoint?: RoleCheckpoint;
}

export interface RoleInfo {
  adapter: string;
  parameters: number;
  numLayers: number;
  modelConfig: Record<string, unknown>;
}

export interface RoleHostApi {
  init(init: RoleInit): Promise<RoleInfo>;
  encodeChat(messages: ChatMessage[]): Promise<number[]>;
  decode(ids: number[]): Promise<string>;
  /** ⇄ worker → page: the rollouts' tokens and log-probs. */
  sample(req: SampleRequest): Promise<WireSamples>;
  /** ⇄ page → worker: the rows' token ids, log-probs and advantages. */
  update(rows: WireTrainRows, miniBatches: number[][], normaliser: number, ppo: PpoSettings): Promise<UpdateReport>;
  /** ⇄ both ways: the answer groups in, the per-question scores and layer rows out. */
  influence(dev: WireAnswerGroups, questions: WireAnswerGroups, settings: InfluenceSettings): Promise<WireInfluenceReport>;
  /** ⇄ worker → page: weights, AdamW moments and extra state. */
  checkpoint(): Promise<RoleCheckpoint>;
  /** Cloned: the page keeps its copy for later saves. */
  restore(c: RoleCheckpoint): Promise<void>;
  optimizerStep(): Promise<number>;
  numLayers(): Promise<number>;
  /** ⇄ worker → page: the role's current model as a Hugging Face folder: file name → bytes. */
  exportFolder(): Promise<{ name: string; bytes: Uint8Array }[]>;
  /** ⇄ worker → page: the role's current model as ONNX: model.onnx, plus model.onnx.data when the weights pass 2 GB. */
  exportOnnx(): Promise<{ name: string; bytes: Uint8Array }[]>;
  /** Resolves with a reason if the GPU device is lost. */
  lost(): Promise<string>;
  dispose(): Promise<void>;
}
