import { describe, expect, it } from 'vitest';
import type { AnswerGroup, InfluenceReport, Sample, TrainRow } from '../infuser/roles.ts';
import {
  buffersOf, packAnswerGroups, packInfluenceReport, packSamples, packTrainRows,
  unpackAnswerGroups, unpackInfluenceReport, unpackSamples, unpackTrainRows,
} from './wire-format.ts';

// Values a float32 round trip would change, so a lossy packing fails the equality checks.
const samples: Sample[] = [
  { tokens: [151644, 872, 198, 0, 2147483647], logprobs: [-0.1234567890123, -3.3e-9, -0, -17.000000001, -1e-300], text: 'A) yes', finish: 'eos' },
  { tokens: [], logprobs: [], text: '', finish: 'length' },
  { tokens: [42], logprobs: [-Math.PI], text: 'B', finish: 'stop' },
];

const trainRows: TrainRow[] = [
  { promptIds: [1, 2, 3], responseIds: [9, 8], samplingLogprobs: [-0.7071067811865476, -2.5e-7], advantage: 0.3333333333333333 },
  { promptIds: [1, 2, 3], responseIds: [], advantage: -0.6666666666666666 },
  { promptIds: [], responseIds: [5], samplingLogprobs: [], advantage: 0 },
];

const groups: AnswerGroup[] = [
  { promptIds: [10, 11], responses: [[1, 2], [], [3]], advantages: [0.1, -0.2, 0.1] },
  { promptIds: [12], responses: [], advantages: [] },
  { promptIds: [13, 14, 15], responses: [[7, 7, 7, 7]], advantages: [-1.2345678901234567e-5] },
];

const report: InfluenceReport = {
  hasReference: true,
  refNorm: 12.345678901234567,
  devPgLoss: -0.0123456789,
  devGradNorm: 3.1415926535,
  devQuestions: 32,
  questions: [
    { score: -0.12, dot: -1.5e-3, cosine: -0.12, preconditionedDot: 2.2e-9, preconditionedCosine: 0.0625, gammaNorm: 4.4, gradNorm: 0.9, layers: [0.1, 0.2, 0.30000000000000004, 0.4], exactScore: -0.1199 },
    { score: 0, dot: 0, cosine: 0, preconditionedDot: 0, preconditionedCosine: 0, gammaNorm: 0, gradNorm: 0, layers: [] },
    { score: 0.5, dot: 1, cosine: 0.5, preconditionedDot: 1, preconditionedCosine: 0.5, gammaNorm: 2, gradNorm: 2, layers: [-1e-12, 1], exactScore: 0 },
  ],
};

const emptyReport: InfluenceReport = { hasReference: false, refNorm: 0, devPgLoss: 0, devGradNorm: 0, devQuestions: 0, questions: [] };

/** Every typed array under a packed value (and its PackedRows), found independently of buffersOf. */
function viewsOf(packed: object): ArrayBufferView[] {
  return Object.values(packed).flatMap((v: unknown) =>
    ArrayBuffer.isView(v) ? [v] : v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.values(v).filter((x) => ArrayBuffer.isView(x)) : [],
  );
}

/** Transfers a packed value as postMessage would; returns the receiving side's copy. */
function sendAcross<P extends object>(packed: P, buffers: ArrayBuffer[]): P {
  return structuredClone(packed, { transfer: buffers });
}

describe('wire-format round trips', () => {
  it('samples unpack equal, including empty samples and an empty batch', () => {
    const packed = packSamples(samples);
    expect(unpackSamples(sendAcross(packed, buffersOf(packed)))).toEqual(samples);
    expect(unpackSamples(packSamples([]))).toEqual([]);
    expect(Object.is(unpackSamples(packSamples(samples))[0].logprobs[2], -0)).toBe(true);
  });

  it('train rows keep an absent samplingLogprobs absent and an empty one empty', () => {
    const back = unpackTrainRows(packTrainRows(trainRows));
    expect(back).toEqual(trainRows);
    expect('samplingLogprobs' in back[1]).toBe(false);
    expect(back[2].samplingLogprobs).toEqual([]);
    expect(unpackTrainRows(packTrainRows([]))).toEqual([]);
  });

  it('answer groups keep each group its own responses, including groups with none', () => {
    expect(unpackAnswerGroups(packAnswerGroups(groups))).toEqual(groups);
    expect(unpackAnswerGroups(packAnswerGroups([]))).toEqual([]);
  });

  it('influence reports keep every field and an absent exactScore absent', () => {
    const back = unpackInfluenceReport(packInfluenceReport(report));
    expect(back).toEqual(report);
    expect('exactScore' in back.questions[1]).toBe(false);
    expect(back.questions[2].exactScore).toBe(0);
    expect(unpackInfluenceReport(packInfluenceReport(emptyReport))).toEqual(emptyReport);
  });

  it('unpacked values are plain arrays, not views into the transferred buffers', () => {
    const back = unpackSamples(packSamples(samples));
    expect(Array.isArray(back[0].tokens)).toBe(true);
    expect(Array.isArray(unpackInfluenceReport(packInfluenceReport(report)).questions[0].layers)).toBe(true);
  });
});

describe('wire-format transfer lists', () => {
  const cases: [string, () => object, (w: never) => unknown, unknown][] = [
    ['samples', () => packSamples(samples), unpackSamples as (w: never) => unknown, samples],
    ['train rows', () => packTrainRows(trainRows), unpackTrainRows as (w: never) => unknown, trainRows],
    ['answer groups', () => packAnswerGroups(groups), unpackAnswerGroups as (w: never) => unknown, groups],
    ['influence report', () => packInfluenceReport(report), unpackInfluenceReport as (w: never) => unknown, report],
  ];

  for (const [name, pack, unpack, original] of cases) {
    it(`${name}: transferring buffersOf detaches every source array and the far side unpacks equal`, () => {
      const packed = pack();
      const views = viewsOf(packed);
      expect(views.some((v) => v.byteLength > 0)).toBe(true);
      const buffers = buffersOf(packed as never);
      expect(new Set(buffers)).toEqual(new Set(views.map((v) => v.buffer)));
      const received = sendAcross(packed, buffers);
      for (const v of views) expect(v.buffer.byteLength).toBe(0);
      expect(unpack(received as never)).toEqual(original);
    });
  }

  it('each packed array owns its buffer, so a transfer detaches nothing outside the packed value', () => {
    const packed = packTrainRows(trainRows);
    for (const v of viewsOf(packed)) expect(v.byteLength).toBe(v.buffer.byteLength);
    sendAcross(packed, buffersOf(packed));
    expect(trainRows[0].responseIds).toEqual([9, 8]);
  });
});

describe('wire-format bad input', () => {
  it('rejects a token id an Int32Array would wrap or truncate, naming row and position', () => {
    const bad = (tokens: number[]): Sample[] => [{ tokens: [1], logprobs: [], text: '', finish: 'eos' }, { tokens, logprobs: [], text: '', finish: 'eos' }];
    expect(() => packSamples(bad([3, 2 ** 31]))).toThrow(/token id 2147483648 at row 1, position 1/);
    expect(() => packSamples(bad([1.5]))).toThrow(/token id 1.5 at row 1, position 0/);
    expect(() => packTrainRows([{ promptIds: [-1], responseIds: [], advantage: 0 }])).toThrow(/token id -1/);
  });

  it('rejects an influence report whose scalar and layer rows disagree', () => {
    const packed = packInfluenceReport(report);
    expect(() => unpackInfluenceReport({ ...packed, scalars: packed.scalars.subarray(7) })).toThrow(/3 layer rows but 2 scalar rows/);
  });
});
