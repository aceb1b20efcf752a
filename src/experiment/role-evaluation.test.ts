import { describe, expect, it } from 'vitest';
import type { Document } from '../data/documents.ts';
import { buildConfig } from '../infuser/config.ts';
import type { PolicyRole, SampleRequest } from '../infuser/roles.ts';
import { checkLabel } from '../world/question-check.ts';
import { evaluateGenerator } from './role-evaluation.ts';

const q = (text: string, choices: string[], golden: string) => JSON.stringify({ question_text: text, choices, ground_truth: golden });
const FACT = 'Posis is the parent of Muga. Who is the parent of Muga?';
// Per document: a right label, a wrong one (the answer is not even a choice), and an unparsable reply.
const REPLIES = [q(FACT, ['Posis', 'Muga', 'Teda', 'Bame'], 'Posis'), q(FACT, ['Lezam', 'Lege', 'Tabepo', 'Jesa'], 'Lezam'), 'not json'];

/** A Generator that answers every document with REPLIES, row by row (only what evaluateGenerator calls). */
const scripted = {
  encodeChat: async () => [1, 2, 3],
  sample: async (req: SampleRequest) => REPLIES.slice(0, req.n).map((text) => ({ text, tokens: [1, 2], finish: 'stop' })),
} as unknown as PolicyRole;

const documents: Document[] = [0, 1].map((i) => ({ doc_id: `d${i}`, content: 'Posis is the parent of Muga.', extra: { topic: 'kinship', question_type: 'lookup' } }));
const config = buildConfig({ overrides: { 'generator.rollout.n': 3 } });

describe('evaluateGenerator', () => {
  it('counts valid replies, and with a label check the valid ones whose golden answer is right', async () => {
    const plain = await evaluateGenerator(scripted, documents, config);
    expect([plain.correct, plain.total]).toEqual([4, 6]);
    expect(plain.rejections).toEqual({ failed_parse: 2 });
    expect(plain.rightLabels).toBeUndefined();
    const checked = await evaluateGenerator(scripted, documents, config, 0, (text, golden) => checkLabel(text, golden).verdict === 'right');
    expect(checked.rightLabels).toEqual({ 'kinship/lookup': { correct: 2, total: 4 } });
  });
});
