// Pretrains the tiny world anchor (issue 5) on the lab's own WGSL engine in node: one Llama-config
// model trained on mixed Generator + Solver SFT examples of the built-in world (loss on response tokens
// only, AdamW, seeded), written as a Hugging Face folder that serves as both roles' base model.
// Run (GLES adapter on llvmpipe; falls back to the default adapter):
//   node --import ./scripts/register-hooks.mjs --import tsx scripts/train-anchors.ts [--budget-min=50]
// Flags: --seed=5 --scale=10 (the world's; scripts/build-world.ts) --steps=N (else planned from the budget, timing the 15 steps before 20 past the warm-up-only steps) --budget-min=50
//   --lr=0.003 --merges=600 --batch-tokens=1024 --checkpoint-min=5 --adapter=gles|default --probe=N (time N steps, exit)
//   --out=public/anchors/tiny-world --layers=4 --hidden=128 --tie=0|1 --induction-steps=0 --induction-every=0 --induction-words=16 --induction-gap=24
//   --induction-restrict=0|1 (1: warm-up copies are scored over the warm-up's ids only)
//   --induction-grow=0 --induction-hold=0 (the warm-up uses the 20 most frequent reply ids until step
//   hold, then grows linearly to all of them by step grow)
//   --choice-steps=0 --choice-every=0 --choice-queries=6 --choice-hold=0 --choice-grow=0 --choice-echo=0|1
//   --mark-letter=none|paren|adjacent (Solver replies also name the letter after the answer: solverReply)
//   --generator-order=shuffled|answer-first|solution-first (where Generator replies put the correct choice
//     and whether a derivation comes before it: GeneratorOrder)
//   --add-every=0 --add-per-row=8 (every --add-every-th step trains on addition drill rows instead:
//     additionDrillBatch, the world's sums written as derivations write them)
//   --mixed=0|1 (1: the mixed world's documents, src/world/documents.ts, for the Generator examples)
//   --stated-results=0|1 (1: documents also state each arithmetic problem's result, WorldOptions.statedResults)
//   --ranked=0|1 (1: numeric questions put the right number at a uniformly drawn place, WorldOptions.rankedNumbers)
//   --arithmetic-focus=0 (P: a Generator example on a document with an arithmetic problem asks one with probability P)
//   --init=DIR (start from that anchor folder's weights, shape and tokenizer instead of a fresh model and
//   a tokenizer fitted here: fine-tunes an anchor whose lookups have formed on changed SFT data);
//   --init=git:COMMIT[:DIR] reads the folder (default public/anchors/tiny-world) as that commit holds it
// The first --induction-steps steps, and every --induction-every-th step after them, train on repeat-copy
// rows (repeatCopyBatch, a newline before each repeat) over the ids of the SFT replies instead of SFT
// batches; --choice-steps steps after those, and every --choice-every-th step, train on choice-lookup
// rows (choiceLookupBatch: the Solver's letter lookup alone). With --induction-restrict=1 the repeat
// lookup forms within ~900 steps at 2 layers and spreads to all reply ids; the letter lookup has not
// formed on rows that transfer to real prompts (docs/experiment.md, "Why the anchors do not copy").
// Every checkpoint also logs the held-out accuracy of the letter a Solver reply first names
// (held_out_log.json), teacher-forced: the lookup the anchors still lack.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../src/engine/engine.ts';
import { overrideVariant } from '../src/engine/autotune.ts';
import { crossEntropy } from '../src/engine/ops/cross-entropy.ts';
import { uploadIds } from '../src/engine/ops/embedding.ts';
import { reshape } from '../src/engine/ops/reshape.ts';
import { add } from '../src/engine/ops/elementwise.ts';
import { AdamW } from '../src/engine/optim/adamw.ts';
import { LlamaModel } from '../src/model/llama.ts';
import { parameterCount, parameterSpecs } from '../src/model/model-config.ts';
import { loadHfFolder, readParameters, saveHfFolder } from '../src/model/hf-folder.ts';
import { NodeFolder } from '../src/model/node-folder.ts';
import { GitFolder } from '../src/model/git-folder.ts';
import type { FolderReader } from '../src/model/folder-access.ts';
import { TextTokenizer } from '../src/model/tokenizer.ts';
import { acquireFastGpu, type AdapterChoice } from '../src/world/fast-node-gpu.ts';
import { buildWorld, DEFAULT_WORLD } from '../src/world/documents.ts';
import { buildSftExamples, DEFAULT_SFT, GENERATOR_ORDERS, type GeneratorOrder, type LetterMark } from '../src/world/sft.ts';
import { buildTokenizer, EOS_TOKEN, PAD_TOKEN } from '../src/world/tokenizer-builder.ts';
import { additionDrillBatch, boxedLetterPositions, choiceLookupBatch, epochBatches, outputMask, repeatCopyBatch, tokenizeExample, warmupVocabularySize, type TokenBatch } from '../src/world/anchor-batches.ts';
import { anchorConfig, anchorInitWeights } from '../src/world/anchor-model.ts';
import { parseAnchorInit } from '../src/world/anchor-init.ts';
import { worldStream } from '../src/world/facts.ts';
import { anchorModelCard, type CardFacts } from '../src/world/model-card.ts';
import { parseFlags } from '../src/cli/args.ts';

