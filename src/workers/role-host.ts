// One role (Generator or Solver) with its own GPU device, as a role worker exposes it. Kept free of
// worker globals so node tests can drive it directly.
import { transfer } from 'comlink';
import { acquireGpu, describeGpu } from '../engine/device.ts';
import { Engine } from '../engine/engine.ts';
import { roleFromModel } from '../infuser/engine-roles.ts';
import type { EngineSolverRole } from '../infuser/influence-role.ts';
import type { EnginePolicyRole } from '../infuser/policy-role.ts';
import type { ChatMessage } from '../infuser/prompts.ts';
import type { InfluenceSettings, PpoSettings, RoleCheckpoint, SampleRequest, UpdateReport } from '../infuser/roles.ts';
import { DroppedFolder, UrlFolder } from '../model/browser-folder.ts';
import type { FolderReader } from '../model/folder-access.ts';
import { concatChunks, MemoryFolder } from '../model/folder-access.ts';
import { saveHfFolder } from '../model/hf-folder.ts';
import { exportOnnx } from '../model/onnx-export.ts';
import { loadModel } from '../model/load-model.ts';
import { toHfConfig } from '../model/model-config.ts';
import type { ModelSource, RoleHostApi, RoleInfo, RoleInit } from './api.ts';
import {
  packInfluenceReport, packSamples, transferPacked, unpackAnswerGroups, unpackTrainRows,
  type WireAnswerGroups, type WireInfluenceReport, type WireSamples, type WireTrainRows,
} from './wire-format.ts';

type NamedFile = { name: string; bytes: Uint8Array };

/** Marks the files' buffers as transferable, so export bytes move to the page instead of being copied. */
function transferred(files: NamedFile[]): NamedFile[] {
  return transfer(files, [...new Set(files.map((f) => f.bytes.buffer as ArrayBuffer))]);
}

function folderOf(src: ModelSource): FolderReader {
  return src.kind === 'url' ? new UrlFolder(src.base) : new DroppedFolder(src.files);
}

export class RoleHost implements RoleHostApi {
  private engine: Engine | null = null;
  private role: EnginePolicyRole | EngineSolverRole | null = null;
  private lostReason: Promise<string> = new Promise(() => {});
  /** The loaded model's context (max_position_embeddings) and the role's name, for a clear refusal. */
  private context: { positions: number; role: string } | null = null;

  private r(): EnginePolicyRole {
    if (!this.role) throw new Error('role worker: init() has not run');
    return this.role;
  }

  async init(init: RoleInit): Promise<RoleInfo> {
    const gpu = await acquireGpu();
    this.lostReason = gpu.lost;
    this.engine = new Engine(gpu);
    const { model, tokenizer } = await loadModel(this.engine, folderOf(init.model), { requireTokenizer: true });
    this.role = roleFromModel(this.engine, model, tokenizer!, init.config, init.role);
    this.context = { positions: model.cfg.maxPositionEmbeddings, role: init.role === 'generator' ? 'Generator' : 'Solver' };
    if (init.checkpoint) await this.role.restore(init.checkpoint);
    return {
      adapter: describeGpu(gpu),
      parameters: model.parameters().reduce((s, p) => s + p.size, 0),
      numLayers: model.cfg.numHiddenLayers,
      modelConfig: toHfConfig(model.cfg) as Record<string, unknown>,
    };
  }

  encodeChat(messages: ChatMessage[]) { return this.r().encodeChat(messages); }
  decode(ids: number[]) { return this.r().decode(ids); }
  async sample(req: SampleRequest): Promise<WireSamples> {
    const ctx = this.context;
    // Otherwise generate fails with a negative token budget that names neither the prompt nor the model.
    if (ctx !== null && req.promptIds.length >= ctx.positions) {
      throw new Error(`${ctx.role}: a prompt of ${req.promptIds.length} tokens leaves no room for a response in the model's `
        + `${ctx.positions} positions (max_position_embeddings); use shorter documents or questions, or a model with a longer context`);
    }
    return transferPacked(packSamples(await this.r().sample(req)));
  }
  update(rows: WireTrainRows, mb: number[][], normaliser: number, ppo: PpoSettings): Promise<UpdateReport> {
    return this.r().update(unpackTrainRows(rows), mb, normaliser, ppo);
  }
  async checkpoint(): Promise<RoleCheckpoint> {
    const c = await this.r().checkpoint();
    // Weights and moments move to the page without a copy (each array owns its buffer).
    const arrays = [...Object.values(c.weights), ...c.optimizer.m, ...c.optimizer.v, ...Object.values(c.extra ?? {}).flat()];
    return transfer(c, [...new Set(arrays.map((a) => a.buffer as ArrayBuffer))]);
  }
  restore(c: RoleCheckpoint) { return this.r().restore(c); }
  optimizerStep() { return this.r().optimizerStep(); }
  numLayers() { return this.r().numLayers(); }

  async influence(dev: WireAnswerGroups, questions: WireAnswerGroups, settings: InfluenceSettings): Promise<WireInfluenceReport> {
    const role = this.r() as EngineSolverRole;
    if (typeof role.influence !== 'function') throw new Error('role worker: influence() is the Solver\'s; this worker holds the Generator');
    const report = await role.influence(unpackAnswerGroups(dev), unpackAnswerGroups(questions), settings);
    return transferPacked(packInfluenceReport(report));
  }

  async exportFolder(): Promise<NamedFile[]> {
    const role = this.r();
    const weights = await role.model.readWeights();
    const folder = new MemoryFolder('export');
    const tensors = role.model.names.map((name) => {
      const spec = role.model.params.get(name)!;
      return { name, shape: [...spec.shape], data: weights.get(name)! };
    });
    const names = await saveHfFolder(folder, { config: role.model.cfg, tensors, tokenizer: role.tokenizer });
    const out: NamedFile[] = [];
    for (const name of names) {
      const src = (await folder.openFile(name))!;
      out.push({ name, bytes: (await src.read(0, src.size)).slice() });
    }
    return transferred(out);
  }

  async exportOnnx(): Promise<NamedFile[]> {
    const role = this.r();
    const onnx = exportOnnx(role.model.cfg, await role.model.readWeights());
    const out: NamedFile[] = [{ name: 'model.onnx', bytes: onnx.model }];
    if (onnx.externalData) out.push({ name: onnx.externalData.fileName, bytes: concatChunks(onnx.externalData.chunks) });
    return transferred(out);
  }

  lost(): Promise<string> {
    return this.lostReason;
  }

  async dispose(): Promise<void> {
    this.role?.dispose();
    this.engine?.device.destroy();
    this.role = null;
    this.engine = null;
  }
}
