import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUILTIN_WORLDS } from './builtin-worlds.ts';

// The app serves public/ at the root, so every URL a built-in world names must be a shipped file.
const shipped = (url: string): string => `public${url}`;

describe('built-in worlds', () => {
  it.each(Object.entries(BUILTIN_WORLDS))('%s: its pool and anchors are in public/', (_, world) => {
    const docs = JSON.parse(readFileSync(shipped(world.documentsUrl), 'utf8')) as unknown[];
    expect(docs.length).toBeGreaterThan(100);
    for (const file of ['config.json', 'tokenizer.json', 'model.safetensors']) expect(existsSync(shipped(world.anchors.base + file))).toBe(true);
    const dev = JSON.parse(readFileSync(shipped(world.devUrl), 'utf8')) as unknown[];
    expect(dev.length).toBeGreaterThanOrEqual(32);
  });

  it.each(Object.entries(BUILTIN_WORLDS))('%s: its anchors\' model card names its pool as the training world', (_, world) => {
    const card = readFileSync(shipped(`${world.anchors.base}MODEL_CARD.md`), 'utf8');
    expect(card).toMatch(new RegExp(`^- World: .*\\(\\d+ documents in ${shipped(world.documentsUrl)}`, 'm'));
    // The target set it was measured on is the one the lab loads with this pool.
    expect(card).toMatch(new RegExp(`^- World: .* dev MCQs in ${shipped(world.devUrl)}`, 'm'));
  });
});
