// Building roles on the WGSL engine from loaded weights: both on one engine for the CLI and tests, or
// one per worker (and device) in the browser.
import type { Engine } from '../engine/engine.ts';
import type { Tensor } from '../engine/tensor.ts';
import { AdamW } from '../engine/optim/adamw.ts';
import { LlamaModel } from '../model/llama.ts';
import type { RunConfig } from './config.ts';
import { EnginePolicyRole, type LoadedModel } from './policy-role.ts';
import { EngineSolverRole } from './influence-role.ts';

export type { LoadedModel };

function optimizerFor(params: Tensor[], config: RunConfig, role: 'generator' | 'solver'): AdamW {
  const [beta1, beta2] = config[`${role}.actor.optim.betas`];
  return new AdamW(params, {
    lr: config[`${role}.actor.optim.lr`],
    beta1,
    beta2,
    eps: config[`${role}.actor.optim.eps`],
    weightDecay: config[`${role}.actor.optim.weight_decay`],
    maxGradNorm: config[`${role}.actor.grad_clip`],
  });
}

/** Both roles on one engine (CLI, tests). The browser builds one role per worker and device instead. */
export function createEngineRoles(
  engine: Engine,
  opts: { generator: LoadedModel; solver: LoadedModel; config: RunConfig },
): { generator: EnginePolicyRole; solver: EngineSolverRole } {
  const seed = opts.config['training.seed'];
  return {
    generator: createEngineRole(engine, opts.generator, opts.config, 'generator', seed) as EnginePolicyRole,
    solver: createEngineRole(engine, opts.solver, opts.config, 'solver', seed) as EngineSolverRole,
  };
}

/** A role around a model already on the engine (e.g. streamed in by load-model.ts). */
export function roleFromModel(
  engine: Engine,
  model: LlamaModel,
  tokenizer: LoadedModel['tokenizer'],
  config: RunConfig,
  role: 'generator' | 'solver',
): EnginePolicyRole | EngineSolverRole {
  const opt = optimizerFor(model.parameters(), config, role);
  const seed = config['training.seed'];
  return withReference(role === 'solver'
    ? new EngineSolverRole(engine, model, tokenizer, opt, seed)
    : new EnginePolicyRole(engine, model, tokenizer, opt, seed), config, role);
}

/** Freezes the starting weights when the role's KL penalty is on (before any restore or update). */
function withReference<R extends EnginePolicyRole>(r: R, config: RunConfig, role: 'generator' | 'solver'): R {
  if (config[`${role}.actor.kl_loss_coef`] > 0) r.keepReference();
  return r;
}

export function createEngineRole(
  engine: Engine,
  loaded: LoadedModel,
  config: RunConfig,
  role: 'generator' | 'solver',
  seed: number,
): EnginePolicyRole | EngineSolverRole {
  const model = new LlamaModel(engine, loaded.config, loaded.weights);
  const opt = optimizerFor(model.parameters(), config, role);
  return withReference(role === 'solver'
    ? new EngineSolverRole(engine, model, loaded.tokenizer, opt, seed)
    : new EnginePolicyRole(engine, model, loaded.tokenizer, opt, seed), config, role);
}
