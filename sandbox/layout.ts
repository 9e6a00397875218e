/**
 * A plan made concrete on this machine: which paths exist, which are bound read-write or read-only,
 * in which order, and what had to be created or left out. Checks symbolic links so that a writable
 * entry can never open a path outside the repository. Used by the bubblewrap runner (bwrap.ts).
 */
import { existsSync, mkdirSync, realpathSync, statSync, writeFileSync } from 'fs';
import { dirname, isAbsolute, join } from 'path';
import type { SandboxPlan } from './plan';

export interface Mount {
  path: string;
  mode: 'ro' | 'rw';
}

export interface Layout {
  /** Bind mounts in the order they must be made: outer paths first, read-only last at the same path. */
  mounts: Mount[];
  /** What the operator should know: paths created, left out, not protectable. */
  notes: string[];
}

export interface LayoutOptions {
  /** $HOME: bound read-only (visible even when it lies under the private /tmp). */
  home?: string;
  /** Git directories of local-path remotes: bound read-write (git writes into them to push), their hooks and config read-only. */
  remoteGitDirs?: string[];
  /** Extra absolute paths outside the repository the program may write (e.g. ~/.claude for Claude Code). */
  extraWritable?: string[];
  /** Paths bound read-only (the program to run, when it lies under the private /tmp). */
  extraReadOnly?: string[];
  /** Do not create anything: describe what would be done (`--print`). */
  dryRun?: boolean;
}

const inside = (path: string, dir: string): boolean => path === dir || dir === '/' || path.startsWith(`${dir}/`);
const depth = (path: string): number => (path === '/' ? 0 : path.split('/').length - 1);

function realOrNull(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

/** The nearest existing ancestor of path (path itself when it exists). */
function nearestExisting(path: string): string {
  let current = path;
  while (!existsSync(current) && dirname(current) !== current) current = dirname(current);
  return current;
}

/** Outer mounts first; at the same path a read-only mount replaces a read-write one (deny beats allow). */
export function orderMounts(mounts: Mount[]): Mount[] {
  const byPath = new Map<string, Mount>();
  for (const mount of mounts) {
    const known = byPath.get(mount.path);
    if (!known || mount.mode === 'ro') byPath.set(mount.path, mount);
  }
  return [...byPath.values()].sort((a, b) => depth(a.path) - depth(b.path) || a.path.localeCompare(b.path));
}

export function makeLayout(plan: SandboxPlan, options: LayoutOptions = {}): Layout {
  const notes: string[] = [];
  const mounts: Mount[] = [{ path: plan.top, mode: 'ro' }];
  const rel = (path: string) => (inside(path, plan.top) ? path.slice(plan.top.length + 1) || '.' : path);
  const inGit = (path: string) => plan.gitWritable.some((dir) => inside(path, dir));
  const verb = options.dryRun ? 'would create' : 'created';

  if (options.home && existsSync(options.home)) mounts.push({ path: options.home, mode: 'ro' });
  for (const path of options.extraReadOnly ?? []) if (isAbsolute(path) && existsSync(path)) mounts.push({ path, mode: 'ro' });

  for (const path of plan.writable) {
    if (!existsSync(path)) {
      if (!plan.createDirs.includes(path)) {
        notes.push(`${rel(path)} does not exist: it stays read-only in the sandbox (create it outside, or commit it, first)`);
        continue;
      }
      const base = nearestExisting(path);
      const realBase = realOrNull(base);
      if (realBase !== base || !inside(base, plan.top) || inGit(base) || !statSync(base).isDirectory()) {
        notes.push(`${rel(path)} cannot be created (${rel(base)} is a symbolic link or not a directory): it stays read-only`);
        continue;
      }
      if (!options.dryRun) mkdirSync(path, { recursive: true });
      notes.push(`${verb} the empty directory ${rel(path)}/ so that the team can write there (git does not track empty directories)`);
      if (options.dryRun) {
        mounts.push({ path, mode: 'rw' });
        continue;
      }
    }
    if (realOrNull(path) !== path) {
      notes.push(`${rel(path)} is, or passes through, a symbolic link: it stays read-only (binding it would open its target)`);
      continue;
    }
    mounts.push({ path, mode: 'rw' });
  }
  for (const dir of plan.gitWritable) mounts.push({ path: dir, mode: 'rw' });

  const gitReadOnly: string[] = [];
  for (const dir of options.remoteGitDirs ?? []) {
    if (inside(dir, plan.top) || inside(plan.top, dir)) {
      notes.push(`the local remote ${dir} overlaps the repository: it stays read-only (push from outside the sandbox)`);
      continue;
    }
    mounts.push({ path: dir, mode: 'rw' });
    gitReadOnly.push(join(dir, 'hooks'), join(dir, 'config'));
    notes.push(`the local remote ${dir} is writable (git writes into it to push), its hooks and config are not`);
  }
  for (const path of options.extraWritable ?? []) {
    if (!isAbsolute(path) || inside(path, plan.top) || inside(plan.top, path)) {
      notes.push(`--allow-write ${path} ignored: it must be an absolute path outside the repository`);
      continue;
    }
    if (!existsSync(path)) {
      notes.push(`--allow-write ${path} ignored: it does not exist`);
      continue;
    }
    mounts.push({ path, mode: 'rw' });
  }

  const writableRoots = mounts.filter((mount) => mount.mode === 'rw').map((mount) => mount.path);
  for (const path of [...plan.readOnly, ...gitReadOnly]) {
    if (!writableRoots.some((root) => inside(path, root))) continue; // read-only already
    if (existsSync(path)) {
      mounts.push({ path, mode: 'ro' });
      continue;
    }
    // A missing entry of a git directory or .claude/.coord at the top can be created where git never
    // looks for content; anything else would become an untracked file, so it is reported instead.
    const creatable = inGit(path) || gitReadOnly.includes(path) || path === join(plan.top, '.claude') || path === join(plan.top, '.coord');
    if (!creatable) {
      notes.push(`${rel(path)} does not exist: the sandbox cannot keep it from being created (the git hooks reject it)`);
      continue;
    }
    if (!options.dryRun) {
      if (path.endsWith('/config.worktree') || path.endsWith('/config') || path.endsWith('/commondir') || path.endsWith('/gitdir')) writeFileSync(path, '', { flag: 'a' });
      else mkdirSync(path, { recursive: true });
    }
    mounts.push({ path, mode: 'ro' });
  }
  return { mounts: orderMounts(mounts), notes };
}
