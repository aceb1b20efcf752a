import { describe, expect, it } from 'vitest';
import { readableJson } from './readable-json.ts';

describe('readableJson', () => {
  it('parses back to what JSON.stringify keeps, for nested and edge-case values', () => {
    const value = {
      method: 'fixed', seed: 3, accuracy: 0.596875, nothing: null, gone: undefined, flag: false,
      by_kind: { 'kinship/two_hop': { correct: 216, total: 640 } },
      predictions: [['A', 'B', null, 'D'], [], ['\\boxed{"x"}']],
      rows: [{ a: [1, 2.5e-7, -3] }, [1, [2]]],
      empty: {}, nan: Number.NaN, text: 'line\nbreak', when: new Date(0), list: [new Date(1)],
    };
    expect(JSON.parse(readableJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
    for (const plain of [1, 'x', null, true, [], {}, [[]]]) expect(JSON.parse(readableJson(plain))).toEqual(plain);
  });

  it('keeps an array of plain values on one line and indents the rest', () => {
    expect(readableJson({ p: [['A', 'B'], ['C', null]], n: { k: 1 } })).toBe(
      '{\n  "p": [\n    ["A", "B"],\n    ["C", null]\n  ],\n  "n": {\n    "k": 1\n  }\n}',
    );
  });
});
