/**
 * Remotes that are paths on this machine (`/srv/repo.git`, `file:///srv/repo.git`, `../repo.git`):
 * git pushes to them by writing into their git directory itself, so the sandbox must let it.
 */
import { existsSync, realpathSync } from 'fs';
import { isAbsolute, join, resolve } from 'path';
import type { GitRepo } from '../git/repo';

/** The git directory a remote URL names on this machine, or null for a network URL or a missing path. */
export function localGitDir(url: string, top: string): string | null {
  let path: string;
  if (url.startsWith('file://')) path = decodeURIComponent(url.slice('file://'.length));
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return null; // ssh://, https://, git://
  else if (!isAbsolute(url) && /^[^/]*:/.test(url)) return null; // scp-like host:path
  else path = isAbsolute(url) ? url : resolve(top, url);
  if (!existsSync(path)) return null;
  const real = realpathSync(path);
  return existsSync(join(real, '.git')) ? realpathSync(join(real, '.git')) : real;
}

/** Git directories of this clone's local-path remotes (fetch and push URLs). */
export async function localRemoteGitDirs(repo: GitRepo, top: string): Promise<string[]> {
  const { stdout } = await repo.run(['config', '-z', '--get-regexp', '^remote\\..*\\.(push)?url$'], { okCodes: [1] });
  const dirs = new Set<string>();
  for (const entry of stdout.toString('utf8').split('\0')) {
    const newline = entry.indexOf('\n');
    if (newline < 0) continue;
    const dir = localGitDir(entry.slice(newline + 1), top);
    if (dir) dirs.add(dir);
  }
  return [...dirs];
}
