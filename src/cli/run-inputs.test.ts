import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildConfig } from '../infuser/config.ts';
import { DEFAULT_INPUTS, loadDev } from './run-inputs.ts';
import { devJson } from './run-test-fixtures.ts';

const config = buildConfig();

describe('loadDev', () => {
  it('names the flag its file came from in warnings and errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'run-inputs-'));
    const path = join(dir, 'heldout.json');
    writeFileSync(path, devJson(3));
    const warnings: string[] = [];
    const { questions } = await loadDev(path, 'auto', config, (m) => warnings.push(m), 5, '--heldout-file');
    expect(questions).toHaveLength(3);
    expect(warnings).toContain('--heldout-file: 3 questions, fewer than 5; using all of them');
    await expect(loadDev(join(dir, 'missing.json'), 'auto', config, () => {}, 5, '--heldout-file'))
      .rejects.toThrow(`--heldout-file ${join(dir, 'missing.json')}: no such file or folder`);
    // The default flag stays --dev.
    await expect(loadDev(join(dir, 'missing.json'), 'auto', config, () => {})).rejects.toThrow(/^--dev .*no such file or folder/);
  });

  it('the built-in held-out file loads: 480 questions of the dev kinds', async () => {
    const { questions } = await loadDev(DEFAULT_INPUTS.heldout, 'auto', config, () => {}, 480, '--heldout-file');
    expect(questions).toHaveLength(480);
    expect(questions[0].question_id).toBe('world_heldout_000');
    expect(new Set(questions.map((q) => `${String(q.extra.topic)}/${String(q.extra.question_type)}`)).size).toBe(6);
  });
});
