// The contract between the co-training loop (iteration.ts) and the two models. Everything crossing
// it is plain data, so the same loop drives in-process roles (CLI, tests) and comlink proxies of
// role workers (browser); only the transport differs.
import type { ChatMessage } from './prompts.ts';
import type { KeyPart } from './rng.ts';
import type { SimilarityMode } from './similarity.ts';

export interface SamplingSettings {
  temperature: number;
  topP: number;
  maxNewTokens: number;
}

/** n samples of one prompt; randomness comes from (run seed, stream, ...keys, sample, position). */
export interface SampleRequest {
  promptIds: number[];
  n: number;
  stream: 'gen_sample' | 'solver_sample';
  keys: KeyPart[];
  sampling: SamplingSettings;
}

export interface Sample {
  tokens: number[];
  /** Sampling log-probs under softmax(z / T) (health metric only, spec §9.3). */
  logprobs: number[];
  text: string;
  finish: 'eos' | 'stop' | 'length';
}

/** One response to train on: its prompt, its tokens and the advantage broadcast to every token. */
export interface TrainRow {
  promptIds: number[];
  responseIds: number[];
  /** Log-probs recorded when sampling (for `rollout_corr`); optional. */
  samplingLogprobs?: number[];
  advantage: number;
}

export interface PpoSettings {
  temperature: number;
  clipLow: number;
  clipHigh: number;
  dualClip: number;
  /** β of the KL penalty to the role's starting weights (`{role}.actor.kl_loss_coef`); 0 or absent = none. */
  klCoef?: number;
}

export interface UpdateReport {
  steps: number;
  skippedSteps: number;
  pgLoss: number;
  pgClipfrac: number;
  pgClipfracLower: number;
  ppoKl: number;
  /** The KL penalty to the starting weights, aggregated like pg_loss (0 when it is off). */
  klLoss?: number;
  gradNorm: number;
  lr: number;
  /** mean / max |ℓ_samp − ℓ_old| over tokens with sampling log-probs (spec §9.3). */
  logpAbsDiffMean: number;
  logpAbsDiffMax: number;
}

/** A question's answers with their Dr.GRPO advantages, for influence gradients (spec §6.2, §6.3). */
export interface AnswerGroup {
  promptIds: number[];
  responses: number[][];
  advantages: number[];
}

export interface InfluenceSettings {
  similarityMode: SimilarityMode;
  mode: 'exact' | 'projected';
  /** `factored`: per-matrix P_out ⊗ P_in sketches from one batched backward (P3 only); `sparse`: sparse JL per question. */
  projection: { option: 'P1' | 'P2' | 'P3'; family: 'factored' | 'sparse'; k: number; redraw: 'per_iteration' | 'fixed' };
  /** Compute exact scores too, for the R5 fidelity figures (projected mode only). */
  calibrate: boolean;
  useMomentum: boolean;
  momentumBeta: number;
  iteration: number;
  temperature: number;
}

export interface QuestionInfluence {
  score: number;
  dot: number;
  cosine: number;
  preconditionedDot: number;
  preconditionedCosine: number;
  gammaNorm: number;
  gradNorm: number;
  /** Per-layer share of the score's numerator (layers 0..L-1, embed, head). */
  layers: number[];
  /** Exact score when calibrating projected mode. */
  exactScore?: number;
}

export interface InfluenceReport {
  /** False when every dev question was degenerate: no u, all scores 0. */
  hasReference: boolean;
  refNorm: number;
  devPgLoss: number;
  devGradNorm: number;
  devQuestions: number;
  questions: QuestionInfluence[];
  /** Wall time of the dev-gradient pass and of scoring the questions (GPU work included). */
  seconds?: { reference: number; questions: number };
}

export interface RoleCheckpoint {
  /** Weights by Hugging Face name. */
  weights: Record<string, Float32Array>;
  /** AdamW moments in the parameters' order, and the stored step t. */
  optimizer: { t: number; m: Float32Array[]; v: Float32Array[] };
  /** Role state that must survive a resume, e.g. the Solver's dev-gradient EMA (use_momentum). */
  extra?: Record<string, Float32Array[]>;
}

/** A policy model: samples and learns (Generator; the Solver adds influence). */
export interface PolicyRole {
  encodeChat(messages: ChatMessage[]): Promise<number[]>;
  decode(ids: number[]): Promise<string>;
  sample(req: SampleRequest): Promise<Sample[]>;
  /** One PPO epoch over the rows: mini-batches of row indices, constant normaliser D = L̄·N_nom. */
  update(rows: TrainRow[], miniBatches: number[][], normaliser: number, ppo: PpoSettings): Promise<UpdateReport>;
  checkpoint(): Promise<RoleCheckpoint>;
  restore(c: RoleCheckpoint): Promise<void>;
  /** Stored optimizer steps t. */
  optimizerStep(): Promise<number>;
  numLayers(): Promise<number>;
}

export interface SolverRole extends PolicyRole {
  /** Dev reference vector u from the dev groups, then one score per question group (spec §6). */
  influence(dev: AnswerGroup[], questions: AnswerGroup[], settings: InfluenceSettings): Promise<InfluenceReport>;
}
