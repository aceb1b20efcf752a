import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { blobByteSource, bytesByteSource } from './byte-source.ts';
import { parseModelConfig, parameterSpecs } from './model-config.ts';
import { nodeFileByteSource } from './node-byte-source.ts';
import { SafetensorsFile, checkAgainstConfig, writeSafetensors } from './safetensors.ts';
import { SAFETENSORS_INDEX, ShardedSafetensors, writeShardedSafetensors } from './safetensors-shards.ts';

/** A file with the given header text (unpadded) and `dataLen` zero bytes after it. */
function rawFile(header: string, dataLen: number, declaredLen?: number): Uint8Array {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + dataLen);
  new DataView(out.buffer).setBigUint64(0, BigInt(declaredLen ?? json.length), true);
  out.set(json, 8);
  return out;
}

const open = (bytes: Uint8Array, name = 'model.safetensors') => SafetensorsFile.open(bytesByteSource(bytes, name));

/** Header JSON decoded independently of the reader. */
function headerOf(bytes: Uint8Array): { len: number; json: Record<string, any> } {
  const len = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { len, json: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + len))) };
}

describe('safetensors write then read', () => {
  it('F32 is bit-exact, including -0, NaN payloads, infinities and subnormals', async () => {
    const bits = new Uint32Array([0x80000000, 0x7fc00001, 0x7f800000, 0xff800000, 0x00000001, 0x3eaaaaab, 0xc2f6e979]);
    const a = new Float32Array(bits.buffer);
    const b = Float32Array.from({ length: 12 }, (_, i) => Math.sin(i * 1.7) * 10 ** (i - 6));
    const file = writeSafetensors([{ name: 'a', shape: [7], data: a }, { name: 'w.b', shape: [3, 4], data: b }]);
    const st = await open(file);
    expect(st.names()).toEqual(['a', 'w.b']);
    expect(st.info('w.b')).toMatchObject({ dtype: 'F32', shape: [3, 4], byteLength: 48 });
    expect(new Uint32Array((await st.readTensor('a')).buffer)).toEqual(bits);
    expect(new Uint32Array((await st.readTensor('w.b')).buffer)).toEqual(new Uint32Array(b.buffer));
  });

  it('pads the header to 8 bytes with {"format":"pt"} metadata and contiguous offsets', () => {
    const file = writeSafetensors([{ name: 'x', shape: [1], data: new Float32Array([2]) }], { metadata: { step: '3' } });
    const { len, json } = headerOf(file);
    expect(len % 8).toBe(0);
    expect(file.length).toBe(8 + len + 4);
    expect(json.__metadata__).toEqual({ step: '3', format: 'pt' });
    expect(json.x).toEqual({ dtype: 'F32', shape: [1], data_offsets: [0, 4] });
    expect(new Float32Array(file.slice(8 + len).buffer)[0]).toBe(2);
  });

  it('F16 stores hand-computed bit patterns, rounding to nearest even', async () => {
    const values = new Float32Array([1 + 2 ** -11, 1 + 3 * 2 ** -11, 65520, 2 ** -25, 3 * 2 ** -25, -0, NaN, 2 ** -24]);
    const file = writeSafetensors([{ name: 'h', shape: [8], data: values }], { dtype: 'F16' });
    const { len } = headerOf(file);
    const stored = new Uint16Array(file.slice(8 + len).buffer);
    expect(Array.from(stored.subarray(0, 6))).toEqual([0x3c00, 0x3c02, 0x7c00, 0x0000, 0x0002, 0x8000]);
    expect(stored[7]).toBe(0x0001);
    const back = await (await open(file)).readTensor('h');
    expect(Array.from(back.subarray(0, 6))).toEqual([1, 1 + 2 ** -9, Infinity, 0, 2 ** -23, -0]);
    expect(back[6]).toBeNaN();
    expect(back[7]).toBe(2 ** -24);
  });

  it('BF16 stores hand-computed bit patterns, rounding to nearest even', async () => {
    const values = new Float32Array([1 + 2 ** -8, 1 + 3 * 2 ** -8, 3.4e38, 2 ** -133, NaN, -1.5]);
    const file = writeSafetensors([{ name: 'b', shape: [2, 3], data: values }], { dtype: 'BF16' });
    const { len } = headerOf(file);
    expect(Array.from(new Uint16Array(file.slice(8 + len).buffer))).toEqual([0x3f80, 0x3f82, 0x7f80, 0x0001, 0x7fc0, 0xbfc0]);
    const back = await (await open(file)).readTensor('b');
    expect(Array.from(back)).toEqual([1, 1 + 2 ** -6, Infinity, 2 ** -133, NaN, -1.5]);
  });

  it('streams in chunks and fills a caller-supplied array, also through a Blob', async () => {
    const data = Float32Array.from({ length: 1000 }, (_, i) => i - 500.25);
    const file = writeSafetensors([{ name: 't', shape: [10, 100], data }], { dtype: 'BF16' });
    const st = await SafetensorsFile.open(blobByteSource(new Blob([file as Uint8Array<ArrayBuffer>]), 'blob.safetensors'));
    const pieces: number[] = [];
    for await (const { offset, data: piece } of st.tensorChunks('t', 64)) {
      expect(offset).toBe(pieces.length);
      pieces.push(...piece);
    }
    const out = new Float32Array(1000);
    expect(await st.readTensor('t', out)).toBe(out);
    expect(pieces).toEqual(Array.from(out));
    // bf16 keeps 8 significant bits, so between 256 and 512 values step by 2.
    expect([out[0], out[3]]).toEqual([-500, -498]);
  });
});

