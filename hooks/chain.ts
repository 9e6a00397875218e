/**
 * One hook file at a time: put ours in place, keeping a hook that is not ours as
 * `<hook>.coord-hooks-chained` (same bytes, same mode: it is moved, never rewritten), and put it back
 * on uninstall. Every change to the hook's own path is a rename, so git never sees a missing or
 * half-written hook while a push or commit runs.
 */
import { chmodSync, linkSync, lstatSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync, type Stats } from 'fs';
import { join } from 'path';
import { CoordError } from '../core/errors';
import { CHAINED_SUFFIX, chainedRunnerFor, isManagedScript, type ChainedRunner } from './template';

export type InstallAction = 'installed' | 'updated' | 'unchanged' | 'chained';
export type UninstallAction = 'removed' | 'restored' | 'not-ours' | 'absent';

export interface HookFilePlan {
  hook: string;
  path: string;
  chainedPath: string;
  /** What is at `path` now. */
  current: 'absent' | 'ours' | 'foreign';
  /** Whether `<hook>.coord-hooks-chained` exists now. */
  chainedExists: boolean;
}

export interface HookFileResult<A> {
  hook: string;
  path: string;
  action: A;
  /** The chained hook that our script runs (install) or that was put back (uninstall). */
  chainedPath?: string;
  note?: string;
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** The bytes at path (following a symlink), or null when there are none to read. */
function readOrNull(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch {
    return null;
  }
}

export function inspectHook(hooksDir: string, hook: string): HookFilePlan {
  const path = join(hooksDir, hook);
  const chainedPath = path + CHAINED_SUFFIX;
  const stat = lstatOrNull(path);
  if (stat?.isDirectory()) {
    throw new CoordError(`${path} is a directory, not a hook`, { hint: 'move it out of the hooks directory, then re-run the install' });
  }
  const content = stat ? readOrNull(path) : null;
  const current = !stat ? 'absent' : content && isManagedScript(content) ? 'ours' : 'foreign';
  return { hook, path, chainedPath, current, chainedExists: lstatOrNull(chainedPath) !== null };
}

/** Refuses, before anything is changed, a foreign hook that would displace a different chained one. */
export function checkInstallable(plan: HookFilePlan): void {
  if (plan.current !== 'foreign' || !plan.chainedExists) return;
  const here = readOrNull(plan.path);
  const kept = readOrNull(plan.chainedPath);
  if (here && kept && here.equals(kept)) return;
  throw new CoordError(`${plan.path} is not a coord-hooks script, and ${plan.chainedPath} already holds another chained hook`, {
    hint: `keep the one you want: merge them into one file, or delete one of them, then re-run the install`,
  });
}

/** Writes ours over `plan.path`; `render` gets how to run the chained hook, if there will be one. */
export function installHookFile(plan: HookFilePlan, render: (chained?: ChainedRunner) => string): HookFileResult<InstallAction> {
  const { hook, path, chainedPath } = plan;
  let action: InstallAction = plan.current === 'ours' ? 'updated' : plan.current === 'foreign' ? 'chained' : 'installed';
  let note: string | undefined;
  let hasChained = plan.chainedExists;
  if (plan.current === 'foreign' && plan.chainedExists) {
    // The same bytes as the chained copy (a hook manager rewrote its hook over ours): the copy stays.
    note = `identical to ${hook}${CHAINED_SUFFIX}, which is kept`;
  } else if (plan.current === 'foreign') {
    keepAside(path, chainedPath);
    hasChained = true;
  } else if (plan.chainedExists) {
    note = `keeps running ${hook}${CHAINED_SUFFIX}, found in place`;
  }
  if (hasChained && !isExecutable(chainedPath)) {
    note = `${hook}${CHAINED_SUFFIX} is not executable: git did not run it before, and neither does ours`;
  }
  const head = hasChained ? readOrNull(chainedPath) : null;
  const chained = hasChained ? (head ? chainedRunnerFor(head.subarray(0, 512)) : { kind: 'exec' as const }) : undefined;
  const script = render(chained);
  if (plan.current === 'ours' && readOrNull(path)?.equals(Buffer.from(script)) && (lstatSync(path).mode & 0o777) === 0o755) {
    action = 'unchanged';
  } else {
    writeAtomically(path, script);
  }
  return { hook, path, action, chainedPath: hasChained ? chainedPath : undefined, note };
}

export function uninstallHookFile(plan: HookFilePlan): HookFileResult<UninstallAction> {
  const { hook, path, chainedPath } = plan;
  if (plan.current === 'foreign') {
    const note = plan.chainedExists ? `${chainedPath} is left too: restore or delete it by hand` : undefined;
    return { hook, path, action: 'not-ours', note };
  }
  if (plan.chainedExists) {
    renameSync(chainedPath, path);
    return { hook, path, action: 'restored', chainedPath };
  }
  if (plan.current === 'ours') {
    unlinkSync(path);
    return { hook, path, action: 'removed' };
  }
  return { hook, path, action: 'absent' };
}

function isExecutable(path: string): boolean {
  try {
    return (statSync(path).mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/**
 * Moves a hook aside without a moment where none exists: a hard link keeps the very same file (bytes,
 * mode, owner) under the chained name; ours then replaces the original name by rename.
 */
function keepAside(path: string, chainedPath: string): void {
  if (lstatSync(path).isFile()) {
    try {
      linkSync(path, chainedPath);
      return;
    } catch {
      // No hard links on this file system: a plain rename (a brief gap until ours is written).
    }
  }
  renameSync(path, chainedPath);
}

function writeAtomically(path: string, content: string): void {
  const temp = `${path}.coord-hooks-tmp-${process.pid}`;
  try {
    writeFileSync(temp, content, { mode: 0o755 });
    chmodSync(temp, 0o755);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
