// Bad input to the model commands: each exits with code 1 and one clear stderr line naming the problem.
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, writeTinyModel } from './cli-test-helpers.ts';

let dir = '';

beforeAll(async () => {
  dir = await writeTinyModel('LlamaForCausalLM', {}, 2);
});

async function expectFailure(args: string[], message: RegExp): Promise<void> {
  const r = await runCli(args);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(message);
  expect(r.code).toBe(1);
}

/** A copy of the model folder with `change` applied. */
async function brokenCopy(change: (copy: string) => Promise<void>): Promise<string> {
  const copy = join(await tempDir('broken'), 'model');
  await cp(dir, copy, { recursive: true });
  await change(copy);
  return copy;
}

describe('model commands reject bad input with exit code 1', () => {
  it('a missing model folder', async () => {
    await expectFailure(['logits', '--model', '/nonexistent/model', '--ids', '1,2'], /infuser-lab logits: model folder '\/nonexistent\/model' does not exist/);
  });

  it('ids that are not integers, and an id outside the vocabulary', async () => {
    await expectFailure(['logits', '--model', dir, '--ids', '1,x,3'], /--ids: item 2 \('x'\) is not a non-negative integer/);
    await expectFailure(['grad', '--model', dir, '--ids', '1,40', '--out', '/tmp/never.safetensors'], /--ids: id 40 \(item 2\) is outside the vocabulary \[0, 37\)/);
    await expectFailure(['grad', '--model', dir, '--ids', '5', '--out', '/tmp/never.safetensors'], /needs at least 2 token ids/);
  });

  it('a truncated model.safetensors names the file and says it is truncated', async () => {
    const copy = await brokenCopy(async (c) => {
      const bytes = await readFile(join(c, 'model.safetensors'));
      await writeFile(join(c, 'model.safetensors'), bytes.subarray(0, bytes.length >> 1));
    });
    await expectFailure(['logits', '--model', copy, '--ids', '1,2'], /model\.safetensors.*truncated/);
  });

  it('a folder without config.json, and generate without tokenizer.json', async () => {
    const copy = await brokenCopy((c) => rm(join(c, 'config.json')));
    await expectFailure(['export-onnx', '--model', copy, '--out', '/tmp/never.onnx'], /config\.json is missing/);
    await expectFailure(['generate', '--model', dir, '--prompt', 'hi'], /tokenizer\.json is missing/);
  });

  it('a missing required flag and an unknown flag', async () => {
    await expectFailure(['logits', '--ids', '1,2'], /--model is required/);
    await expectFailure(['init-model', '--arch', 'gpt2', '--out', '/tmp/never'], /--arch must be llama, qwen2 or qwen3/);
    await expectFailure(['logits', '--model', dir, '--ids', '1', '--batch', '2'], /unknown option --batch/);
  });
});
