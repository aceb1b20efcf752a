// Where an anchor fine-tune starts (train-anchors --init): a folder on disk, or `git:COMMIT[:DIR]`, a
// folder as an earlier commit holds it, read from git history. Parsed once here for the script and
// its model card.

/** The anchor folder of the built-in world, the default DIR of a git: spec. */
export const ANCHOR_DIR = 'public/anchors/tiny-world';

export type AnchorInit = { kind: 'folder'; dir: string } | { kind: 'git'; commit: string; dir: string };

export function parseAnchorInit(spec: string): AnchorInit {
  if (!spec.startsWith('git:')) return { kind: 'folder', dir: spec };
  const [commit, dir = ANCHOR_DIR, ...rest] = spec.slice(4).split(':');
  if (!commit || !dir || rest.length > 0) throw new Error(`--init=${spec}: expected git:COMMIT or git:COMMIT:DIR`);
  return { kind: 'git', commit, dir };
}