// Unknown flags are errors; a repeated one takes its last value, so `npm run train-anchors -- --choice-steps=600`
// overrides the npm script's own flag.
const flags = parseFlags(process.argv.slice(2), {
  adapter: 'string', 'add-every': 'string', 'add-per-row': 'string', 'arithmetic-focus': 'string',
  'batch-tokens': 'string', 'budget-min': 'string', 'checkpoint-min': 'string', 'choice-echo': 'string',
  'choice-every': 'string', 'choice-grow': 'string', 'choice-hold': 'string', 'choice-queries': 'string',
  'choice-steps': 'string', 'generator-order': 'string', hidden: 'string', 'induction-every': 'string',
  'induction-gap': 'string', 'induction-grow': 'string', 'induction-hold': 'string',
  'induction-restrict': 'string', 'induction-steps': 'string', 'induction-words': 'string', init: 'string',
  layers: 'string', lr: 'string', 'mark-letter': 'string', merges: 'string', mixed: 'string', out: 'string',
  probe: 'string', ranked: 'string', scale: 'string', seed: 'string', 'stated-results': 'string',
  steps: 'string', tie: 'string',
}, 'train-anchors');
const flag = (name: string, fallback: string): string => (flags[name] as string | undefined) ?? fallback;
const num = (name: string, fallback: number) => {
  const v = Number(flag(name, String(fallback)));
  if (!Number.isFinite(v)) throw new Error(`train-anchors: --${name} must be a number`);
  return v;
};

