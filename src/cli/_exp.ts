// temporary experiment harness (deleted before handing back)
import { readFileSync } from 'node:fs';
import { acquireGpu } from '../engine/device.ts';
import { Engine } from '../engine/engine.ts';
import { timeDispatch } from '../engine/bench/gpu-timer.ts';
const [file, sizes, tile, layouts, wgx, wgy] = process.argv.slice(2);
const e = new Engine(await acquireGpu());
const code = readFileSync(file, 'utf8');
const [tx, ty] = tile.split('x').map(Number);
for (const n of sizes.split(',').map(Number)) for (const layout of layouts.split(',')) {
  const [ta, tb] = [layout[0] === 't', layout[1] === 't'];
  const fill = (k: number) => Float32Array.from({ length: k }, (_, i) => ((i * 7919) % 13) / 13 - 0.5);
  const a = e.fromArray(fill(n * n), [n, n]); const b = e.fromArray(fill(n * n), [n, n]); const c = e.empty([n, n]);
  const constants: Record<string, number> = { TRANS_A: Number(ta), TRANS_B: Number(tb) };
  if (wgx) { constants.WG_X = Number(wgx); constants.WG_Y = Number(wgy); }
  const d = { kernel: { name: file, code, entry: process.env.ENTRY ?? 'matmul_forward', constants }, buffers: [a, b, c], params: [n, n, n, 1, 0, 0, 0, 0],
    workgroups: [Math.ceil(n / tx), Math.ceil(n / ty), 1] as [number, number, number] };
  let best = Infinity, bw = Infinity;
  for (let r = 0; r < 4; r++) { best = Math.min(best, (await timeDispatch(e, d, { repeat: 2 })).ms); bw = Math.min(bw, (await timeDispatch(e, d, { repeat: 2, timestamps: false })).ms); }
  const t = { ms: best }, w = { ms: bw };
  const out = await c.toArray();
  let s = 0; for (let i = 0; i < n; i++) s += ((i * 7919) % 13 / 13 - 0.5) * 1; 
  console.log(`${file.split('/').pop()} n=${n} ${layout} ts ${(2 * n ** 3 / t.ms / 1e6).toFixed(2)} GF/s  wall ${(2 * n ** 3 / w.ms / 1e6).toFixed(2)} GF/s  c[0]=${out[0].toFixed(4)} c[last]=${out[n*n-1].toFixed(4)}`);
  [a, b, c].forEach((t) => t.dispose());
}
process.exit(0);
