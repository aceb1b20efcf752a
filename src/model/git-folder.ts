// A read-only Folder over a directory as one git commit holds it (node only: runs `git show`), so a
// script can start from weights the repository shipped earlier without a copy on disk: the staged
// anchor recipe fine-tunes the anchors of an older commit (scripts/train-anchors.ts --init=git:COMMIT).
import { execFileSync } from 'node:child_process';
import { bytesByteSource, type ByteSource } from './byte-source.ts';
import { checkFileName, type FolderReader } from './folder-access.ts';

export class GitFolder implements FolderReader {
  readonly name: string;

  /**
   * @param commit a commit (or any revision git understands) holding the folder
   * @param dir the folder's path from the repository root, e.g. public/anchors/tiny-world
   * @param repo a directory inside the repository (default: the working directory)
   */
  constructor(readonly commit: string, readonly dir: string, readonly repo = process.cwd()) {
    this.name = `${dir} at commit ${commit}`;
    try {
      execFileSync('git', ['cat-file', '-e', `${commit}^{commit}`], { cwd: repo, stdio: 'ignore' });
    } catch {
      throw new Error(`${this.name}: this repository has no commit ${commit} (a shallow clone lacks old commits: run git fetch --unshallow)`);
    }
  }

  async openFile(fileName: string): Promise<ByteSource | null> {
    checkFileName(this.name, fileName);
    const path = `${this.commit}:${this.dir.replace(/\/+$/, '')}/${fileName}`;
    try {
      execFileSync('git', ['cat-file', '-e', path], { cwd: this.repo, stdio: 'ignore' });
    } catch {
      return null;
    }
    const bytes = execFileSync('git', ['cat-file', 'blob', path], { cwd: this.repo, maxBuffer: 1 << 30 });
    return bytesByteSource(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), `${fileName} (${this.name})`);
  }
}