const SEED = num('seed', 5);
const SCALE = num('scale', DEFAULT_WORLD.scale);
const OUT = flag('out', 'public/anchors/tiny-world');
const BUDGET_MS = num('budget-min', 50) * 60_000;
const LR = num('lr', 0.003);
const BATCH_TOKENS = num('batch-tokens', 1024);
const CHECKPOINT_MS = num('checkpoint-min', 5) * 60_000;
const PROBE = num('probe', 0);
const FIXED_STEPS = num('steps', 0);
const WARMUP = 60;
const MAX_MERGES = num('merges', 600);
const HELD_OUT = 48;
const LAYERS = num('layers', 4);
const HIDDEN = num('hidden', 128);
const TIE = num('tie', 0) === 1;
const INDUCTION_STEPS = num('induction-steps', 0);
const INDUCTION_EVERY = num('induction-every', 0);
const INDUCTION_WORDS = num('induction-words', 16);
const INDUCTION_GAP = num('induction-gap', 24);
const INDUCTION_GROW = num('induction-grow', 0);
const INDUCTION_HOLD = num('induction-hold', 0);
const GROW_FROM = 20;
// 1: warm-up steps score their copies over the warm-up's ids only (outputMask), as the probe's small-output model does.
const INDUCTION_RESTRICT = num('induction-restrict', 0) === 1;
// The choice-lookup warm-up (choiceLookupBatch): --choice-steps steps right after the repeat warm-up's
// first --induction-steps, then every --choice-every-th step; --choice-queries letters per row.
const CHOICE_STEPS = num('choice-steps', 0);
const CHOICE_EVERY = num('choice-every', 0);
const CHOICE_QUERIES = num('choice-queries', 6);
// --choice-hold/--choice-grow: the choice strings widen as the repeat warm-up's ids do, shortest first.
const CHOICE_HOLD = num('choice-hold', 0);
const CHOICE_GROW = num('choice-grow', 0);
// 1: each choice line repeats its letter after the string, with loss (choiceLookupBatch's echo).
const CHOICE_ECHO = num('choice-echo', 0) === 1;
// none | paren | adjacent: Solver replies also name the letter right after the answer (solverReply's mark).
const MARK_LETTER = flag('mark-letter', 'none') as LetterMark;
if (!['none', 'paren', 'adjacent'].includes(MARK_LETTER)) throw new Error(`train-anchors: --mark-letter must be none, paren or adjacent, got ${MARK_LETTER}`);
const GENERATOR_ORDER = flag('generator-order', DEFAULT_SFT.generatorOrder) as GeneratorOrder;
if (!GENERATOR_ORDERS.includes(GENERATOR_ORDER)) throw new Error(`train-anchors: --generator-order must be one of ${GENERATOR_ORDERS.join(', ')}, got ${GENERATOR_ORDER}`);
// Every --add-every-th step (where no other warm-up falls) trains on addition drill rows of --add-per-row sums.
const ADD_EVERY = num('add-every', 0);
const ADD_PER_ROW = num('add-per-row', 8);
// --arithmetic-focus=P: a Generator example on a document with an arithmetic problem asks one with probability P (SftOptions.arithmeticFocus).
const ARITHMETIC_FOCUS = num('arithmetic-focus', 0);
if (!(ARITHMETIC_FOCUS >= 0 && ARITHMETIC_FOCUS <= 1)) throw new Error(`train-anchors: --arithmetic-focus must be in [0, 1], got ${ARITHMETIC_FOCUS}`);
const INIT = flag('init', '');
const MIXED = flag('mixed', '0');
if (MIXED !== '0' && MIXED !== '1') throw new Error(`train-anchors: --mixed must be 0 or 1, got ${MIXED}`);
const STATED_RESULTS = flag('stated-results', '0');
if (STATED_RESULTS !== '0' && STATED_RESULTS !== '1') throw new Error(`train-anchors: --stated-results must be 0 or 1, got ${STATED_RESULTS}`);
const RANKED = flag('ranked', '0');
if (RANKED !== '0' && RANKED !== '1') throw new Error(`train-anchors: --ranked must be 0 or 1, got ${RANKED}`);
const PLAN_AT = INDUCTION_STEPS + CHOICE_STEPS + 20;

/** Which warm-up replaces the SFT batch at `step`, if any (choice, then repeat, then addition where schedules meet). */
function warmupTask(step: number): 'repeat' | 'choice' | 'add' | null {
  if (step < INDUCTION_STEPS) return 'repeat';
  if (step < INDUCTION_STEPS + CHOICE_STEPS) return 'choice';
  if (CHOICE_EVERY > 0 && step % CHOICE_EVERY === 0) return 'choice';
  if (INDUCTION_EVERY > 0 && step % INDUCTION_EVERY === INDUCTION_EVERY - 1) return 'repeat';
  if (ADD_EVERY > 0 && step % ADD_EVERY === Math.min(1, ADD_EVERY - 1)) return 'add';
  return null;
}

/** The (B·T) × V logits of a batch, read back without recording a backward. */
async function logitsOf(model: LlamaModel, e: Engine, b: TokenBatch): Promise<Float32Array> {
  const logits = e.tape.noGrad(() => e.tidy(() => reshape(model.forward(b.ids), [b.B * b.T, model.cfg.vocabSize])));
  const L = await logits.toArray();
  logits.dispose();
  return L;
}

