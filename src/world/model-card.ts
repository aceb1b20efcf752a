// MODEL_CARD.md for the tiny world anchor, rewritten by scripts/train-anchors.ts at every checkpoint:
// how it was made (script, seed, steps, data, final loss) and what remains to be measured.
import type { ModelConfig } from '../model/model-config.ts';
import { DEFAULT_WORLD } from './documents.ts';
import type { GeneratorOrder } from './sft.ts';
import { parseAnchorInit } from './anchor-init.ts';

export interface CardFacts {
  seed: number;
  steps: number;
  plannedSteps: number;
  lr: number;
  batchTokens: number;
  config: ModelConfig;
  parameters: number;
  trainExamples: number;
  generatorExamples: number;
  solverExamples: number;
  mistakeRate: number;
  documents: number;
  devQuestions: number;
  /** Dev-kind questions in public/world/heldout.json, kept out of the SFT data like the dev questions. */
  heldoutQuestions: number;
  /** The world's scale (scaledSizes); the script's default is the shipped world's. */
  scale: number;
  vocab: number;
  /** Moving average (0.95) of the training loss per response token. */
  trainLoss: number;
  heldOutLoss: number;
  /** Teacher-forced accuracy of the letter after \\boxed{ on the held-out Solver examples. */
  heldOutLetterAccuracy: number;
  heldOutLetters: number;
  heldOut: number;
  tokensSeen: number;
  elapsedMin: number;
  adapter: string;
  /** The repeat-copy warm-up (scripts/train-anchors.ts): schedule, row shape, ids drawn from, steps
   *  taken and the moving-average copy loss per target. */
  induction: { steps: number; every: number; grow: number; hold: number; words: number; gap: number; rows: number; vocabulary: number; taken: number; loss: number; restrict?: boolean };
  /** The choice-lookup warm-up: schedule, letters per row, rows per step, choice strings drawn from, steps taken, moving-average letter loss. */
  choice?: { steps: number; every: number; queries: number; rows: number; pool: number; taken: number; loss: number; echo: boolean; hold: number; grow: number };
  /** The addition drill: schedule, sums per row, rows per step, steps taken, moving-average loss, fresh sums right at the last probe. */
  addition?: { every: number; perRow: number; rows: number; taken: number; loss: number; accuracy: number };
  /** How Solver SFT replies name the letter right after the answer (solverReply's mark). */
  markLetter?: 'none' | 'paren' | 'adjacent';
  /** Where Generator SFT replies put the correct choice (sft.ts GeneratorOrder); absent means shuffled. */
  generatorOrder?: GeneratorOrder;
  /** The anchor folder training started from (--init), when it did not start from scratch. */
  init?: string;
  /** Trained on the mixed world's documents (--mixed=1; documents.ts WorldOptions.mixed); absent means single-kind. */
  mixed?: boolean;
  /** Documents also state arithmetic results (--stated-results=1; WorldOptions.statedResults). */
  statedResults?: boolean;
  /** Numeric questions put the right number at a uniformly drawn place (--ranked=1; WorldOptions.rankedNumbers). */
  rankedNumbers?: boolean;
  /** The folder the script wrote (--out) when not the default public/anchors/tiny-world, so that rerunning the card's command does not overwrite the default anchors. */
  out?: string;
  /** Share of Generator examples on documents with an arithmetic problem forced to ask one (--arithmetic-focus; SftOptions.arithmeticFocus); absent means 0. */
  arithmeticFocus?: number;
}

/** Where a fine-tune started (--init): a folder, or git:COMMIT[:DIR], a folder as an earlier commit holds it. */
function initNote(init: string): string {
  const from = parseAnchorInit(init);
  if (from.kind === 'folder') return `the weights, shape and tokenizer of \`${from.dir}\``;
  const { commit, dir } = from;
  return `the weights, shape and tokenizer of \`${dir}\` as commit ${commit} holds it, read from git history (\`git checkout ${commit} && npm run train-anchors\` retrains that stage from scratch; its MODEL_CARD.md there gives the recipe)`;
}

