// Regenerates the built-in world (issue 5): public/world/documents.json, dev.json and heldout.json (the
// experiment's final comparison; no run trains or selects on it) in the reference formats (spec §10.1,
// §10.2), deterministic from --seed (default 5). --scale=K multiplies the fact base's entity counts
// (default 10, the shipped world; the anchors' tokenizer is fitted to its names).
// --heldout=N sets the held-out set's size (default 480; a scale-1 world has room for none: --heldout=0).
// --mixed=1 writes only the mixed world's documents.json (default --out=public/world-mixed): the same
// problems regrouped so a document holds two or three question types of its topic; its dev and held-out
// sets are the single-kind world's (src/world/documents.ts, mixDocuments).
// --stated-results=1 (with --mixed=1; default --out=public/world-mixed-results): documents also state each
// arithmetic problem's result, so a Generator can copy its golden answer (docs/experiment.md, item 21).
// --ranked=1: every numeric question's right number stands at a uniformly drawn place among its choices
// (WorldOptions.rankedNumbers; docs/experiment.md, item 28). Its dev and held-out sets differ from the
// plain world's, so all three files are written (default --out: the plain name plus -ranked).
// Run: node --import ./scripts/register-hooks.mjs --import tsx scripts/build-world.ts [--seed=5] [--scale=10] [--heldout=480] [--mixed=1] [--stated-results=1] [--ranked=1] [--out=public/world]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildWorld, documentRow, DEFAULT_WORLD } from '../src/world/documents.ts';
import { parseFlags } from '../src/cli/args.ts';

const flags = parseFlags(process.argv.slice(2), { heldout: 'string', mixed: 'string', out: 'string', ranked: 'string', scale: 'string', seed: 'string', 'stated-results': 'string' }, 'build-world');
const flag = (name: string, fallback: string): string => (flags[name] as string | undefined) ?? fallback;

const seed = Number(flag('seed', String(DEFAULT_WORLD.seed)));
if (!Number.isSafeInteger(seed)) throw new Error(`build-world: --seed must be an integer, got ${flag('seed', '')}`);
const scale = Number(flag('scale', String(DEFAULT_WORLD.scale)));
const heldoutQuestions = Number(flag('heldout', String(DEFAULT_WORLD.heldoutQuestions)));
const mixed = flag('mixed', '0');
if (mixed !== '0' && mixed !== '1') throw new Error(`build-world: --mixed must be 0 or 1, got ${mixed}`);
const statedResults = flag('stated-results', '0');
if (statedResults !== '0' && statedResults !== '1') throw new Error(`build-world: --stated-results must be 0 or 1, got ${statedResults}`);
if (statedResults === '1' && mixed !== '1') throw new Error('build-world: --stated-results=1 needs --mixed=1 (it writes only documents.json)');
const ranked = flag('ranked', '0');
if (ranked !== '0' && ranked !== '1') throw new Error(`build-world: --ranked must be 0 or 1, got ${ranked}`);
const plainOut = mixed !== '1' ? 'public/world' : statedResults === '1' ? 'public/world-mixed-results' : 'public/world-mixed';
const out = flag('out', ranked === '1' ? `${plainOut}-ranked` : plainOut);
const world = buildWorld({ seed, scale, heldoutQuestions, mixed: mixed === '1', statedResults: statedResults === '1', rankedNumbers: ranked === '1' });
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'documents.json'), JSON.stringify(world.documents.map(documentRow), null, 1) + '\n');
if (mixed === '1' && ranked !== '1') {
  const what = statedResults === '1' ? 'mixed, results stated' : 'mixed';
  console.log(`build-world: seed ${seed}, scale ${scale}, ${what}: ${world.documents.length} documents -> ${out} (dev and held-out: the single-kind world's)`);
  process.exit(0);
}
writeFileSync(join(out, 'dev.json'), JSON.stringify(world.dev, null, 1) + '\n');
writeFileSync(join(out, 'heldout.json'), JSON.stringify(world.heldout, null, 1) + '\n');
const what = [mixed === '1' ? 'mixed' : '', statedResults === '1' ? 'results stated' : '', ranked === '1' ? 'ranked numbers' : ''].filter(Boolean);
console.log(`build-world: seed ${seed}, scale ${scale}${what.length ? `, ${what.join(', ')}` : ''}: ${world.documents.length} documents, ${world.dev.length} dev and ${world.heldout.length} held-out questions -> ${out}`);