/** Teacher-forced share of a drill batch's sums whose every digit (and closing stop) is the argmax. */
async function sumAccuracy(model: LlamaModel, e: Engine, b: TokenBatch): Promise<[number, number]> {
  const V = model.cfg.vocabSize;
  const L = await logitsOf(model, e, b);
  let right = 0;
  let sums = 0;
  for (let r = 0; r < b.B; r++) {
    let inSum = false;
    let ok = true;
    for (let t = 0; t < b.T; t++) {
      const i = r * b.T + t;
      if (b.mask[i] === 1) {
        let best = 0;
        for (let v = 1; v < V; v++) if (L[i * V + v] > L[i * V + best]) best = v;
        ok &&= best === b.targets[i];
        inSum = true;
      } else if (inSum) {
        sums++;
        if (ok) right++;
        inSum = false;
        ok = true;
      }
    }
  }
  return [right, sums];
}

function lrAt(step: number, total: number): number {
  if (step < WARMUP) return (LR * (step + 1)) / WARMUP;
  const p = Math.min(1, (step - WARMUP) / Math.max(1, total - WARMUP));
  return LR * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * p)));
}

/** Mean response-token loss of one batch; records the backward when `train`. */
async function batchLoss(model: LlamaModel, e: Engine, b: TokenBatch, train: boolean, outputs?: Float32Array): Promise<number> {
  const run = () => e.tidy(() => {
    let logits = reshape(model.forward(b.ids), [b.B * b.T, model.cfg.vocabSize]);
    if (outputs) logits = add(logits, e.fromArray(outputs, [model.cfg.vocabSize], 'output mask'));
    const mask = e.fromArray(b.mask, [b.B * b.T], 'loss mask');
    const loss = crossEntropy(logits, uploadIds(e, b.targets, 'targets'), mask).loss;
    if (train) e.tape.backward(loss);
    return loss;
  });
  const loss = train ? run() : e.tape.noGrad(run);
  const [v] = await loss.toArray();
  loss.dispose();
  return v;
}

/**
 * Teacher-forced held-out accuracy of the letter after `\\boxed{`. The letter follows from the reply's
 * own derivation and the choice list, so it measures the in-context lookup a Solver needs (a model that
 * has only learnt the reply template scores about 1/4). Returns [correct, total].
 */
async function boxedLetterAccuracy(model: LlamaModel, e: Engine, b: TokenBatch, tokenizer: TextTokenizer, among?: readonly number[]): Promise<[number, number]> {
  const V = model.cfg.vocabSize;
  const at = boxedLetterPositions(b, (id) => tokenizer.decode([id]), MARK_LETTER);
  if (at.length === 0) return [0, 0];
  const L = await logitsOf(model, e, b);
  let correct = 0;
  for (const i of at) {
    // `among`: the argmax over those ids only (a warm-up scored by a masked softmax never ranks the rest).
    const ids = among ?? Array.from({ length: V }, (_, v) => v);
    let best = ids[0];
    for (const v of ids) if (L[i * V + v] > L[i * V + best]) best = v;
    if (best === b.targets[i]) correct++;
  }
  return [correct, at.length];
}

