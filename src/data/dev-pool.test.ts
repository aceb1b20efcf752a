import { describe, expect, it } from 'vitest';
import { importDevPool, resolveGroundTruth } from './dev-pool.ts';

const row = (extra: Record<string, unknown>): Record<string, unknown> =>
  ({ question_text: 'Which?', choices: ['w', 'x', 'y', 'z'], ground_truth: 'x', ...extra });
const jsonFile = (name: string, rows: unknown[]): { name: string; text: string } =>
  ({ name, text: `[\n${rows.map((r) => JSON.stringify(r)).join(',\n')}\n]` });

describe('ground-truth conventions (§10.1)', () => {
  const xyzw = ['x', 'y', 'z', 'w'];
  it('F-G4 auto: "z", " Z ", 2 and "c" all give index 2; "q" is unresolvable', () => {
    for (const gt of ['z', ' Z ', 2, 'c']) expect(resolveGroundTruth(xyzw, gt, 'auto')).toEqual({ index: 2 });
    expect(resolveGroundTruth(xyzw, 'q', 'auto')).toHaveProperty('error', expect.stringMatching(/matches no choice/));
  });

  it('F-G4 auto on ["C","N","O","H"]: "O" → 2 unflagged, "C" → 0 flagged ambiguous_letter_text (letter says 2)', () => {
    const cnoh = ['C', 'N', 'O', 'H'];
    expect(resolveGroundTruth(cnoh, 'O', 'auto')).toEqual({ index: 2 });
    expect(resolveGroundTruth(cnoh, 'C', 'auto')).toEqual({ index: 0, ambiguousLetterIndex: 2 });
    expect(resolveGroundTruth(cnoh, 'C', 'text')).toEqual({ index: 0 });
    expect(resolveGroundTruth(cnoh, 'C', 'letter')).toEqual({ index: 2 });
  });

  it('explicit conventions read only their own form', () => {
    expect(resolveGroundTruth(xyzw, 'c', 'text')).toHaveProperty('error');
    expect(resolveGroundTruth(xyzw, 2, 'text')).toHaveProperty('error');
    expect(resolveGroundTruth(xyzw, 3, 'index')).toEqual({ index: 3 });
    expect(resolveGroundTruth(xyzw, 4, 'index')).toHaveProperty('error');
    expect(resolveGroundTruth(xyzw, '2', 'index')).toHaveProperty('error');
    expect(resolveGroundTruth(xyzw, 'e', 'letter')).toHaveProperty('error');
    expect(resolveGroundTruth(xyzw, ' b ', 'letter')).toEqual({ index: 1 });
  });

  it('text matching needs a unique match', () => {
    expect(resolveGroundTruth(['a', 'A ', 'b'], 'a', 'auto')).toEqual({ index: 0 });
    expect(resolveGroundTruth(['a ', 'A ', 'b'], 'a', 'text')).toHaveProperty('error');
  });

  it('ground_truth_text picks the reading that agrees with it, and must agree with one', () => {
    expect(resolveGroundTruth(['C', 'N', 'O', 'H'], 'C', 'auto', 'O')).toEqual({ index: 2 });
    expect(resolveGroundTruth(['C', 'N', 'O', 'H'], 'C', 'auto', 'C')).toEqual({ index: 0 });
    expect(resolveGroundTruth(['C', 'N', 'O', 'H'], 'C', 'auto', 'H')).toHaveProperty('error', expect.stringMatching(/name different choices/));
  });
});

