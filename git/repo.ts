/**
 * A repository as the rest of coord-hooks sees it: named operations over plumbing, bound to one
 * directory and one environment. Only git/ spawns git.
 */
import { CatFileBatch } from './batch';
import { startDiffTree, streamCommitPaths, type DiffSink, type StartedDiff } from './diff';
import { memoizedRead, readKind, readMemoEnabled } from './read-memo';
import { git, splitZ, firstLine, type GitCallOptions } from './run';

export const ZERO_OID = '0000000000000000000000000000000000000000';
export const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

export interface TreeChange {
  path: string;
  status: string;
  srcMode: string;
  dstMode: string;
  dstOid: string;
}

export interface RefInfo {
  name: string;
  oid: string;
  /** Object type of the ref's target (commit, tag, ...). */
  type: string;
}

export class GitRepo {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  private batch: CatFileBatch | null = null;
  /** A diff-tree started ahead of its commits (prepareDiff), taken over by the next diffCommits. */
  private spareDiff: StartedDiff | null = null;
  private readonly memos = new Map<string, Promise<unknown>>();

  constructor(cwd: string, env?: NodeJS.ProcessEnv) {
    this.cwd = cwd;
    this.env = env;
  }

  private opts(extra: Partial<GitCallOptions> = {}): GitCallOptions {
    return { cwd: this.cwd, env: this.env, ...extra };
  }

  run(args: string[], extra: Partial<GitCallOptions> = {}) {
    // In the warm process, config reads and the where-am-I rev-parse are answered from git/read-memo.ts while their files are unchanged.
    return readMemoEnabled() && readKind(args) ? memoizedRead(args, this.opts(extra)) : git(args, this.opts(extra));
  }

  /** Computes a value once per repository object (answers that cannot change during one command). */
  memo<T>(key: string, make: () => Promise<T>): Promise<T> {
    if (!this.memos.has(key)) this.memos.set(key, make());
    return this.memos.get(key) as Promise<T>;
  }

  /** Records an answer already known (e.g. from a combined rev-parse) so memo(key) does not ask git again. */
  seed<T>(key: string, value: T): void {
    this.memos.set(key, Promise.resolve(value));
  }

  /** The shared cat-file process; closed by close(). */
  objects(): CatFileBatch {
    if (!this.batch) this.batch = new CatFileBatch(this.cwd, this.env);
    return this.batch;
  }

  close(): void {
    this.batch?.close();
    this.batch = null;
    // An unused diff-tree ends when its input ends.
    this.spareDiff?.child.stdin.end();
    this.spareDiff = null;
  }

