// Writes a narrower target (docs/experiment.md, item 23): a world's dev.json and heldout.json (public/world
// unless --world=DIR) restricted to some of their kinds, for scripts/experiment.ts --dev-file OUT/dev.json
// --heldout-file OUT/heldout.json.
// Run: node --import ./scripts/register-hooks.mjs --import tsx scripts/narrow-target.ts --kinds=kinship/two_hop,travel/two_hop,chemistry/two_hop --out=experiments/target-two-hop [--world=public/world-mixed-results-ranked]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DevRow } from '../src/world/documents.ts';
import { parseTargetKinds, rowsOfKinds } from '../src/experiment/narrow-target.ts';
import { parseFlags, required } from '../src/cli/args.ts';

const flags = parseFlags(process.argv.slice(2), { kinds: 'string', out: 'string', world: 'string' }, 'narrow-target');

const kinds = parseTargetKinds(required<string>(flags, 'kinds', 'narrow-target'));
const out = required<string>(flags, 'out', 'narrow-target');
const world = (flags.world as string | undefined) ?? 'public/world';
mkdirSync(out, { recursive: true });
for (const name of ['dev.json', 'heldout.json']) {
  const file = join(world, name);
  const rows = rowsOfKinds(JSON.parse(readFileSync(file, 'utf8')) as DevRow[], kinds, file);
  writeFileSync(join(out, name), JSON.stringify(rows, null, 1) + '\n');
  console.log(`narrow-target: ${rows.length} questions of ${kinds.join(', ')} from ${file} -> ${join(out, name)}`);
}
