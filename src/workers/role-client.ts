// The page's side of a role worker: a SolverRole over the worker's comlink proxy that packs bulk
// arguments into transferred buffers and unpacks packed results (wire-format.ts), so runIteration and
// lab.ts see the plain roles.ts types. Everything else passes straight through to the worker.
import type { Remote } from 'comlink';
import type { ChatMessage } from '../infuser/prompts.ts';
import type {
  AnswerGroup, InfluenceReport, InfluenceSettings, PpoSettings, RoleCheckpoint, Sample, SampleRequest, SolverRole, TrainRow, UpdateReport,
} from '../infuser/roles.ts';
import type { RoleHostApi, RoleInfo, RoleInit } from './api.ts';
import { packAnswerGroups, packTrainRows, transferPacked, unpackInfluenceReport, unpackSamples } from './wire-format.ts';

type NamedFile = { name: string; bytes: Uint8Array };

export class RoleClient implements SolverRole {
  constructor(private readonly remote: Remote<RoleHostApi>) {}

  init(init: RoleInit): Promise<RoleInfo> { return this.remote.init(init); }
  encodeChat(messages: ChatMessage[]): Promise<number[]> { return this.remote.encodeChat(messages); }
  decode(ids: number[]): Promise<string> { return this.remote.decode(ids); }

  async sample(req: SampleRequest): Promise<Sample[]> {
    return unpackSamples(await this.remote.sample(req));
  }

  update(rows: TrainRow[], miniBatches: number[][], normaliser: number, ppo: PpoSettings): Promise<UpdateReport> {
    return this.remote.update(transferPacked(packTrainRows(rows)), miniBatches, normaliser, ppo);
  }

  async influence(dev: AnswerGroup[], questions: AnswerGroup[], settings: InfluenceSettings): Promise<InfluenceReport> {
    const wire = await this.remote.influence(transferPacked(packAnswerGroups(dev)), transferPacked(packAnswerGroups(questions)), settings);
    return unpackInfluenceReport(wire);
  }

  checkpoint(): Promise<RoleCheckpoint> { return this.remote.checkpoint(); }
  restore(c: RoleCheckpoint): Promise<void> { return this.remote.restore(c); }
  optimizerStep(): Promise<number> { return this.remote.optimizerStep(); }
  numLayers(): Promise<number> { return this.remote.numLayers(); }
  exportFolder(): Promise<NamedFile[]> { return this.remote.exportFolder(); }
  exportOnnx(): Promise<NamedFile[]> { return this.remote.exportOnnx(); }
  /** Resolves with a reason if the worker's GPU device is lost. */
  lost(): Promise<string> { return this.remote.lost(); }
  dispose(): Promise<void> { return this.remote.dispose(); }
}
