// What a Generator anchor writes when it asks an arithmetic question: samples 4 replies for each of the
// first N pool documents that state a sum's facts ("more", "lasted", "miles long"), keeps the questions
// the world's kind check calls arithmetic, and tallies the label check's verdicts; replies with a wrong or
// unanswerable label are printed whole. Sampling as a run's iteration 0 (temperature 0.7, stream gen_sample).
//   node --import ./scripts/register-hooks.mjs --import tsx scripts/arithmetic-probe.ts MODEL_DIR [--documents=40] [--pool=public/world-mixed/documents.json]
import { loadPool, loadRoleModel } from '../src/cli/run-inputs.ts';
import { Engine } from '../src/engine/engine.ts';
import { createEngineRoles } from '../src/infuser/engine-roles.ts';
import { buildGeneratorMessages } from '../src/infuser/prompts.ts';
import { parseGeneratorResponse } from '../src/infuser/question-parser.ts';
import { methodConfig, presetSettings } from '../src/experiment/settings.ts';
import { acquireFastGpu } from '../src/world/fast-node-gpu.ts';
import { checkLabel, questionKind } from '../src/world/question-check.ts';

const flag = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;

async function main(): Promise<void> {
  const modelDir = process.argv.slice(2).find((a) => !a.startsWith('--'));
  if (!modelDir) throw new Error('arithmetic-probe: name the anchor folder, e.g. public/anchors/tiny-world-mixed');
  const count = Number(flag('documents', '40'));
  if (!Number.isInteger(count) || count < 1) throw new Error(`arithmetic-probe: --documents must be a positive integer, got ${flag('documents', '40')}`);
  const settings = presetSettings('full');
  settings.overrides = { ...settings.overrides, 'generator.rollout.response_length': 192 };
  const config = methodConfig(settings, 'fixed', 1);
  const engine = new Engine(await acquireFastGpu('gles'));
  const { model } = await loadRoleModel(modelDir, '--generator');
  const { documents } = await loadPool(flag('pool', 'public/world-mixed/documents.json'), model.tokenizer, config, () => {});
  const roles = createEngineRoles(engine, { generator: model, solver: model, config });
  const picked = documents.filter((d) => /more |lasted|miles long/.test(d.content)).slice(0, count);
  const tally: Record<string, number> = {};
  const bump = (k: string) => { tally[k] = (tally[k] ?? 0) + 1; };
  for (let slot = 0; slot < picked.length; slot++) {
    const promptIds = await roles.generator.encodeChat(buildGeneratorMessages(picked[slot].content, config['generator.prompt_template']));
    const samples = await roles.generator.sample({ promptIds, n: 4, stream: 'gen_sample', keys: [0, slot], sampling: { temperature: 0.7, topP: 1, maxNewTokens: 192 } });
    for (const s of samples) {
      const p = parseGeneratorResponse(s.text, { allowDuplicateChoices: true });
      if (!p.ok) { bump(`not parsed (${p.reason})`); continue; }
      const kind = questionKind(p.question_text);
      if (kind?.[1] !== 'arithmetic') { bump('another kind'); continue; }
      const v = checkLabel(p.question_text, p.ground_truth);
      bump(`${kind.join('/')}: ${v.verdict}`);
      if (v.verdict !== 'right') console.log(`${v.verdict} (expected ${v.expected}): ${s.text}`);
    }
  }
  console.log(`\n${picked.length} documents × 4 replies:`);
  for (const [k, n] of Object.entries(tally).sort()) console.log(`  ${k}: ${n}`);
}

main().then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(1);
});
