// Does the anchors' Generator copy a document's answer, or recall the world it was trained on? (issue 5,
// docs/experiment.md, "World v2".) Kinship lookup documents state "A is the parent of B." facts, and the
// Generator's question asks "Who is the parent of B?". Each document is shown as it is and as a
// counterfactual in which every parent is replaced by another person of the world. For every valid
// reply the golden answer is classed as the parent the shown document states, the world's true parent
// (in counterfactuals the two differ), or another name. A Generator that reads its document follows the
// stated parent in both; one that recalls follows the world's parent in the counterfactual.
// Run:
//   node --import ./scripts/register-hooks.mjs --import tsx scripts/recall-probe.ts [--model DIR] [--documents 48] [--samples 4]
import { resolve } from 'node:path';
import { parseFlags } from '../src/cli/args.ts';
import { loadRoleModel } from '../src/cli/run-inputs.ts';
import { Engine } from '../src/engine/engine.ts';
import { createEngineRoles } from '../src/infuser/engine-roles.ts';
import { buildGeneratorMessages } from '../src/infuser/prompts.ts';
import { parseGeneratorResponse } from '../src/infuser/question-parser.ts';
import { methodConfig, presetSettings } from '../src/experiment/settings.ts';
import { acquireFastGpu } from '../src/world/fast-node-gpu.ts';
import { buildWorld } from '../src/world/documents.ts';
import { worldStream } from '../src/world/facts.ts';

const FLAGS = { model: 'string', documents: 'number', samples: 'number' } as const;
const flags = parseFlags(process.argv.slice(2), FLAGS, 'recall-probe');
const count = (flags.documents as number | undefined) ?? 48;
const samples = (flags.samples as number | undefined) ?? 4;
const world = buildWorld();
const names = world.facts.people.map((p) => p.name);
const trueParent = new Map(world.facts.people.map((p) => [p.name, p.parent]));
const FACT = /(\w+) is the parent of (\w+)\./g;
const docs = world.documents.filter((d) => d.topic === 'kinship' && d.question_type === 'lookup').slice(0, count);

/** The document with every stated parent replaced by another person (seeded per document). */
function counterfactual(content: string, index: number): string {
  const s = worldStream(world.facts.seed, 'recall-probe', index);
  return content.replace(FACT, (_, parent: string, child: string) => {
    let other = parent;
    while (other === parent || other === child || other === trueParent.get(child)) other = names[s.nextInt(names.length)];
    return `${other} is the parent of ${child}.`;
  });
}

const config = methodConfig(presetSettings('full'), 'fixed', 1);
const engine = new Engine(await acquireFastGpu('gles'));
const { model } = await loadRoleModel(resolve((flags.model as string | undefined) ?? 'public/anchors/tiny-world'), '--generator');
const { generator } = createEngineRoles(engine, { generator: model, solver: model, config });
const sampling = { temperature: config['generator.rollout.temperature'], topP: config['generator.rollout.top_p'], maxNewTokens: 192 };

for (const [label, shown] of [['as written', (c: string) => c], ['counterfactual', counterfactual]] as const) {
  const tally = { replies: 0, valid: 0, asks: 0, stated: 0, world: 0, other: 0 };
  for (const [i, doc] of docs.entries()) {
    const content = shown(doc.content, i);
    const stated = new Map([...content.matchAll(FACT)].map((m) => [m[2], m[1]]));
    const promptIds = await generator.encodeChat(buildGeneratorMessages(content, config['generator.prompt_template']));
    const replies = await generator.sample({ promptIds, n: samples, stream: 'gen_sample', keys: [0, 'recall-probe', i], sampling });
    for (const r of replies) {
      tally.replies++;
      const p = parseGeneratorResponse(r.text);
      if (!p.ok) continue;
      tally.valid++;
      const child = /Who is the parent of (\w+)\?/.exec(p.question_text)?.[1];
      if (child === undefined || !stated.has(child)) continue;
      tally.asks++;
      if (p.ground_truth === stated.get(child)) tally.stated++;
      else if (p.ground_truth === trueParent.get(child)) tally.world++;
      else tally.other++;
    }
  }
  console.log(`${label}: ${docs.length} documents × ${samples}: ${tally.valid} of ${tally.replies} replies valid, ${tally.asks} ask for a stated child's parent; `
    + `golden = the stated parent ${tally.stated}, the world's parent ${tally.world}, another name ${tally.other}`);
}
process.exit(0);