const SHUFFLE_NOTE = 'the lab shuffles accepted choices, spec §3.4, so the order never reaches the Solver';

/** How the card describes a Generator reply's order (GeneratorOrder). */
function orderNote(order: GeneratorOrder | undefined): string {
  if (order === 'answer-first') return `, the correct choice written first (${SHUFFLE_NOTE})`;
  if (order === 'solution-first') return `, then the problem's derivation in the Solver examples' words under a \`self_test_solution\` key, then the choices with the correct one first (${SHUFFLE_NOTE})`;
  return '';
}

/** The model shape and batch flags, written only when they differ from the script's defaults (4 layers,
 *  hidden 128, untied, 1024 tokens per step, lr 0.003). */
function shapeFlags(f: CardFacts): string {
  const c = f.config;
  return `${c.numHiddenLayers !== 4 ? ` --layers=${c.numHiddenLayers}` : ''}${c.hiddenSize !== 128 ? ` --hidden=${c.hiddenSize}` : ''}${c.tieWordEmbeddings ? ' --tie=1' : ''}`
    + `${f.batchTokens !== 1024 ? ` --batch-tokens=${f.batchTokens}` : ''}${f.lr !== 0.003 ? ` --lr=${f.lr}` : ''}${f.scale !== DEFAULT_WORLD.scale ? ` --scale=${f.scale}` : ''}${f.mixed ? ' --mixed=1' : ''}${f.statedResults ? ' --stated-results=1' : ''}${f.rankedNumbers ? ' --ranked=1' : ''}`;
}

function inductionFlags(f: CardFacts): string {
  const i = f.induction;
  const a = f.addition;
  const mark = `${f.markLetter && f.markLetter !== 'none' ? ` --mark-letter=${f.markLetter}` : ''}${f.generatorOrder && f.generatorOrder !== 'shuffled' ? ` --generator-order=${f.generatorOrder}` : ''}${f.arithmeticFocus ? ` --arithmetic-focus=${f.arithmeticFocus}` : ''}${a ? ` --add-every=${a.every} --add-per-row=${a.perRow}` : ''}`;
  if (i.steps === 0 && i.every === 0 && !(f.choice && (f.choice.steps > 0 || f.choice.every > 0))) return mark;
  const c = f.choice;
  const choice = c && (c.steps > 0 || c.every > 0)
    ? ` --choice-steps=${c.steps} --choice-every=${c.every} --choice-queries=${c.queries}${c.grow > 0 ? ` --choice-hold=${c.hold} --choice-grow=${c.grow}` : ''}${c.echo ? ' --choice-echo=1' : ''}`
    : '';
  return `${mark} --induction-steps=${i.steps} --induction-every=${i.every}${i.grow > 0 ? ` --induction-grow=${i.grow} --induction-hold=${i.hold}` : ''} --induction-words=${i.words} --induction-gap=${i.gap}${i.restrict ? ' --induction-restrict=1' : ''}${choice}`;
}

function choiceLine(f: CardFacts): string {
  const c = f.choice;
  if (!c || c.taken === 0) return 'none';
  const mix = c.every > 0 ? `, then every ${c.every}th step` : '';
  return `${c.steps} steps after the repeat-copy warm-up${mix} (${c.taken} steps in all) train on ${c.rows} choice-lookup rows: four choices from the ${c.pool} strings of Solver prompts listed as a prompt lists them${c.echo ? ' with each line repeating its letter after the string (loss on it)' : ''}${c.grow > 0 ? ` (the ${20} shortest strings until step ${c.hold} of this warm-up, then more until all from step ${c.grow})` : ''}, then ${c.queries} reply ending${c.queries === 1 ? '' : 's'} that each name one and box its letter (\`choiceLookupBatch\`, src/world/anchor-batches.ts), loss on the letters${f.induction.restrict ? ' over the four letters only' : ''}. Final letter loss ${c.loss.toFixed(3)} nats (ln 4 = 1.39 without lookup)`;
}

