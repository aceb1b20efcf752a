// Does an anchor-sized model learn in-context copying (an induction head) on the lab's engine, and how
// fast? The world's tasks all need it and the anchors have not learnt it (docs/experiment.md, "Why the
// anchors do not copy"); this probe isolates it from the world data so that a lever (batch, learning
// rate, width, depth) can be tried in minutes. Each row is `words` random ids, then `spans` spans of
// `span` consecutive ids copied from random places in it; the loss is on every copied id but a span's
// first, so it reaches 0 only by induction (find the previous occurrence, predict what followed it)
// and sits at ln(vocab) without it. `--task=repeat` is the anchors' warm-up task (repeatCopyBatch in
// src/world/anchor-batches.ts): a run of `words` distinct ids repeated once after separator id 0, with
// `--gap` noise ids around them, so no fixed-offset head scores; its loss is dense.
// Run: node --import ./scripts/register-hooks.mjs --import tsx scripts/induction-probe.ts [flags]
// Flags: --vocab=60 --words=40 --spans=5 --span=4 --batch=4 --steps=500 --lr=0.003 --hidden=128
//   --layers=4 --seed=1 --adapter=gles|default --task=spans|repeat --gap=16 --tie=0|1 (tied embeddings) --vocab-size=vocab+1 --sep=1|0
//   --grow=0 --grow-from=20 --grow-hold=0 (repeat task: vocabulary grows from grow-from ids to vocab by step grow)
//   --restrict=0 (until this step the softmax covers only the task's ids)
import { Engine } from '../src/engine/engine.ts';
import { overrideVariant } from '../src/engine/autotune.ts';
import { crossEntropy } from '../src/engine/ops/cross-entropy.ts';
import { uploadIds } from '../src/engine/ops/embedding.ts';
import { reshape } from '../src/engine/ops/reshape.ts';
import { add } from '../src/engine/ops/elementwise.ts';
import { outputMask } from '../src/world/anchor-batches.ts';
import { AdamW } from '../src/engine/optim/adamw.ts';
import { streamFor } from '../src/infuser/rng.ts';
import { LlamaModel } from '../src/model/llama.ts';
import { acquireFastGpu, type AdapterChoice } from '../src/world/fast-node-gpu.ts';
import { repeatCopyBatch, warmupVocabularySize } from '../src/world/anchor-batches.ts';
import { anchorConfig, anchorInitWeights } from '../src/world/anchor-model.ts';

function num(name: string, fallback: number): number {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  const v = hit ? Number(hit.slice(name.length + 3)) : fallback;
  if (!Number.isFinite(v)) throw new Error(`induction-probe: --${name} must be a number`);
  return v;
}
const VOCAB = num('vocab', 60);
const WORDS = num('words', 40);
const SPANS = num('spans', 5);
const SPAN = num('span', 4);
const BATCH = num('batch', 4);
const STEPS = num('steps', 500);
const LR = num('lr', 0.003);
const HIDDEN = num('hidden', 128);
const LAYERS = num('layers', 4);
const SEED = num('seed', 1);
const GAP = num('gap', 16);
const TIE = num('tie', 0) === 1;
// --sep=1: id 0 stands just before the repeat task's second run.
const SEP = num('sep', 1) === 1;
// --vocab-size: the model's vocabulary (output classes); the task's ids are 1..vocab inside it.
const VOCAB_SIZE = num('vocab-size', VOCAB + 1);
if (VOCAB_SIZE < VOCAB + 1) throw new Error('induction-probe: --vocab-size must be at least --vocab + 1');
// --grow=N: the repeat task's vocabulary holds --grow-from ids for --grow-hold steps, then grows linearly to --vocab by step N.
const GROW = num('grow', 0);
const GROW_FROM = num('grow-from', 20);
const GROW_HOLD = num('grow-hold', 0);
const vocabAt = (step: number) => warmupVocabularySize(step, VOCAB, GROW_FROM, GROW_HOLD, GROW);
// --restrict=N: until step N the softmax covers only the task's ids (0..vocabAt(step)), as a model with
// that small an output would have; after it, the model's whole vocabulary.
const RESTRICT = num('restrict', 0);
const TASK = process.argv.find((a) => a.startsWith('--task='))?.slice(7) ?? 'spans';
if (TASK !== 'spans' && TASK !== 'repeat') throw new Error(`induction-probe: --task must be spans or repeat, got ${TASK}`);
if (SPAN < 2 || SPAN > WORDS) throw new Error('induction-probe: --span must be between 2 and --words');