/** The folder --init names: a directory, or git:COMMIT[:DIR] for one as a commit holds it. */
function initFolder(spec: string): FolderReader {
  const from = parseAnchorInit(spec);
  return from.kind === 'git' ? new GitFolder(from.commit, from.dir) : new NodeFolder(from.dir);
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const world = buildWorld({ seed: SEED, scale: SCALE, mixed: MIXED === '1', statedResults: STATED_RESULTS === '1', rankedNumbers: RANKED === '1' });
  const sft = buildSftExamples(world, { markLetter: MARK_LETTER, generatorOrder: GENERATOR_ORDER, arithmeticFocus: ARITHMETIC_FOCUS });
  const init = INIT === '' ? null : await loadHfFolder(initFolder(INIT));
  const built = init ? null : buildTokenizer([...world.documents.map((d) => d.content), ...sft.flatMap((x) => [x.prompt, x.response])], MAX_MERGES);
  const tokenizer = init ? init.tokenizer : TextTokenizer.fromJson({ tokenizerJson: built!.tokenizerJson, tokenizerConfig: built!.tokenizerConfig });
  const padId = tokenizer.tokenToId(PAD_TOKEN)!;
  const eosId = tokenizer.tokenToId(EOS_TOKEN)!;
  const tokenized = sft.map((x) => tokenizeExample((t) => tokenizer.encode(t), x)).filter((x) => x.ids.length <= 512);
  const heldOut = tokenized.slice(0, HELD_OUT);
  const train = tokenized.slice(HELD_OUT);
  const cfg = init ? init.config : anchorConfig({ vocabSize: Math.ceil(tokenizer.vocabSize / 64) * 64, eosId, layers: LAYERS, hidden: HIDDEN, tie: TIE });
  // The warm-up's ids: those of the SFT replies, most frequent first (what --induction-grow starts with).
  const replyCounts = new Map<number, number>();
  for (const x of train) x.ids.forEach((id, t) => { if (x.isResponse[t] === 1 && id !== eosId && id !== padId) replyCounts.set(id, (replyCounts.get(id) ?? 0) + 1); });
  const inductionVocabulary = [...replyCounts.keys()].sort((a, b) => replyCounts.get(b)! - replyCounts.get(a)! || a - b);
  const vocabularyAt = (step: number) => inductionVocabulary.slice(0, warmupVocabularySize(step, inductionVocabulary.length, GROW_FROM, INDUCTION_HOLD, INDUCTION_GROW));
  // The newline marks where each repeat starts, as id 0 does in the probe.
  const inductionSeparator = tokenizer.encode('\n')[0];
  // The choice warm-up's strings: every choice of a Solver SFT prompt (names, numbers, colours).
  const choiceTokens = (c: string) => tokenizer.encode(` ${c}`).length;
  const choicePool = [...new Set(sft.filter((x) => x.role === 'solver').flatMap((x) => [...x.prompt.matchAll(/^[A-H]\) (.+)$/gm)].map((m) => m[1])))]
    .sort((a, b) => choiceTokens(a) - choiceTokens(b) || (a < b ? -1 : a > b ? 1 : 0));
  const choicePoolAt = (step: number) => choicePool.slice(0, warmupVocabularySize(step - INDUCTION_STEPS, choicePool.length, GROW_FROM, CHOICE_HOLD, CHOICE_GROW));
  // The letters a choice warm-up scores: bare after "{" or "(", and with a space in echoes and adjacent marks.
  const spaced = CHOICE_ECHO || MARK_LETTER === 'adjacent';
  const letterIds = Array.from(spaced ? ['A', 'B', 'C', 'D', ' A', ' B', ' C', ' D'] : ['A', 'B', 'C', 'D'], (l) => tokenizer.encode(l)[0]);
  const encode = (t: string) => tokenizer.encode(t);
  const inductionRows = Math.max(1, Math.floor(BATCH_TOKENS / (Math.ceil((2 * INDUCTION_WORDS + INDUCTION_GAP + 1) / 8) * 8)));
  // Row lengths vary with the strings drawn; size the batch by the longest of 64 sample rows.
  const choiceRows = Math.max(1, Math.floor(BATCH_TOKENS / choiceLookupBatch(encode, choicePool, 64, 4, CHOICE_QUERIES, worldStream(SEED, 'choice-size'), padId, CHOICE_ECHO, MARK_LETTER).T));
  const addRows = Math.max(1, Math.floor(BATCH_TOKENS / additionDrillBatch(encode, 64, ADD_PER_ROW, worldStream(SEED, 'add-size'), padId).T));
  const meanLen = train.reduce((a, x) => a + x.ids.length, 0) / train.length;
  console.log(`data: ${train.length} train + ${heldOut.length} held-out examples, mean ${meanLen.toFixed(0)} tokens; vocab ${tokenizer.vocabSize} (config ${cfg.vocabSize}); ${parameterCount(cfg)} parameters; prep ${Date.now() - t0} ms`);

  const choice = flag('adapter', 'gles') as AdapterChoice;
  const gpu = await acquireFastGpu(choice);
  console.log(`adapter: ${gpu.adapter.device} ${gpu.adapter.description}`);
  overrideVariant('matmul', 'regs8x8'); // fastest barrier-free variant measured on llvmpipe and SwiftShader
  const e = new Engine(gpu);
  const model = new LlamaModel(e, cfg, init ? await readParameters(init) : anchorInitWeights(cfg, SEED));
  const opt = new AdamW(model.parameters(), { lr: LR, beta1: 0.9, beta2: 0.99, weightDecay: 0.01, maxGradNorm: 1.0 });
  const heldBatches = epochBatches(heldOut, worldStream(SEED, 'held-out'), BATCH_TOKENS, padId);
  const facts: CardFacts = {
    seed: SEED, steps: 0, plannedSteps: FIXED_STEPS, lr: LR, batchTokens: BATCH_TOKENS, config: cfg,
    parameters: parameterCount(cfg), trainExamples: train.length, generatorExamples: DEFAULT_SFT.generatorExamples,
    solverExamples: DEFAULT_SFT.solverExamples, mistakeRate: DEFAULT_SFT.mistakeRate, documents: world.documents.length,
    devQuestions: world.dev.length, heldoutQuestions: world.heldout.length, scale: SCALE, vocab: tokenizer.vocabSize, trainLoss: NaN, heldOutLoss: NaN, heldOutLetterAccuracy: NaN, heldOutLetters: 0, heldOut: heldOut.length, tokensSeen: 0,
    elapsedMin: 0, adapter: `${gpu.adapter.device} ${gpu.adapter.description}`.trim(),
    induction: { steps: INDUCTION_STEPS, every: INDUCTION_EVERY, grow: INDUCTION_GROW, hold: INDUCTION_HOLD, words: INDUCTION_WORDS, gap: INDUCTION_GAP, rows: inductionRows, vocabulary: inductionVocabulary.length, taken: 0, loss: NaN, restrict: INDUCTION_RESTRICT },
    choice: { steps: CHOICE_STEPS, every: CHOICE_EVERY, queries: CHOICE_QUERIES, rows: choiceRows, pool: choicePool.length, taken: 0, loss: NaN, echo: CHOICE_ECHO, hold: CHOICE_HOLD, grow: CHOICE_GROW },
    ...(ADD_EVERY > 0 ? { addition: { every: ADD_EVERY, perRow: ADD_PER_ROW, rows: addRows, taken: 0, loss: NaN, accuracy: NaN } } : {}),
    markLetter: MARK_LETTER, generatorOrder: GENERATOR_ORDER, out: OUT, ...(INIT === '' ? {} : { init: INIT }), ...(MIXED === '1' ? { mixed: true } : {}),
    ...(STATED_RESULTS === '1' ? { statedResults: true } : {}), ...(RANKED === '1' ? { rankedNumbers: true } : {}), ...(ARITHMETIC_FOCUS > 0 ? { arithmeticFocus: ARITHMETIC_FOCUS } : {}),
  };
  const log: { step: number; loss: number; lr: number; elapsedS: number; warmup?: 'repeat' | 'choice' | 'add' }[] = [];
  const heldOutLog: { step: number; elapsedS: number; loss: number; letterAccuracy: number; letters: number }[] = [];

  async function checkpoint(final: boolean): Promise<void> {
    let sum = 0;
    let correct = 0;
    let letters = 0;
    for (const b of heldBatches) {
      sum += await batchLoss(model, e, b, false);
      const [c, n] = await boxedLetterAccuracy(model, e, b, tokenizer);
      correct += c;
      letters += n;
    }
    facts.heldOutLoss = sum / heldBatches.length;
    facts.heldOutLetterAccuracy = letters > 0 ? correct / letters : NaN;
    facts.heldOutLetters = letters;
    heldOutLog.push({ step: facts.steps, elapsedS: (Date.now() - tStart) / 1000, loss: facts.heldOutLoss, letterAccuracy: facts.heldOutLetterAccuracy, letters });
    const weights = await model.readWeights();
    const tensors = parameterSpecs(cfg).map(({ name, shape }) => ({ name, shape, data: weights.get(name)! }));
    await saveHfFolder(new NodeFolder(OUT), {
      config: cfg, tensors, tokenizer,
      generationConfig: { eos_token_id: [eosId], pad_token_id: padId, bos_token_id: null, do_sample: true, temperature: 0.7, max_new_tokens: 160 },
      metadata: { seed: String(SEED), step: String(facts.steps) },
    });
    mkdirSync(OUT, { recursive: true });
    writeFileSync(join(OUT, 'MODEL_CARD.md'), anchorModelCard(facts, final));
    writeFileSync(join(OUT, 'train_log.json'), JSON.stringify(log) + '\n');
    writeFileSync(join(OUT, 'held_out_log.json'), JSON.stringify(heldOutLog) + '\n');
    console.log(`checkpoint step ${facts.steps}: held-out loss ${facts.heldOutLoss.toFixed(4)}, boxed letter ${correct}/${letters} -> ${OUT}${final ? ' (final)' : ''}`);
  }

  // --probe wins over --steps, so the npm script's fixed step count can be timed with `-- --probe=N`.
  let total = PROBE > 0 ? PROBE : FIXED_STEPS > 0 ? FIXED_STEPS : 1_000_000;
  const tStart = Date.now();
  let lastCheckpoint = tStart;
  let ema = NaN;
  let tokens = 0;
  const stepMs: number[] = [];
  let step = 0;
  let sftSteps = 0;
  /** One optimiser step on `b`; returns its loss. */
  async function trainStep(b: TokenBatch, mask?: Float32Array): Promise<{ loss: number; gradNorm: number }> {
    const ts = Date.now();
    opt.lr = lrAt(step, total);
    const loss = await batchLoss(model, e, b, true, mask);
    const report = await opt.step();
    opt.zeroGrad();
    step++;
    tokens += b.B * b.T;
    stepMs.push(Date.now() - ts);
    Object.assign(facts, { steps: step, tokensSeen: tokens, elapsedMin: (Date.now() - tStart) / 60_000 });
    return { loss, gradNorm: report.gradNorm };
  }
  /** After each step: plan the schedule 20 steps after the warm-up-only steps, cut it at 115% of the budget, checkpoint. */
  async function afterStep(): Promise<void> {
    // Warm-up-only steps are faster than the mix that follows, so the plan waits for 20 steps past them.
    if (FIXED_STEPS === 0 && PROBE === 0 && step === PLAN_AT) {
      // Plan the schedule from the measured speed (steps 6..20), then keep it fixed.
      const mean = stepMs.slice(-15).reduce((a, x) => a + x, 0) / 15;
      total = Math.max(100, Math.floor((BUDGET_MS - (Date.now() - tStart)) / mean) + step);
      facts.plannedSteps = total;
      console.log(`planned ${total} steps at ${mean.toFixed(0)} ms/step for a ${(BUDGET_MS / 60000).toFixed(0)} min budget (rerun with --steps=${total} to reproduce)`);
    }
    if (Date.now() - tStart > BUDGET_MS * 1.15 && PROBE === 0 && FIXED_STEPS === 0) {
      console.log(`stopping at step ${step}: past 115% of the time budget (schedule cut short)`);
      total = step;
    }
    if (PROBE === 0 && Date.now() - lastCheckpoint > CHECKPOINT_MS) {
      await checkpoint(false);
      lastCheckpoint = Date.now();
    }
  }
  for (let epoch = 0; step < total; epoch++) {
    for (const b of epochBatches(train, worldStream(SEED, 'epoch', epoch), BATCH_TOKENS, padId)) {
      for (let task = warmupTask(step); step < total && task !== null; task = warmupTask(step)) {
        if (task === 'add') {
          const rows = additionDrillBatch(encode, addRows, ADD_PER_ROW, worldStream(SEED, 'add', step), padId);
          const { loss } = await trainStep(rows);
          const record = facts.addition!;
          record.taken++;
          record.loss = Number.isNaN(record.loss) ? loss : 0.9 * record.loss + 0.1 * loss;
          log.push({ step, loss, lr: opt.lr, elapsedS: (Date.now() - tStart) / 1000, warmup: task });
          if (record.taken % 25 === 0) {
            // A fresh drill batch the model has not trained on: the sums it gets right as a whole.
            const [right, sums] = await sumAccuracy(model, e, additionDrillBatch(encode, addRows, ADD_PER_ROW, worldStream(SEED, 'add-probe', step), padId));
            record.accuracy = right / sums;
            console.log(`step ${step}/${total} addition drill loss ${loss.toFixed(4)} ema ${record.loss.toFixed(4)}; fresh sums right ${right}/${sums}`);
          }
          await afterStep();
          continue;
        }
        const rows = task === 'choice'
          ? choiceLookupBatch(encode, choicePoolAt(step), choiceRows, 4, CHOICE_QUERIES, worldStream(SEED, 'choice', step), padId, CHOICE_ECHO, MARK_LETTER)
          : repeatCopyBatch(vocabularyAt(step), inductionRows, INDUCTION_WORDS, INDUCTION_GAP, worldStream(SEED, 'induction', step), inductionSeparator);
        const allowed = task === 'choice' ? letterIds : [inductionSeparator, ...vocabularyAt(step)];
        const { loss } = await trainStep(rows, INDUCTION_RESTRICT ? outputMask(cfg.vocabSize, allowed) : undefined);
        const record = task === 'choice' ? facts.choice! : facts.induction;
        record.taken++;
        record.loss = Number.isNaN(record.loss) ? loss : 0.9 * record.loss + 0.1 * loss;
        log.push({ step, loss, lr: opt.lr, elapsedS: (Date.now() - tStart) / 1000, warmup: task });
        const over = task === 'choice' ? 4 : vocabularyAt(step).length;
        const among = task === 'choice' ? ` among ${choicePoolAt(step).length} strings` : '';
        // The lookup alone, on this batch: the first letter of each reply ending (the boxed copy and echoes aside).
        const lookup = task === 'choice' && step % 25 === 0 ? await boxedLetterAccuracy(model, e, rows, tokenizer, INDUCTION_RESTRICT ? letterIds : undefined) : null;
        const hits = lookup ? `; lookup ${lookup[0]}/${lookup[1]}` : '';
        if (step % 10 === 0 || PROBE > 0) console.log(`step ${step}/${total} ${task} warm-up loss ${loss.toFixed(4)} ema ${record.loss.toFixed(4)} over ${over} ids (ln ${Math.log(over).toFixed(2)})${among}${hits}`);
        await afterStep();
      }
      if (step >= total) break;
      const { loss, gradNorm } = await trainStep(b);
      sftSteps++;
      ema = Number.isNaN(ema) ? loss : 0.95 * ema + 0.05 * loss;
      const elapsedS = (Date.now() - tStart) / 1000;
      log.push({ step, loss, lr: opt.lr, elapsedS });
      facts.trainLoss = ema;
      // Counted apart from the warm-ups, whose steps can land on every multiple of 10.
      if (sftSteps % 10 === 0 || PROBE > 0) {
        console.log(`step ${step}/${total} ep ${epoch} loss ${loss.toFixed(4)} ema ${ema.toFixed(4)} lr ${opt.lr.toExponential(2)} |g| ${gradNorm.toFixed(2)} [${b.B}x${b.T}] ${(tokens / elapsedS).toFixed(0)} tok/s ${elapsedS.toFixed(0)} s`);
      }
      await afterStep();
    }
  }
  if (PROBE > 0) {
    const mean = stepMs.slice(1).reduce((a, x) => a + x, 0) / Math.max(1, stepMs.length - 1);
    console.log(`probe: ${mean.toFixed(0)} ms/step after the first, ${(tokens / ((Date.now() - tStart) / 1000)).toFixed(0)} tok/s`);
    return;
  }
  await checkpoint(true);
}

main().then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(1);
});
