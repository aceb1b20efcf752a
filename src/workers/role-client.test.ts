// The page ⇄ worker protocol without a worker or a GPU: the real RoleHost exposed over a node
// MessageChannel with a recording stand-in role, driven through RoleClient. Each side's endpoint
// records the transfer lists comlink hands to postMessage.
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { expose, wrap, type Endpoint } from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import type { AnswerGroup, InfluenceReport, Sample, SampleRequest, TrainRow } from '../infuser/roles.ts';
import type { RoleHostApi } from './api.ts';
import { RoleClient } from './role-client.ts';
import { RoleHost } from './role-host.ts';

const samples: Sample[] = [
  { tokens: [5, 6, 7], logprobs: [-0.1, -0.2000000001, -3.25], text: 'C', finish: 'eos' },
  { tokens: [], logprobs: [], text: '', finish: 'length' },
];
const rows: TrainRow[] = [
  { promptIds: [1, 2], responseIds: [5, 6, 7], samplingLogprobs: [-0.1, -0.2, -0.3], advantage: 0.5 },
  { promptIds: [1, 2], responseIds: [], advantage: -0.5 },
];
const dev: AnswerGroup[] = [{ promptIds: [3], responses: [[4], [4, 4]], advantages: [0.25, -0.25] }];
const questions: AnswerGroup[] = [{ promptIds: [8, 9], responses: [], advantages: [] }, { promptIds: [8], responses: [[1]], advantages: [0] }];
const report: InfluenceReport = {
  hasReference: true, refNorm: 2.5, devPgLoss: -0.01, devGradNorm: 1.5, devQuestions: 1,
  questions: [
    { score: -0.12, dot: -1, cosine: -0.12, preconditionedDot: -2, preconditionedCosine: -0.2, gammaNorm: 3, gradNorm: 4, layers: [0.5, 0.25, 0.25] },
    { score: 0.3, dot: 1, cosine: 0.3, preconditionedDot: 2, preconditionedCosine: 0.4, gammaNorm: 3, gradNorm: 5, layers: [0, 0, 1], exactScore: 0.31 },
  ],
};

/** What the worker-side role received, for comparing with what the page sent. */
const received: { rows?: TrainRow[]; dev?: AnswerGroup[]; questions?: AnswerGroup[] } = {};
const fakeRole = {
  sample: async () => structuredClone(samples),
  update: async (r: TrainRow[]) => { received.rows = r; return { steps: 1 }; },
  influence: async (d: AnswerGroup[], q: AnswerGroup[]) => { received.dev = d; received.questions = q; return structuredClone(report); },
};

/** A MessagePort as comlink's Endpoint, recording the transfer list of every message it posts. */
function recording(port: MessagePort, transfers: Transferable[][]): Endpoint {
  return {
    postMessage: (msg: unknown, transfer: Transferable[] = []) => { transfers.push(transfer); port.postMessage(msg, transfer as never); },
    addEventListener: port.addEventListener.bind(port) as Endpoint['addEventListener'],
    removeEventListener: port.removeEventListener.bind(port) as Endpoint['removeEventListener'],
    start: () => port.start(),
  };
}

const ports: MessagePort[] = [];
afterEach(() => { for (const p of ports.splice(0)) p.close(); });

function connect() {
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  const pageSent: Transferable[][] = [];
  const workerSent: Transferable[][] = [];
  const host = new RoleHost();
  (host as unknown as { role: unknown }).role = fakeRole;
  expose(host, recording(port2, workerSent));
  const client = new RoleClient(wrap<RoleHostApi>(recording(port1, pageSent)));
  return { client, pageSent, workerSent };
}

const buffersIn = (lists: Transferable[][]) => lists.flat().filter((t) => t instanceof ArrayBuffer);

describe('RoleClient over comlink to RoleHost', () => {
  it('sample: rollouts arrive equal, their buffers transferred worker → page', async () => {
    const { client, workerSent } = connect();
    expect(await client.sample({ promptIds: [1], n: 2, stream: 'solver_sample', keys: [0], sampling: { temperature: 1, topP: 1, maxNewTokens: 4 } })).toEqual(samples);
    // tokens.data, tokens.offsets, logprobs.data, logprobs.offsets
    expect(buffersIn(workerSent)).toHaveLength(4);
  });

  it('update: train rows arrive equal, their buffers transferred page → worker', async () => {
    const { client, pageSent } = connect();
    await client.update(rows, [[0, 1]], 8, { temperature: 1, clipLow: 0.2, clipHigh: 0.28, dualClip: 3 });
    expect(received.rows).toEqual(rows);
    // three PackedRows (6 buffers), hasSamplingLogprobs, advantages
    expect(buffersIn(pageSent)).toHaveLength(8);
    expect(rows[0].responseIds).toEqual([5, 6, 7]);
  });

  it('influence: groups transferred page → worker, the report transferred worker → page', async () => {
    const { client, pageSent, workerSent } = connect();
    const back = await client.influence(dev, questions, {} as never);
    expect(received.dev).toEqual(dev);
    expect(received.questions).toEqual(questions);
    expect(back).toEqual(report);
    // per group list: three PackedRows (6 buffers) and groupOffsets; the report: scalars, layers (2), exactScores, hasExactScore
    expect(buffersIn(pageSent)).toHaveLength(14);
    expect(buffersIn(workerSent)).toHaveLength(5);
  });
});

describe('RoleHost.sample', () => {
  it('refuses a prompt that fills the model\'s context, naming the role, the prompt and max_position_embeddings', async () => {
    const host = new RoleHost();
    Object.assign(host as unknown as Record<string, unknown>, { role: fakeRole, context: { positions: 512, role: 'Solver' } });
    const sampling = { temperature: 1, topP: 1, maxNewTokens: 16 };
    const req = (n: number): SampleRequest => ({ promptIds: Array.from({ length: n }, (_, i) => i), n: 1, stream: 'solver_sample', keys: [0], sampling });
    await expect(host.sample(req(598))).rejects.toThrow(
      'Solver: a prompt of 598 tokens leaves no room for a response in the model\'s 512 positions (max_position_embeddings)');
    await expect(host.sample(req(512))).rejects.toThrow(/prompt of 512 tokens/);
    await expect(host.sample(req(511))).resolves.toBeDefined();
  });
});