// The anchors' shape and initialisation with the probe's vocabulary; id 0 separates spans.
const cfg = anchorConfig({ vocabSize: VOCAB_SIZE, eosId: 0, layers: LAYERS, hidden: HIDDEN, tie: TIE });

function batch(step: number): { ids: number[][]; targets: number[]; mask: number[]; T: number } {
  const s = streamFor(SEED, 'init', 'induction-probe-data', step);
  if (TASK === 'repeat') return repeatCopyBatch(Array.from({ length: vocabAt(step) }, (_, i) => 1 + i), BATCH, WORDS, GAP, s, SEP ? 0 : undefined);
  let k = 0;
  const draw = (n: number) => Math.min(n - 1, Math.floor(s.uniformAt(k++) * n));
  const rows: { ids: number[]; loss: number[] }[] = [];
  for (let b = 0; b < BATCH; b++) {
    const words = Array.from({ length: WORDS }, () => 1 + draw(VOCAB));
    const ids = [...words];
    const loss = words.map(() => 0);
    for (let j = 0; j < SPANS; j++) {
      const at = draw(WORDS - SPAN + 1);
      ids.push(0);
      loss.push(0);
      for (let q = 0; q < SPAN; q++) {
        ids.push(words[at + q]);
        loss.push(q > 0 ? 1 : 0);
      }
    }
    rows.push({ ids, loss });
  }
  const T = rows[0].ids.length;
  return {
    T, ids: rows.map((r) => r.ids),
    // Position t predicts ids[t + 1]; it counts when that id is a copied one.
    targets: rows.flatMap((r) => r.ids.map((_, t) => (t + 1 < T ? r.ids[t + 1] : 0))),
    mask: rows.flatMap((r) => r.ids.map((_, t) => (t + 1 < T ? r.loss[t + 1] : 0))),
  };
}

async function main(): Promise<void> {
  const gpu = await acquireFastGpu((process.argv.find((a) => a.startsWith('--adapter='))?.slice(10) ?? 'gles') as AdapterChoice);
  overrideVariant('matmul', 'regs8x8');
  const e = new Engine(gpu);
  const model = new LlamaModel(e, cfg, anchorInitWeights(cfg, SEED, 'induction-probe'));
  const opt = new AdamW(model.parameters(), { lr: LR, beta1: 0.9, beta2: 0.99, weightDecay: 0.01, maxGradNorm: 1.0 });
  const rowLength = TASK === 'repeat' ? 2 * WORDS + GAP + (SEP ? 1 : 0) : WORDS + SPANS * (SPAN + 1);
  console.log(`${TASK} task, vocab ${VOCAB}, ${BATCH} rows x ${rowLength} ids, lr ${LR}, hidden ${HIDDEN}, ${LAYERS} layers; no copying scores ln(vocab) = ${Math.log(VOCAB).toFixed(3)}`);
  const t0 = Date.now();
  let ema = NaN;
  for (let step = 1; step <= STEPS; step++) {
    const b = batch(step);
    opt.lr = step <= 60 ? (LR * step) / 60 : LR;
    const loss = e.tidy(() => {
      let logits = reshape(model.forward(b.ids), [BATCH * b.T, cfg.vocabSize]);
      if (step <= RESTRICT) logits = add(logits, e.fromArray(outputMask(cfg.vocabSize, Array.from({ length: vocabAt(step) + 1 }, (_, i) => i)), [cfg.vocabSize], 'output mask'));
      const l = crossEntropy(logits, uploadIds(e, b.targets, 'targets'), e.fromArray(b.mask, [BATCH * b.T], 'mask')).loss;
      e.tape.backward(l);
      return l;
    });
    const [v] = await loss.toArray();
    loss.dispose();
    await opt.step();
    opt.zeroGrad();
    ema = Number.isNaN(ema) ? v : 0.9 * ema + 0.1 * v;
    if (step % 50 === 0) console.log(`step ${step} copy loss ${ema.toFixed(3)}${GROW > 0 ? ` over ${vocabAt(step)} ids (ln ${Math.log(vocabAt(step)).toFixed(2)})` : ''} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
}

main().then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(1);
});
