import { describe, expect, it } from 'vitest';
import {
  decodeInputFile, fileExtension, jsonErrorOffset, jsonRowKind, lineAt, parseJsonArrayFile, parseJsonFile,
  parseJsonlFile, topLevelArrayLines,
} from './input-files.ts';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('decodeInputFile', () => {
  it('decodes UTF-8 bytes and drops a byte-order mark', () => {
    expect(decodeInputFile({ name: 'a.txt', bytes: utf8('\uFEFFhé') })).toEqual({ text: 'hé' });
    expect(decodeInputFile({ name: 'a.txt', text: '\uFEFFhé' })).toEqual({ text: 'hé' });
  });

  it('rejects NUL bytes, invalid UTF-8, empty and too-large files with reasons', () => {
    expect(decodeInputFile({ name: 'a.bin', bytes: new Uint8Array([65, 0, 66]) })).toEqual({ reason: 'binary file (contains NUL bytes)' });
    expect(decodeInputFile({ name: 'a.txt', bytes: new Uint8Array([0xff, 0xfe, 0x41]) })).toHaveProperty('reason', expect.stringMatching(/not UTF-8/));
    expect(decodeInputFile({ name: 'a.txt', text: ' \n\t ' })).toEqual({ reason: 'empty file' });
    expect(decodeInputFile({ name: 'a.txt', bytes: new Uint8Array() })).toEqual({ reason: 'empty file' });
    expect(decodeInputFile({ name: 'a.txt', text: 'é'.repeat(6) }, 11)).toHaveProperty('reason', expect.stringMatching(/12 bytes exceeds the 11-byte limit/));
  });
});

describe('JSON helpers', () => {
  it('finds the offset of the first syntax error, engine-independently', () => {
    expect(jsonErrorOffset('[1, {"a": [true, null, -0.5e+3, "x\\u00e9\\n"]}]')).toBe(-1);
    expect(jsonErrorOffset('[1,}')).toBe(3);
    expect(jsonErrorOffset('{"a" 1}')).toBe(5);
    expect(jsonErrorOffset('{"a": 1')).toBe(7);
    expect(jsonErrorOffset('[01]')).toBe(2);
    expect(jsonErrorOffset('"bad \\x escape"')).toBe(5);
    expect(jsonErrorOffset('[1] x')).toBe(4);
    expect(jsonErrorOffset('[tru]')).toBe(1);
  });

  it('parseJsonFile names the file and line of a syntax error', () => {
    const text = '[\n  {"doc_id": 1, "content": "x"},\n  {"doc_id": 2 "content": "y"}\n]';
    expect(() => parseJsonFile(text, 'docs.json')).toThrow(/^docs\.json:3: malformed JSON/);
    expect(() => parseJsonFile('[\n{"a": 1},\n', 'end.json')).toThrow(/^end\.json:3: malformed JSON/);
  });

  it('maps each top-level array element to its starting line', () => {
    const text = '[\n  {"a": "[,]"},\n\n  {"b": [1,\n 2]}, 3,\n  "s\\"]"\n]';
    expect(topLevelArrayLines(text)).toEqual([2, 4, 5, 6]);
    expect(parseJsonArrayFile(text, 'x.json').map((r) => r.line)).toEqual([2, 4, 5, 6]);
    expect(topLevelArrayLines('[]')).toEqual([]);
    expect(() => parseJsonArrayFile('{"a": 1}', 'x.json')).toThrow(/x\.json:1: expected a JSON array/);
  });

  it('parses JSONL, skipping blank lines and naming the bad line', () => {
    const rows = parseJsonlFile('{"a":1}\n\n  \r\n{"a":2}\r\n', 'x.jsonl');
    expect(rows).toEqual([{ line: 1, index: 0, value: { a: 1 } }, { line: 4, index: 1, value: { a: 2 } }]);
    expect(() => parseJsonlFile('{"a":1}\n{"a":\n', 'x.jsonl')).toThrow(/^x\.jsonl:2: malformed JSON line/);
    expect(() => parseJsonlFile('{"a":1}\n[1]\n', 'x.jsonl')).toThrow(/^x\.jsonl:2: each JSONL line must be one JSON object/);
  });

  it('classifies rows and extensions', () => {
    expect(jsonRowKind({ question_text: 'q', choices: [] })).toBe('question');
    expect(jsonRowKind({ text: 't' })).toBe('document');
    expect(jsonRowKind({ foo: 1 })).toBe('unknown');
    expect(fileExtension('dir.v2/Notes.MD')).toBe('md');
    expect(fileExtension('.hidden')).toBe('');
    expect(lineAt('a\nb\nc', 4)).toBe(3);
  });
});