describe('safetensors errors name the file and tensor', () => {
  const good = '{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
  const cases: [string, Uint8Array, RegExp][] = [
    ['file shorter than 8 bytes', new Uint8Array(5), /m\.st: file is 5 bytes.*truncated/],
    ['header longer than the file', rawFile(good, 8, 500), /m\.st: header length 500 is longer than the file/],
    ['bad JSON header', rawFile('{"t": [1, 2', 0), /m\.st: header is not valid JSON/],
    ['unknown dtype', rawFile('{"t":{"dtype":"Q4","shape":[2],"data_offsets":[0,8]}}', 8), /m\.st: tensor "t" has unknown dtype "Q4"/],
    ['offsets outside the file', rawFile('{"t":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}', 8), /m\.st: tensor "t" data_offsets \[0, 16\] lie outside/],
    ['truncated data', rawFile(good, 6), /m\.st: tensor "t" .*truncated/],
    ['reversed offsets', rawFile('{"t":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}', 8), /m\.st: tensor "t" has invalid data_offsets/],
    [
      'overlapping tensors',
      rawFile('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}', 12),
      /m\.st: tensors "a" and "b" have overlapping data_offsets/,
    ],
    ['shape × dtype mismatch', rawFile('{"t":{"dtype":"BF16","shape":[2,3],"data_offsets":[0,8]}}', 8), /m\.st: tensor "t" shape \[2, 3\] × BF16 needs 12 bytes but data_offsets span 8/],
    ['bad metadata', rawFile('{"__metadata__":{"n":1}}', 0), /m\.st: "__metadata__" must map strings to strings/],
  ];
  for (const [label, bytes, pattern] of cases) {
    it(label, async () => expect(open(bytes, 'm.st')).rejects.toThrow(pattern));
  }

  it('missing tensor', async () => {
    const st = await open(rawFile(good, 8), 'm.st');
    await expect(st.readTensor('nope')).rejects.toThrow(/m\.st: no tensor named "nope"/);
  });

  it('a dtype that cannot become f32', async () => {
    const st = await open(rawFile('{"i":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}', 8), 'm.st');
    await expect(st.readTensor('i')).rejects.toThrow(/m\.st: tensor "i" has dtype I64, which cannot be read as f32/);
  });

  it('writing a tensor whose data does not match its shape', () => {
    expect(() => writeSafetensors([{ name: 'w', shape: [2, 2], data: new Float32Array(3) }])).toThrow(/tensor "w" has shape \[2, 2\]/);
  });
});