  /** Resolves a revision to an object id, or null when it does not exist. */
  async resolve(rev: string): Promise<string | null> {
    const result = await this.run(['rev-parse', '--verify', '--quiet', '--end-of-options', rev], { okCodes: [1] });
    return result.code === 0 ? firstLine(result.stdout) : null;
  }

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    const result = await this.run(['merge-base', '--is-ancestor', ancestor, descendant], { okCodes: [1] });
    return result.code === 0;
  }

  async mergeBase(a: string, b: string): Promise<string | null> {
    const result = await this.run(['merge-base', a, b], { okCodes: [1] });
    return result.code === 0 ? firstLine(result.stdout) : null;
  }

  async topLevel(): Promise<string> {
    return firstLine((await this.run(['rev-parse', '--show-toplevel'])).stdout);
  }

  async gitDir(): Promise<string> {
    return firstLine((await this.run(['rev-parse', '--absolute-git-dir'])).stdout);
  }

  commonDir(): Promise<string> {
    return this.memo('common-dir', async () => firstLine((await this.run(['rev-parse', '--path-format=absolute', '--git-common-dir'])).stdout));
  }

  /**
   * Where this work tree's git data lives and which branch is checked out, from one rev-parse
   * (the common directory is remembered for commonDir()). An unborn branch costs a second call.
   */
  whereAmI(): Promise<{ gitDir: string; commonDir: string; branch: string | null }> {
    return this.memo('where', async () => {
      const places = ['rev-parse', '--path-format=absolute', '--absolute-git-dir', '--git-common-dir'];
      const result = await this.run([...places, '--symbolic-full-name', 'HEAD'], { okCodes: [128] });
      let lines = result.stdout.toString('utf8').split('\n').filter(Boolean);
      let branch: string | null;
      if (result.code === 0 && lines.length === 3) {
        branch = lines[2].startsWith('refs/heads/') ? lines[2].slice('refs/heads/'.length) : null;
      } else {
        lines = (await this.run(places)).stdout.toString('utf8').split('\n').filter(Boolean);
        branch = await this.currentBranch();
      }
      this.seed('common-dir', lines[1]);
      return { gitDir: lines[0], commonDir: lines[1], branch };
    });
  }

  async isBare(): Promise<boolean> {
    return firstLine((await this.run(['rev-parse', '--is-bare-repository'])).stdout) === 'true';
  }

  async currentBranch(): Promise<string | null> {
    const result = await this.run(['symbolic-ref', '--quiet', '--short', 'HEAD'], { okCodes: [1] });
    return result.code === 0 ? firstLine(result.stdout) : null;
  }

  async configGet(key: string): Promise<string | null> {
    const result = await this.run(['config', '--get', key], { okCodes: [1] });
    return result.code === 0 ? firstLine(result.stdout) : null;
  }

  async configSet(key: string, value: string, scope: '--local' | '--global' = '--local'): Promise<void> {
    await this.run(['config', scope, key, value]);
  }

  async configUnset(key: string): Promise<void> {
    await this.run(['config', '--local', '--unset-all', key], { okCodes: [5] });
  }

  /**
   * listRefs, asked of git once per repository object for the same set of patterns: a listing started
   * ahead on a guess (the gate's, from the pushed ref names) serves the call that needs it later.
   */
  listRefsOnce(patterns: string[]): Promise<RefInfo[]> {
    return this.memo(`refs\0${[...new Set(patterns)].sort().join('\0')}`, () => this.listRefs(patterns));
  }

  /** Refs matching the patterns (for-each-ref syntax), with their target type. */
  async listRefs(patterns: string[]): Promise<RefInfo[]> {
    const { stdout } = await this.run(['for-each-ref', '--format=%(objectname) %(objecttype) %(refname)', '--', ...patterns]);
    return stdout.toString('utf8').split('\n').filter(Boolean).map((line) => {
      const [oid, type, ...rest] = line.split(' ');
      return { oid, type, name: rest.join(' ') };
    });
  }

  /** The remote's refs matching the patterns (no peeled tags), ref name → object id; one `ls-remote`. */
  async lsRemote(remote: string, patterns: string[], options: { heads?: boolean } = {}): Promise<Map<string, string>> {
    const { stdout } = await this.run(['ls-remote', '--refs', ...(options.heads ? ['--heads'] : []), '--', remote, ...patterns]);
    const refs = new Map<string, string>();
    for (const line of stdout.toString('utf8').split('\n')) {
      const tab = line.indexOf('\t');
      if (tab > 0) refs.set(line.slice(tab + 1), line.slice(0, tab));
    }
    return refs;
  }

  /** The index as a tree object (`git write-tree`, honouring GIT_INDEX_FILE): what the next commit would hold. */
  async indexTree(): Promise<string> {
    return firstLine((await this.run(['write-tree'])).stdout);
  }

  /** The first-parent history of `tip`, newest first, at most `max` commits (one `rev-list`). */
  async firstParents(tip: string, max: number): Promise<string[]> {
    const { stdout } = await this.run(['rev-list', '--first-parent', `--max-count=${max}`, tip, '--']);
    return stdout.toString('utf8').split('\n').filter(Boolean);
  }

  /** Lines of `rev-list --parents`: each commit with its parents. */
  async revListParents(include: string[], exclude: string[], excludeAll = false): Promise<Map<string, string[]>> {
    // git 2.39 takes no options in --stdin mode: exclusions are ^oid lines, --all is an argument.
    const args = ['rev-list', '--parents', '--stdin', ...(excludeAll ? ['--not', '--all'] : [])];
    const input = [...include, ...exclude.map((oid) => `^${oid}`)].join('\n') + '\n';
    const { stdout } = await this.run(args, { input });
    const graph = new Map<string, string[]>();
    for (const line of stdout.toString('utf8').split('\n')) {
      if (!line) continue;
      const [commit, ...parents] = line.split(' ');
      graph.set(commit, parents);
    }
    return graph;
  }

  /**
   * Tree objects reachable from `tips` (commits, tags, trees: whatever rev-list accepts) and from no
   * existing ref: the trees a push brings. One `rev-list`; inside pre-receive the environment keeps
   * git's quarantine, so the pushed objects are visible and the refs are still the old ones.
   * --filter-provided-objects keeps the tips themselves out unless they are trees. The walk stops at
   * the commits the refs reach, so a tree only an old, unvisited commit reaches can be listed too:
   * the answer may hold more than the new trees, never fewer.
   */
  async newTrees(tips: string[]): Promise<string[]> {
    const wanted = [...new Set(tips.filter((tip) => tip && !/^0+$/.test(tip)))];
    if (wanted.length === 0) return [];
    const odd = wanted.find((tip) => /^[-^]|[\n\r]/.test(tip));
    if (odd !== undefined) throw new Error(`not a revision for newTrees: ${JSON.stringify(odd)}`);
    // git 2.39 takes no options in --stdin mode: the tips go on stdin, options and --not --all as arguments.
    const args = ['rev-list', '--objects', '--no-object-names', '--filter=object:type=tree', '--filter-provided-objects', '--stdin', '--not', '--all'];
    const { stdout } = await this.run(args, { input: wanted.join('\n') + '\n' });
    return stdout.toString('utf8').split('\n').filter(Boolean);
  }

  /** Paths (NUL-safe) that differ between two tree-ish objects, without rename detection. */
  async changedPathsBetween(from: string, to: string, pathspecs: string[] = []): Promise<TreeChange[]> {
    const { stdout } = await this.run(['diff-tree', '-r', '-z', '--no-renames', '--no-ext-diff', from, to, '--', ...pathspecs]);
    const parts = splitZ(stdout);
    const out = [];
    for (let i = 0; i + 1 < parts.length; i += 2) {
      const fields = parts[i].slice(1).split(' ');
      out.push({ srcMode: fields[0], dstMode: fields[1], dstOid: fields[3], status: fields[4], path: parts[i + 1] });
    }
    return out;
  }

  /** Streams what each commit writes, path by path; see git/diff.ts. */
  diffCommits(commits: Iterable<string>, sink: DiffSink): Promise<void> {
    const started = this.spareDiff ?? undefined;
    this.spareDiff = null;
    return streamCommitPaths(this.cwd, commits, sink, this.env, started);
  }

  /** Starts the process the next diffCommits() uses, so that its start overlaps the work before it (the gate's ref rules, rev-list). */
  prepareDiff(): void {
    if (!this.spareDiff) this.spareDiff = startDiffTree(this.cwd, this.env);
  }

  /** Files under a tree whose path matches a pathspec, with their blob ids. */
  async lsTree(treeish: string, pathspecs: string[]): Promise<{ mode: string; type: string; oid: string; path: string }[]> {
    const { stdout } = await this.run(['ls-tree', '-r', '-z', '--full-tree', treeish, '--', ...pathspecs]);
    return splitZ(stdout).map((entry) => {
      const tab = entry.indexOf('\t');
      const [mode, type, oid] = entry.slice(0, tab).split(' ');
      return { mode, type, oid, path: entry.slice(tab + 1) };
    });
  }

  /** Commit subject lines for display, in one call; labels that are not commit ids and repeats are skipped. */
  async subjects(names: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const commits = [...new Set(names.filter((name) => /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(name)))];
    if (commits.length === 0) return out;
    const { stdout } = await this.run(['log', '--no-walk=unsorted', '--stdin', '-z', '--format=%H %s'], { input: commits.join('\n') + '\n' });
    for (const record of splitZ(stdout)) {
      const space = record.indexOf(' ');
      out.set(record.slice(0, space), record.slice(space + 1));
    }
    return out;
  }
}