describe('importDevPool', () => {
  it('reads lists and letter-keyed objects, names id-less rows dev_{index}, keeps unknown keys', () => {
    const result = importDevPool([jsonFile('dev.json', [
      row({ question_id: 7, data_source: 'mmlu' }),
      row({ choices: { A: 'w', B: 'x', C: 'y', D: 'z' }, ground_truth: 'B' }),
      row({ choices: { a: 'p', b: 'q' }, ground_truth: 'q', benchmark_type: 'qa_mcq' }),
    ])]);
    expect(result.questions).toEqual([
      { question_id: '7', question_text: 'Which?', choices: ['w', 'x', 'y', 'z'], correct_index: 1, extra: { data_source: 'mmlu' } },
      { question_id: 'dev_1', question_text: 'Which?', choices: ['w', 'x', 'y', 'z'], correct_index: 1, extra: {} },
      { question_id: 'dev_2', question_text: 'Which?', choices: ['p', 'q'], correct_index: 1, extra: {} },
    ]);
    expect(result.rejected).toEqual([]);
  });

  it('object choices stop at the first missing letter, with a warning', () => {
    const result = importDevPool([jsonFile('dev.json', [row({ choices: { A: 'w', B: 'x', D: 'z' } })])]);
    expect(result.questions[0].choices).toEqual(['w', 'x']);
    expect(result.warnings).toEqual(['dev.json:2: 1 choice key(s) after the first missing letter were ignored']);
  });

  it('skips rows without choices, rejects bad counts and unresolvable ground truth by line', () => {
    const many = Array.from({ length: 27 }, (_, i) => `c${i}`);
    const result = importDevPool([jsonFile('dev.json', [
      row({ choices: [] }),
      { question_text: 'open?', ground_truth: '4' },
      row({ choices: ['only'], ground_truth: 'only' }),
      row({ choices: many, ground_truth: 'c3' }),
      row({ ground_truth: 'q' }),
      row({ question_text: '  ' }),
      row({ choices: Array.from({ length: 12 }, (_, i) => `o${i}`), ground_truth: 'L' }),
    ])]);
    expect(result.skipped.map((s) => s.line)).toEqual([2, 3]);
    expect(result.rejected.map((r) => [r.line, r.reason.split(':')[0]])).toEqual([
      [4, 'bad_choice_count'], [5, 'bad_choice_count'], [6, 'unresolvable_ground_truth'], [7, 'missing_question_text'],
    ]);
    expect(result.questions.map((q) => q.correct_index)).toEqual([11]);
    expect(result.warnings).toEqual(['dev.json:8: 12 choices (more than 10)']);
  });

  it('duplicate question ids are an error naming both places, across files', () => {
    const a = jsonFile('a.json', [row({ question_id: 'q1' })]);
    const b = { name: 'b.jsonl', text: `\n${JSON.stringify(row({ question_id: 'q1' }))}\n` };
    expect(() => importDevPool([a, b])).toThrow(/Duplicate question_id "q1" at a\.json:2 and b\.jsonl:2/);
  });

  it('F-G4 a file with ambiguous rows waits for confirmation; text or letter then accepts it', () => {
    const file = jsonFile('chem.json', [
      row({ question_id: 'o', choices: ['C', 'N', 'O', 'H'], ground_truth: 'O' }),
      row({ question_id: 'c', choices: ['C', 'N', 'O', 'H'], ground_truth: 'C' }),
    ]);
    const other = jsonFile('other.json', [row({ question_id: 'x' })]);
    const auto = importDevPool([file, other]);
    expect(auto.unconfirmedFiles).toEqual(['chem.json']);
    expect(auto.ambiguous).toEqual([{ file: 'chem.json', line: 3, question_id: 'c', textIndex: 0, letterIndex: 2 }]);
    expect(auto.questions.map((q) => q.question_id)).toEqual(['x']);
    const asText = importDevPool([file], { groundTruthByFile: { 'chem.json': 'text' } });
    expect(asText.questions.map((q) => q.correct_index)).toEqual([2, 0]);
    const asLetter = importDevPool([file], { groundTruth: 'letter' });
    expect(asLetter.rejected.map((r) => r.line)).toEqual([2]);
    expect(asLetter.questions.map((q) => q.correct_index)).toEqual([2]);
  });

  it('rejects document-shaped, unsupported and binary files; malformed JSONL names the line', () => {
    const result = importDevPool([
      { name: 'docs.jsonl', text: '{"doc_id": "1", "content": "x"}\n' },
      { name: 'dev.csv', text: 'a,b' },
      { name: 'dev.json', bytes: new Uint8Array([0x5b, 0, 0x5d]) },
    ]);
    expect(result.rejected.map((r) => r.file)).toEqual(['docs.jsonl', 'dev.csv', 'dev.json']);
    expect(() => importDevPool([{ name: 'd.jsonl', text: `${JSON.stringify(row({}))}\n{oops}\n` }])).toThrow(/^d\.jsonl:2: malformed/);
  });
});
