import { strToU8, unzipSync, strFromU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { buildConfig, configToJson } from '../infuser/config.ts';
import { isRunFilePath, readRunFolder, runFolderToZip } from './run-folder.ts';
import { row } from './test-rows.ts';

const config = buildConfig({ overrides: { 'training.seed': 5 } });
const metrics = [{ 'train/ans_loop': 0, 'dev_rollout/accuracy_strict': 0.25 }];
const questions = [row({ iteration: 0, slot: 0, row: 0, doc_id: 'd1', question: '<b>not bold</b>', layer_scores: [0.1, -0.2] })];
const file = (path: string, text: string) => ({ path, bytes: strToU8(text) });

describe('run folder', () => {
  it('round-trips through a zip: same config, metrics and question rows', () => {
    const zip = runFolderToZip({ name: 'my run!', config, metrics, questions });
    expect(Object.keys(unzipSync(zip)).sort()).toEqual(['my-run/config.json', 'my-run/metrics.jsonl', 'my-run/questions.jsonl']);
    const back = readRunFolder([{ path: 'download.zip', bytes: zip }]);
    expect(back).toEqual({ name: 'my-run', config, metrics, questions });
  });

  it('reads the three files of a picked folder, named after the folder', () => {
    const files = [
      file('runs/seed5/config.json', configToJson(config)),
      file('runs/seed5/metrics.jsonl', '{"train/ans_loop":0}\n\n{"train/ans_loop":1}\n'),
      file('runs/seed5/questions.jsonl', ''),
    ];
    const run = readRunFolder(files);
    expect(run.name).toBe('seed5');
    expect(run.metrics).toEqual([{ 'train/ans_loop': 0 }, { 'train/ans_loop': 1 }]);
    expect(run.questions).toEqual([]);
  });

  it('reads a CLI run folder: the top-level files win over checkpoints/*/config.json, other files are not wanted', () => {
    const files = [
      file('cli-run/checkpoints/latest/config.json', '{"training.seed": 99}'),
      file('cli-run/config.json', configToJson(config)),
      file('cli-run/metrics.jsonl', '{"train/ans_loop":0}'),
      file('cli-run/questions.jsonl', ''),
    ];
    const run = readRunFolder(files);
    expect([run.name, run.config['training.seed']]).toEqual(['cli-run', 5]);
    expect(['a/config.json', 'a/b.zip', 'a/checkpoints/latest/model.safetensors', 'a/data/dev.json'].map(isRunFilePath))
      .toEqual([true, true, false, false]);
  });

  it('names the file, line and field of a bad row', () => {
    const base = [file('config.json', '{}'), file('metrics.jsonl', '{"train/ans_loop":0}\n')];
    const bad = { ...questions[0], solver_accuracy: 'high' };
    expect(() => readRunFolder([...base, file('questions.jsonl', `\n${JSON.stringify(bad)}\n`)]))
      .toThrow('questions.jsonl:2: "solver_accuracy" must be a number or null, got "high"');
    expect(() => readRunFolder([...base.slice(0, 1), file('metrics.jsonl', '{"x":1}'), file('questions.jsonl', '')]))
      .toThrow('metrics.jsonl:1: every metric record needs "train/ans_loop"');
    expect(() => readRunFolder(base)).toThrow(/questions.jsonl is missing/);
    expect(() => readRunFolder([file('config.json', '{"training.seed":-1}'), ...base.slice(1), file('questions.jsonl', '')]))
      .toThrow(/config.json: Config key "training.seed"/);
  });

  it('keeps untrusted text byte for byte', () => {
    const zip = runFolderToZip({ name: 'r', config, metrics, questions });
    expect(strFromU8(unzipSync(zip)['r/questions.jsonl'])).toContain('"question":"<b>not bold</b>"');
  });
});
