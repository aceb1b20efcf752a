import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseModelConfig } from '../model/model-config.ts';
import { anchorModelCard, type CardFacts } from './model-card.ts';

const config = parseModelConfig({
  architectures: ['LlamaForCausalLM'], vocab_size: 64, hidden_size: 16, intermediate_size: 32, num_hidden_layers: 2,
  num_attention_heads: 2, num_key_value_heads: 1, head_dim: 8, max_position_embeddings: 64, rope_theta: 10000,
  rms_norm_eps: 1e-5, tie_word_embeddings: false, bos_token_id: null, eos_token_id: 1, torch_dtype: 'float32',
});

function facts(induction: Partial<CardFacts['induction']>): CardFacts {
  return {
    seed: 5, steps: 100, plannedSteps: 100, lr: 0.003, batchTokens: 1024, config, parameters: 1234, trainExamples: 10,
    generatorExamples: 5, solverExamples: 5, mistakeRate: 0.4, documents: 3, devQuestions: 2, heldoutQuestions: 6, scale: 10, vocab: 60, trainLoss: 1.5,
    heldOutLoss: 1.6, heldOutLetterAccuracy: 0.5, heldOutLetters: 8, heldOut: 4, tokensSeen: 1e5, elapsedMin: 1, adapter: 'test',
    induction: { steps: 0, every: 0, grow: 0, hold: 0, words: 16, gap: 24, rows: 18, vocabulary: 40, taken: 0, loss: NaN, ...induction },
  };
}

