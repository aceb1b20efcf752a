// Regenerates the built-in world (issue 5): public/world/documents.json and public/world/dev.json in
// the reference formats (spec §10.1, §10.2), deterministic from --seed (default 5). --scale=K
// multiplies the fact base's entity counts (default 1, the shipped world; the anchors know its names).
// Run: node --import ./scripts/register-hooks.mjs --import tsx scripts/build-world.ts [--seed=5] [--scale=1] [--out=public/world]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildWorld, documentRow, DEFAULT_WORLD } from '../src/world/documents.ts';

function flag(name: string, fallback: string): string {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
}

const seed = Number(flag('seed', String(DEFAULT_WORLD.seed)));
if (!Number.isSafeInteger(seed)) throw new Error(`build-world: --seed must be an integer, got ${flag('seed', '')}`);
const scale = Number(flag('scale', String(DEFAULT_WORLD.scale)));
const out = flag('out', 'public/world');
const world = buildWorld({ seed, scale });
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'documents.json'), JSON.stringify(world.documents.map(documentRow), null, 1) + '\n');
writeFileSync(join(out, 'dev.json'), JSON.stringify(world.dev, null, 1) + '\n');
console.log(`build-world: seed ${seed}, scale ${scale}: ${world.documents.length} documents, ${world.dev.length} dev questions -> ${out}`);
