/**
 * What commits change, streamed from one `git diff-tree --stdin` process.
 *
 * Flags: -r (whole paths), -z (no quoting), --no-renames (both sides of a rename), --root (root commits
 * against the empty tree), -c (for merges: only paths whose result differs from every parent, i.e. the
 * merge's own changes), --always (a header for every commit, even an empty one).
 *
 * Lean on purpose: a push streams hundreds of thousands of records. They are cut out of git's raw
 * buffers at fixed offsets, no object is made per path (the path is one latin1 string: git's bytes,
 * which is what pathspecs are matched against; the mode a number; the object id read only on demand),
 * and git's pipe keeps flowing: it pauses only while many asynchronous verdicts are outstanding.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'child_process';
import { gitEnv, GitError, traceSpawn } from './run';

/** One record, valid only during the `path` call that receives it (the object is reused). */
export interface DiffRecord {
  /** The commit that writes the path. */
  readonly commit: string;
  /** The path as git's bytes, one character per byte (latin1). */
  readonly pathBytes: string;
  /** The mode after the commit as a number (0o100644, 0o120000; 0 when deleted). */
  readonly mode: number;
  /** The object id after the commit (zeros when deleted). */
  oid(): string;
}

export interface DiffSink {
  /** Each commit's header, before its paths (also for a commit that changes nothing). */
  commit(commit: string): void;
  /** Each path; a promise only when the verdict needs asynchronous work (the stream runs those in order). */
  path(record: DiffRecord): void | Promise<void>;
}

/** Outstanding asynchronous verdicts before git's pipe is paused: bounds memory, rarely reached. */
const MAX_PENDING = 256;
const COLON = 0x3a;

/** The raw record `:<mode>×(n+1) <oid>×(n+1) <status>` for n parents; only the result side is read. */
class Cursor implements DiffRecord {
  commit = '';
  pathBytes = '';
  mode = 0;
  private buf: Buffer = Buffer.alloc(0);
  private oidAt = 0;
  private oidLength = 0;

  /** Reads the meta record at [start, end) of `buf`. */
  set(buf: Buffer, start: number, end: number): void {
    let parents = 0;
    while (buf[start + parents] === COLON) parents += 1;
    const modeAt = start + parents + 7 * parents;
    let mode = 0;
    for (let i = modeAt; i < modeAt + 6; i++) mode = mode * 8 + (buf[i] - 48);
    this.mode = mode;
    const oidsAt = modeAt + 7;
    const space = buf.indexOf(0x20, oidsAt);
    this.oidLength = (space < 0 || space > end ? end : space) - oidsAt;
    this.oidAt = oidsAt + (this.oidLength + 1) * parents;
    this.buf = buf;
  }

  oid(): string {
    return this.buf.toString('latin1', this.oidAt, this.oidAt + this.oidLength);
  }
}

const DIFF_ARGS = ['diff-tree', '--stdin', '-r', '-z', '-c', '--no-renames', '--root', '--always', '--no-ext-diff', '--no-textconv'];

/** A `git diff-tree --stdin` started before its commits are known, and what it did until a stream takes it over. */
export interface StartedDiff {
  child: ChildProcessWithoutNullStreams;
  early: { error?: Error; closed: boolean; code: number | null };
}

/**
 * Starts the diff-tree process now, so that its start-up overlaps the work that finds the commits
 * (streamCommitPaths takes it over). Unused, it ends when its input is closed (GitRepo.close()).
 */
export function startDiffTree(cwd: string, env?: NodeJS.ProcessEnv): StartedDiff {
  traceSpawn(DIFF_ARGS, env);
  const child = spawn('git', DIFF_ARGS, { cwd, env: gitEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
  const early: StartedDiff['early'] = { closed: false, code: null };
  child.on('error', (error) => { early.error = error; });
  child.on('close', (code) => { early.closed = true; early.code = code; });
  child.stdin.on('error', () => { /* reported through the exit code */ });
  return { child, early };
}

/**
 * Streams the changes of `commits` (any iterable of oids) to `sink`, in input order. Memory is bounded
 * by one chunk of git's output plus the outstanding verdicts. Resolves when git has answered for all
 * and every verdict has settled.
 */
export function streamCommitPaths(cwd: string, commits: Iterable<string>, sink: DiffSink, env?: NodeJS.ProcessEnv, started?: StartedDiff): Promise<void> {
  const { child, early } = started ?? startDiffTree(cwd, env);
  const args = DIFF_ARGS;
  return new Promise((resolve, reject) => {
    const cursor = new Cursor();
    let stderr = '';
    let rest: Buffer | null = null;
    let chain: Promise<void> = Promise.resolve();
    let pending = 0;
    let paused = false;
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      child.kill();
      reject(error);
    };

    const queue = (work: Promise<void>) => {
      work.catch(() => undefined); // handled: its failure reaches `chain` below, in order
      pending += 1;
      chain = chain.then(() => work).then(() => {
        pending -= 1;
        if (paused && pending < MAX_PENDING / 2) { paused = false; child.stdout.resume(); }
      });
      chain.catch(fail);
      if (pending >= MAX_PENDING && !paused) { paused = true; child.stdout.pause(); }
    };

    /** Consumes every complete record of `buf`; returns where the incomplete one starts. */
    const consume = (buf: Buffer): number => {
      let at = 0;
      while (at < buf.length) {
        const end = buf.indexOf(0, at);
        if (end < 0) return at;
        if (buf[at] === COLON) {
          const pathEnd = buf.indexOf(0, end + 1);
          if (pathEnd < 0) return at;
          cursor.set(buf, at, end);
          cursor.pathBytes = buf.toString('latin1', end + 1, pathEnd);
          const work = sink.path(cursor);
          if (work) queue(work);
          at = pathEnd + 1;
        } else {
          cursor.commit = buf.toString('latin1', at, end).trim();
          sink.commit(cursor.commit);
          at = end + 1;
        }
      }
      return at;
    };

    child.stdout.on('data', (chunk: Buffer) => {
      if (failed) return;
      const buf = rest ? Buffer.concat([rest, chunk]) : chunk;
      try {
        const used = consume(buf);
        rest = used < buf.length ? buf.subarray(used) : null;
      } catch (error) {
        fail(error);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
    child.stdin.on('error', () => { /* reported through the exit code */ });
    const closed = (code: number | null) => {
      if (failed) return;
      if (code !== 0) return fail(new GitError(args, code, stderr));
      if (rest && rest.length) return fail(new GitError(args, code, `diff-tree output ended inside a record (${rest.length} bytes left)`));
      chain.then(() => { if (!failed) resolve(); }, () => undefined);
    };
    // What happened before this stream took the process over (a failed start) is handled as if it happened now.
    if (early.error) fail(new GitError(args, null, String(early.error), early.error));
    else if (early.closed) closed(early.code);
    child.on('error', (error) => fail(new GitError(args, null, String(error), error)));
    child.on('close', closed);

    (async () => {
      // Up to 1,000 ids per write: one write (and one system call) per id cost ~2 ms per 1,000 commits.
      let batch = '';
      let count = 0;
      const flush = async () => {
        const text = batch;
        batch = '';
        count = 0;
        if (text && !child.stdin.write(text)) await new Promise((r) => child.stdin.once('drain', r));
      };
      for (const commit of commits) {
        batch += `${commit}\n`;
        if (++count >= 1000) await flush();
      }
      await flush();
      child.stdin.end();
    })().catch(fail);
  });
}
