/**
 * What commits change, streamed from one `git diff-tree --stdin` process.
 *
 * Flags: -r (whole paths), -z (no quoting), --no-renames (both sides of a rename), --root (root commits
 * against the empty tree), -c (for merges: only paths whose result differs from every parent, i.e. the
 * merge's own changes), --always (a header for every commit, even an empty one).
 */
import { spawn } from 'child_process';
import { gitEnv, GitError, traceSpawn } from './run';

export interface DiffEntry {
  path: string;
  /** Mode after the commit ("000000" when deleted). */
  dstMode: string;
  /** Object id after the commit (zeros when deleted). */
  dstOid: string;
}

export interface CommitDiff {
  commit: string;
  entries: DiffEntry[];
}

/**
 * A raw record `:<mode>×(n+1) <oid>×(n+1) <status>` for n parents (one colon per parent). Only the
 * result side is kept, cut at fixed offsets: pushes stream hundreds of thousands of these.
 */
function parseMeta(meta: string, path: string): DiffEntry {
  let parents = 0;
  while (meta.charCodeAt(parents) === 58 /* : */) parents += 1;
  const dstModeAt = parents + 7 * parents;
  const oidsAt = dstModeAt + 7;
  const oidLength = meta.indexOf(' ', oidsAt) - oidsAt;
  const dstOidAt = oidsAt + (oidLength + 1) * parents;
  return { path, dstMode: meta.slice(dstModeAt, dstModeAt + 6), dstOid: meta.slice(dstOidAt, dstOidAt + oidLength) };
}

/**
 * Streams the changes of `commits` (any iterable of oids) to `onCommit`, one commit at a time, in input
 * order. Memory is bounded by the largest single commit. Resolves when git has answered for all.
 */
export function streamCommitDiffs(
  cwd: string,
  commits: Iterable<string>,
  onCommit: (diff: CommitDiff) => void | Promise<void>,
  env?: NodeJS.ProcessEnv,
): Promise<void> {
  const args = ['diff-tree', '--stdin', '-r', '-z', '-c', '--no-renames', '--root', '--always', '--no-ext-diff', '--no-textconv'];
  return new Promise((resolve, reject) => {
    traceSpawn(args, env);
    const child = spawn('git', args, { cwd, env: gitEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    let pendingToken = '';
    let current: CommitDiff | null = null;
    let meta: string | null = null;
    let chain: Promise<void> = Promise.resolve();
    let failed = false;
    let inflight = 0;

    // Handlers may be async (they read blobs); pause git's output while they catch up so memory stays bounded.
    const emit = (diff: CommitDiff) => {
      inflight += 1;
      chain = chain.then(() => onCommit(diff))
        .catch((error) => { failed = true; child.kill(); reject(error); })
        .finally(() => { inflight -= 1; if (inflight === 0) child.stdout.resume(); });
    };
    const onToken = (token: string) => {
      if (meta !== null) {
        current!.entries.push(parseMeta(meta, token));
        meta = null;
      } else if (token.startsWith(':')) {
        meta = token;
      } else {
        if (current) emit(current);
        current = { commit: token.trim(), entries: [] };
      }
    };

    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const parts = (pendingToken + chunk).split('\0');
      pendingToken = parts.pop()!;
      for (const part of parts) onToken(part);
      if (inflight > 0) child.stdout.pause();
    });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
    child.stdin.on('error', () => { /* reported through the exit code */ });
    child.on('error', (error) => reject(new GitError(args, null, String(error), error)));
    child.on('close', (code) => {
      if (failed) return;
      if (code !== 0) return reject(new GitError(args, code, stderr));
      if (current) emit(current);
      chain.then(() => { if (!failed) resolve(); }, () => undefined);
    });

    (async () => {
      for (const commit of commits) {
        if (!child.stdin.write(`${commit}\n`)) await new Promise((r) => child.stdin.once('drain', r));
      }
      child.stdin.end();
    })().catch(reject);
  });
}
