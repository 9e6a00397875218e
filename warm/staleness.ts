/**
 * Whether the code this process runs is still the code on disk. After start-up (every warm hook's
 * modules loaded), each loaded file's identity (inode, size, mtime) is recorded; a request finding any
 * of them changed (`npm update`, a rebuild, a package moved) is answered "stale" and the process ends,
 * so no verdict ever comes from code older than the cold path would run.
 */
import { statSync } from 'fs';

function identity(path: string): string {
  try {
    const stat = statSync(path);
    return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
  } catch {
    return 'gone';
  }
}

export class CodeSnapshot {
  private readonly files = new Map<string, string>();

  /** Records `paths` (the loaded modules, the package manifest) as they are now. */
  constructor(paths: Iterable<string>) {
    for (const path of paths) this.files.set(path, identity(path));
  }

  /** Adds files not seen before (modules loaded since), as they are now. */
  track(paths: Iterable<string>): void {
    for (const path of paths) if (!this.files.has(path)) this.files.set(path, identity(path));
  }

  get size(): number {
    return this.files.size;
  }

  /** The first file that changed since the snapshot, or null. */
  changed(): string | null {
    for (const [path, seen] of this.files) if (identity(path) !== seen) return path;
    return null;
  }
}
