import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readText } from './byte-source.ts';
import { GitFolder } from './git-folder.ts';

// A repository of its own, so the test holds in any checkout (shallow clones and tarballs included).
const repo = mkdtempSync(join(tmpdir(), 'git-folder-'));
const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: repo }).toString().trim();
git('init', '-q');
mkdirSync(join(repo, 'anchors/tiny'), { recursive: true });
const weights = Uint8Array.from({ length: 3000 }, (_, i) => (i * 37) & 255);
writeFileSync(join(repo, 'anchors/tiny/config.json'), '{"first": true}');
writeFileSync(join(repo, 'anchors/tiny/model.safetensors'), weights);
git('add', '.');
git('commit', '-q', '-m', 'first');
const first = git('rev-parse', 'HEAD');
writeFileSync(join(repo, 'anchors/tiny/config.json'), '{"first": false}');
git('commit', '-q', '-am', 'second');
afterAll(() => rmSync(repo, { recursive: true, force: true }));

describe('GitFolder', () => {
  it('reads files as the given commit holds them, binary ones byte for byte', async () => {
    const folder = new GitFolder(first.slice(0, 7), 'anchors/tiny/', repo);
    expect(await readText((await folder.openFile('config.json'))!)).toBe('{"first": true}');
    const blob = (await folder.openFile('model.safetensors'))!;
    expect(blob.size).toBe(3000);
    expect(await blob.read(0, 3000)).toEqual(weights);
    expect(await readText((await new GitFolder('HEAD', 'anchors/tiny', repo).openFile('config.json'))!)).toBe('{"first": false}');
  });

  it('answers null for a missing file and names the commit it lacks', async () => {
    expect(await new GitFolder('HEAD', 'anchors/tiny', repo).openFile('tokenizer.json')).toBeNull();
    expect(() => new GitFolder('0123abc', 'anchors/tiny', repo)).toThrow(/anchors\/tiny at commit 0123abc: this repository has no commit 0123abc.*fetch --unshallow/);
    await expect(new GitFolder('HEAD', 'anchors/tiny', repo).openFile('../x')).rejects.toThrow(/not a plain relative path/);
  });
});