const ordinal = (n: number) => `${n}${n % 10 === 1 && n % 100 !== 11 ? 'st' : n % 10 === 2 && n % 100 !== 12 ? 'nd' : n % 10 === 3 && n % 100 !== 13 ? 'rd' : 'th'}`;

function additionLine(f: CardFacts): string {
  const a = f.addition;
  if (!a || a.taken === 0) return 'none';
  return `every ${ordinal(a.every)} step where no other warm-up falls (${a.taken} steps in all) trains on ${a.rows} rows of ${a.perRow} sums each ("57 + 9 = 66.", start years 10–69 plus 1–9 years, or two numbers 1–19: the world's sums; \`additionDrillBatch\`, src/world/anchor-batches.ts), loss on each sum's digits and full stop. Final drill loss ${a.loss.toFixed(3)} nats; ${Number.isNaN(a.accuracy) ? 'not probed' : `${(100 * a.accuracy).toFixed(1)}% of the sums of a fresh drill batch right as a whole (teacher-forced argmax)`}`;
}

function inductionLine(f: CardFacts): string {
  const i = f.induction;
  if (i.taken === 0) return 'none';
  const mix = i.every > 0 ? `, then every ${i.every}th step` : '';
  return `the first ${i.steps} steps${mix} (${i.taken} steps in all) train on ${i.rows} repeat-copy rows instead of an SFT batch: ${i.words} distinct ids from the ${i.vocabulary} that occur in SFT replies${i.grow > 0 ? ` (the 20 most frequent until step ${i.hold}, then more until all of them from step ${i.grow})` : ''}, repeated once, with ${i.gap} noise ids around them (\`repeatCopyBatch\`, src/world/anchor-batches.ts), loss on the repeated ids${i.restrict ? ', scored by a softmax over the warm-up\'s ids only (`outputMask`)' : ''}. Final copy loss ${i.loss.toFixed(3)} nats (ln ${i.vocabulary} = ${Math.log(i.vocabulary).toFixed(2)} without lookup). Counted in the steps and tokens above`;
}