describe('checkAgainstConfig', () => {
  const cfg = parseModelConfig({
    architectures: ['Qwen3ForCausalLM'], vocab_size: 7, hidden_size: 4, intermediate_size: 6,
    num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 1, head_dim: 3, tie_word_embeddings: true,
  });
  const tensors = () => parameterSpecs(cfg).map((s) => ({ ...s, data: new Float32Array(s.shape.reduce((a, b) => a * b, 1)) }));

  it('accepts a matching file and reports unused tensors', async () => {
    const extra = { name: 'lm_head.weight', shape: [7, 4], data: new Float32Array(28) };
    const st = await open(writeSafetensors([...tensors(), extra]));
    expect(checkAgainstConfig(st, cfg)).toEqual(['lm_head.weight']);
  });

  it('lists missing tensors and wrong shapes against config.json', async () => {
    const list = tensors().filter((t) => !t.name.endsWith('k_norm.weight'));
    const q = list.find((t) => t.name.endsWith('q_proj.weight'))!;
    q.shape = [4, 6];
    const st = await open(writeSafetensors(list), 'bad.safetensors');
    const err = () => checkAgainstConfig(st, cfg);
    expect(err).toThrow(/bad\.safetensors does not match config\.json/);
    expect(err).toThrow(/missing tensor "model\.layers\.0\.self_attn\.k_norm\.weight" \(config\.json implies shape \[3\]\)/);
    expect(err).toThrow(/tensor "model\.layers\.0\.self_attn\.q_proj\.weight" has shape \[4, 6\] but config\.json implies \[6, 4\]/);
  });
});

describe('sharded checkpoints', () => {
  let dir = '';
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const tensors = [4, 5, 3, 2].map((n, k) => ({
    name: `p${k}`, shape: [n], data: Float32Array.from({ length: n }, (_, i) => k * 10 + i + 0.5),
  }));

  it('writes shards and an index to disk and reads them back', async () => {
    dir = await mkdtemp(join(tmpdir(), 'st-shards-'));
    const files = writeShardedSafetensors(tensors, { maxShardBytes: 30 });
    // Bytes 16, 20, 12, 8: 16 + 20 and 20 + 12 exceed 30, 12 + 8 fits.
    expect(files.map((f) => f.name)).toEqual([
      'model-00001-of-00003.safetensors', 'model-00002-of-00003.safetensors', 'model-00003-of-00003.safetensors', SAFETENSORS_INDEX,
    ]);
    for (const f of files) await writeFile(join(dir, f.name), Buffer.concat(f.chunks));
    const index = JSON.parse(await readFile(join(dir, SAFETENSORS_INDEX), 'utf8'));
    expect(index).toEqual({
      metadata: { total_size: 56 },
      weight_map: {
        p0: 'model-00001-of-00003.safetensors', p1: 'model-00002-of-00003.safetensors',
        p2: 'model-00003-of-00003.safetensors', p3: 'model-00003-of-00003.safetensors',
      },
    });
    const openShard = (name: string) => nodeFileByteSource(join(dir, name));
    const reader = await ShardedSafetensors.open(await openShard(SAFETENSORS_INDEX), openShard);
    expect(reader.names()).toEqual(['p0', 'p1', 'p2', 'p3']);
    for (const t of tensors) expect(await reader.readTensor(t.name)).toEqual(t.data);
    expect(reader.info('p3').file).toBe('model-00003-of-00003.safetensors');
  });

  it('writes a single model.safetensors when everything fits', () => {
    expect(writeShardedSafetensors(tensors).map((f) => f.name)).toEqual(['model.safetensors']);
  });

  it('names the index when a shard or a tensor is missing', async () => {
    const shard = writeSafetensors([tensors[0]]);
    const index = (wm: Record<string, string>) =>
      bytesByteSource(new TextEncoder().encode(JSON.stringify({ weight_map: wm })), SAFETENSORS_INDEX);
    const openShard = async (name: string) => (name === 'a.safetensors' ? bytesByteSource(shard, name) : null);
    await expect(ShardedSafetensors.open(index({ p0: 'b.safetensors' }), openShard))
      .rejects.toThrow(/model\.safetensors\.index\.json: weight_map names shard "b\.safetensors", which is missing/);
    await expect(ShardedSafetensors.open(index({ p9: 'a.safetensors' }), openShard))
      .rejects.toThrow(/weight_map puts tensor "p9" in "a\.safetensors", but that file has no such tensor/);
    const ok = await ShardedSafetensors.open(index({ p0: 'a.safetensors' }), openShard);
    await expect(ok.readTensor('p1')).rejects.toThrow(/no tensor named "p1"/);
  });
});
