// The worker protocol in one place: what a role worker exposes over comlink. Arguments and results
// are plain data (and File objects), so everything structured-clones.
import type { RunConfig } from '../infuser/config.ts';
import type { AnswerGroup, InfluenceReport, InfluenceSettings, PpoSettings, RoleCheckpoint, Sample, SampleRequest, TrainRow, UpdateReport } from '../infuser/roles.ts';
import type { ChatMessage } from '../infuser/prompts.ts';

/** Where a role's weights come from: the built-in anchors (a URL folder) or a dropped Hugging Face folder. */
export type ModelSource = { kind: 'url'; base: string } | { kind: 'files'; files: File[] };

/** The built-in anchors, served from public/; the Models panel's default for both roles. */
export const BUILTIN_MODEL: ModelSource = { kind: 'url', base: '/anchors/tiny-world/' };

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
  sample(req: SampleRequest): Promise<Sample[]>;
  update(rows: TrainRow[], miniBatches: number[][], normaliser: number, ppo: PpoSettings): Promise<UpdateReport>;
  influence(dev: AnswerGroup[], questions: AnswerGroup[], settings: InfluenceSettings): Promise<InfluenceReport>;
  checkpoint(): Promise<RoleCheckpoint>;
  restore(c: RoleCheckpoint): Promise<void>;
  optimizerStep(): Promise<number>;
  numLayers(): Promise<number>;
  /** The role's current model as a Hugging Face folder: file name → bytes. */
  exportFolder(): Promise<{ name: string; bytes: Uint8Array }[]>;
  /** The role's current model as ONNX: model.onnx, plus model.onnx.data when the weights pass 2 GB. */
  exportOnnx(): Promise<{ name: string; bytes: Uint8Array }[]>;
  /** Resolves with a reason if the GPU device is lost. */
  lost(): Promise<string>;
  dispose(): Promise<void>;
}