export function anchorModelCard(f: CardFacts, isFinal: boolean): string {
  const c = f.config;
  const docsDir = `public/world${f.mixed ? '-mixed' : ''}${f.statedResults ? '-results' : ''}${f.rankedNumbers ? '-ranked' : ''}`;
  // A ranked world has its own dev and held-out sets (build-world writes them beside its documents).
  const evalDir = f.rankedNumbers ? docsDir : 'public/world';
  return `# tiny-world anchor (Llama, ${(f.parameters / 1e6).toFixed(2)}M parameters)

${isFinal ? 'Final weights.' : `**Checkpoint in progress** (step ${f.steps} of ${f.plannedSteps || 'not yet planned'}).`}
One model serves as both the Generator and the Solver base of the INFUSER Lab's built-in world
(the paper co-trains two copies of one model). ${f.init ? 'Fine-tuned from an earlier anchor ("Started from" below)' : 'Trained from scratch'} on the lab's own WGSL engine in node.

## How it was made
- Script: \`node --import ./scripts/register-hooks.mjs --import tsx scripts/train-anchors.ts --seed=${f.seed}${f.init ? ` --init=${f.init}` : ''}${f.out && f.out !== 'public/anchors/tiny-world' ? ` --out=${f.out}` : ''} --steps=${f.plannedSteps || f.steps}${shapeFlags(f)}${inductionFlags(f)}\`${f.init ? `
- Started from: ${initNote(f.init)}. A fine-tune: the tokenizer line below is that folder's.` : ''}
- Seed: ${f.seed} (world, SFT data, initialisation and batch order all derive from it)
- Steps: ${f.steps} taken, ${f.plannedSteps || '?'} planned; about ${f.batchTokens} padded tokens per step; ${(f.tokensSeen / 1e6).toFixed(2)}M tokens seen
- Induction warm-up: ${inductionLine(f)}
- Choice-lookup warm-up: ${choiceLine(f)}${f.addition ? `
- Addition drill: ${additionLine(f)}` : ''}
- Optimiser: AdamW lr ${f.lr} (60 warm-up steps, cosine to 10%), betas (0.9, 0.99), weight decay 0.01, gradient clip 1.0
- Time: ${f.elapsedMin.toFixed(1)} min on ${f.adapter}
- Architecture: LlamaForCausalLM, hidden ${c.hiddenSize}, ${c.numHiddenLayers} layers, ${c.numAttentionHeads} heads / ${c.numKeyValueHeads} KV heads (head_dim ${c.headDim}), MLP ${c.intermediateSize}, context ${c.maxPositionEmbeddings}, ${c.tieWordEmbeddings ? 'lm_head tied to the embeddings' : 'untied lm_head'}, F32

## Data
- World: \`scripts/build-world.ts --seed=${f.seed} --scale=${f.scale}${f.mixed ? ' --mixed=1' : ''}${f.statedResults ? ' --stated-results=1' : ''}${f.rankedNumbers ? ' --ranked=1' : ''}\` (${f.documents} documents in ${docsDir}/documents.json${f.mixed ? ', each stating problems of two or three question types of its topic' : ''}${f.statedResults ? ', arithmetic results stated' : ''}${f.rankedNumbers ? ', every numeric question\'s right number at a uniformly drawn place among its choices' : ''}, ${f.devQuestions} dev MCQs in ${evalDir}/dev.json, ${f.heldoutQuestions} held-out MCQs of the dev kinds in ${evalDir}/heldout.json); code in src/world.
- SFT mix (${f.trainExamples} training examples; loss on the reply tokens only, end-of-turn included):
  - ${f.generatorExamples} Generator examples: compact §3.1 prompt with a world document → one JSON MCQ (question_text, 4 choices, ground_truth) restating the facts of one problem in the document${orderNote(f.generatorOrder)}${f.arithmeticFocus ? `; where the document states an arithmetic problem, the example asks one with probability ${f.arithmeticFocus} (else a problem drawn uniformly)` : ''}.
  - ${f.solverExamples} Solver examples: §3.5 prompt → one derivation line + \`\\boxed{X}\`${f.markLetter === 'paren' ? ', the letter also named right after the answer ("So the answer is Geba (D). \\\\boxed{D}")' : f.markLetter === 'adjacent' ? ', the letter also named right after the answer ("So the answer is Geba D. \\\\boxed{D}")' : ''}. On the reasoning skills (two-hop, arithmetic) the label is a typical mistake with probability ${f.mistakeRate}, so the Solver starts above chance with room to improve. Dev and held-out questions are excluded from all SFT data.
- Tokenizer: byte-level BPE (${f.vocab} ids) fitted to the world's language (src/world/tokenizer-builder.ts). Digits are single tokens. The fixed prompt text of the compact Generator template and the §3.5 Solver prompt, and the JSON skeleton of a Generator reply, are single (non-special) added tokens: a changed prompt wording still encodes, but the model never saw it. ChatML chat template; eos \`<|im_end|>\`, pad \`<|pad|>\`.

## Results
- Final training loss (moving average, per reply token): ${f.trainLoss.toFixed(4)}
- Held-out loss (${f.heldOut} unseen SFT examples): ${f.heldOutLoss.toFixed(4)}
- Held-out boxed-letter accuracy (teacher-forced, ${f.heldOutLetters} Solver replies; the letter follows from the reply's derivation and the choice list, so a model that only learnt the template scores about 25%): ${(100 * f.heldOutLetterAccuracy).toFixed(1)}%
- Starting Generator validity and Solver dev accuracy: not measured here; measure them with the lab's generation code (src/model/generate.ts) on ${evalDir}/dev.json.
`;
}