describe('anchor model card', () => {
  it('writes the rerun command with the warm-up flags only when a warm-up ran', () => {
    const plain = anchorModelCard(facts({}), true);
    expect(plain).toContain('scripts/train-anchors.ts --seed=5 --steps=100 --layers=2 --hidden=16`');
    expect(plain).toContain('- Induction warm-up: none');
    const warm = anchorModelCard(facts({ steps: 30, every: 8, taken: 39, loss: 0.25 }), true);
    // The test config has 2 layers of width 16, not the script's default shape.
    expect(warm).toContain('--seed=5 --steps=100 --layers=2 --hidden=16 --induction-steps=30 --induction-every=8 --induction-words=16 --induction-gap=24`');
    expect(warm).toMatch(/the first 30 steps, then every 8th step \(39 steps in all\)/);
    expect(warm).toContain('Final copy loss 0.250 nats (ln 40 = 3.69');
    const grown = anchorModelCard(facts({ steps: 30, every: 8, grow: 20, hold: 10, taken: 39, loss: 0.25 }), true);
    expect(grown).toContain('--induction-every=8 --induction-grow=20 --induction-hold=10 --induction-words=16');
    expect(grown).toContain('(the 20 most frequent until step 10, then more until all of them from step 20)');
    expect(grown).not.toContain('--induction-restrict');
    const restricted = anchorModelCard(facts({ steps: 30, every: 8, taken: 39, loss: 0.25, restrict: true }), true);
    expect(restricted).toContain('--induction-gap=24 --induction-restrict=1`');
    expect(restricted).toContain("scored by a softmax over the warm-up's ids only");
    const lookup = anchorModelCard({
      ...facts({ steps: 30, taken: 30, loss: 0.1, restrict: true }), markLetter: 'adjacent',
      choice: { steps: 20, every: 8, queries: 1, rows: 32, pool: 469, taken: 25, loss: 0.7, echo: false, hold: 0, grow: 0 },
    }, true);
    expect(lookup).toContain('--mark-letter=adjacent --induction-steps=30 --induction-every=0 --induction-words=16 --induction-gap=24 --induction-restrict=1 --choice-steps=20 --choice-every=8 --choice-queries=1`');
    expect(lookup).toMatch(/Choice-lookup warm-up: 20 steps after the repeat-copy warm-up, then every 8th step \(25 steps in all\)/);
    expect(lookup).toContain('So the answer is Geba D.');
    expect(lookup).not.toContain('written first');
    const first = anchorModelCard({ ...facts({ steps: 30, taken: 30, loss: 0.1 }), markLetter: 'adjacent', generatorOrder: 'answer-first' }, true);
    expect(first).toContain('--mark-letter=adjacent --generator-order=answer-first --induction-steps=30');
    expect(first).toContain('the correct choice written first');
    expect(first).not.toContain('Started from');
    expect(first).not.toContain('self_test_solution');
    const solved = anchorModelCard({ ...facts({ steps: 30, taken: 30, loss: 0.1 }), generatorOrder: 'solution-first' }, true);
    expect(solved).toContain('--generator-order=solution-first --induction-steps=30');
    expect(solved).toMatch(/derivation in the Solver examples' words under a `self_test_solution` key, then the choices with the correct one first/);
    const drilled = anchorModelCard({ ...facts({ steps: 30, taken: 30, loss: 0.1 }), generatorOrder: 'solution-first', addition: { every: 3, perRow: 8, rows: 19, taken: 40, loss: 0.5, accuracy: 0.25 } }, true);
    expect(drilled).toContain('--generator-order=solution-first --add-every=3 --add-per-row=8 --induction-steps=30');
    expect(drilled).toContain('- Addition drill: every 3rd step where no other warm-up falls (40 steps in all) trains on 19 rows of 8 sums each');
    expect(drilled).toContain('25.0% of the sums of a fresh drill batch right');
    expect(solved).not.toContain('Addition drill');
    const tuned = anchorModelCard({ ...facts({}), init: 'experiments/first' }, true);
    expect(tuned).toContain('train-anchors.ts --seed=5 --init=experiments/first --steps=100');
    expect(tuned).toContain('- Started from: the weights, shape and tokenizer of `experiments/first`');
    const staged = anchorModelCard({ ...facts({}), init: 'git:e35754d' }, true);
    expect(staged).toContain('train-anchors.ts --seed=5 --init=git:e35754d --steps=100');
    expect(staged).toContain('- Started from: the weights, shape and tokenizer of `public/anchors/tiny-world` as commit e35754d holds it, read from git history (`git checkout e35754d && npm run train-anchors` retrains that stage from scratch');
    expect(staged).toContain('Fine-tuned from an earlier anchor ("Started from" below) on the lab');
    expect(first).toContain('Trained from scratch on the lab');
    expect(anchorModelCard({ ...facts({}), init: 'git:abc:x/y' }, true)).toContain('of `x/y` as commit abc holds it');
    expect(lookup).toContain('listed as a prompt lists them, then 1 reply ending that each name one');
    const wider = anchorModelCard({ ...facts({}), batchTokens: 1536, lr: 0.001 }, true);
    expect(wider).toContain('--hidden=16 --batch-tokens=1536 --lr=0.001`');
    expect(anchorModelCard(facts({}), true)).toContain('- Choice-lookup warm-up: none');
    const mixed = anchorModelCard({ ...facts({}), init: 'git:abc', mixed: true }, true);
    expect(mixed).toContain('--init=git:abc --steps=100 --layers=2 --hidden=16 --mixed=1`');
    expect(mixed).toContain('`scripts/build-world.ts --seed=5 --scale=10 --mixed=1` (3 documents in public/world-mixed/documents.json, each stating problems of two or three question types');
    expect(plain).toContain('(3 documents in public/world/documents.json, 2 dev MCQs');
    const stated = anchorModelCard({ ...facts({}), mixed: true, statedResults: true }, true);
    expect(stated).toContain('--hidden=16 --mixed=1 --stated-results=1`');
    expect(stated).toContain('`scripts/build-world.ts --seed=5 --scale=10 --mixed=1 --stated-results=1` (3 documents in public/world-mixed-results/documents.json, each stating problems of two or three question types of its topic, arithmetic results stated,');
    expect(mixed).not.toContain('stated');
    const focused = anchorModelCard({ ...facts({}), mixed: true, statedResults: true, arithmeticFocus: 0.5 }, true);
    expect(focused).toContain(' --arithmetic-focus=0.5');
    expect(focused).toContain('where the document states an arithmetic problem, the example asks one with probability 0.5');
    expect(stated).not.toContain('arithmetic-focus');
    expect(anchorModelCard({ ...facts({}), init: 'public/anchors/a', out: 'public/anchors/b' }, true)).toContain('--init=public/anchors/a --out=public/anchors/b --steps=');
    expect(anchorModelCard({ ...facts({}), out: 'public/anchors/tiny-world' }, true)).not.toContain('--out=');
  });

  it('the shipped card names the command npm run train-anchors runs', () => {
    const script = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts['train-anchors'];
    const card = readFileSync('public/anchors/tiny-world/MODEL_CARD.md', 'utf8');
    const cardLine = /^- Script: `(.*)`$/m.exec(card)?.[1];
    expect(cardLine, 'the card has a Script line').toBeDefined();
    const flags = (line: string) => line.split(' ').filter((w) => w.startsWith('--') && w !== '--seed=5' && w !== '--import').sort();
    expect(flags(cardLine!)).toEqual(flags(script));
  });
});
