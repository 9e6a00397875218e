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
  /** Mode and object id before, one per parent (one for an ordinary commit). "000000" = absent. */
  srcModes: string[];
  srcOids: string[];
  dstMode: string;
  dstOid: string;
  /** Status letter(s): one per parent (A, M, D, T, ...). */
  status: string;
}

export interface CommitDiff {
  commit: string;
  entries: DiffEntry[];
}

export const NULL_OID = /^0+$/;

function parseMeta(meta: string, path: string): DiffEntry {
  const colons = meta.match(/^:+/)![0].length;
  const fields = meta.slice(colons).split(' ');
  const parents = colons;
  return {
    path,
    srcModes: fields.slice(0, parents),
    dstMode: fields[parents],
    srcOids: fields.slice(parents + 1, 2 * parents + 1),
    dstOid: fields[2 * parents + 1],
    status: fields[2 * parents + 2] ?? '',
  };
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
