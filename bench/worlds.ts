/**
 * The repositories the scenarios run on, built once per benchmark run and shared:
 *
 * - a receive world (server + client) per base size: a bare server holding the policy on main (plus
 *   generated files) with the REAL hooks `coord-hooks install --server` writes (installServerHooks),
 *   and a bare clone of it where the pushes are written with fast-import;
 * - a client world: a clone with the real client hooks (installCloneHooks, team fw) for pre-commit
 *   and the guard;
 * - a tally world: 20 teams with their own ed25519 keys and rounds × teams signed done-tags.
 *
 * A push is replayed the way receive-pack runs pre-receive (builtin/receive-pack.c, git 2.39): the
 * client's pack (pack-objects --revs --thin) is received into a quarantine directory under
 * objects/ (index-pack --stdin --fix-thin, or unpack-objects below receive.unpackLimit's 100
 * objects), and the hook runs with cwd = the bare repository and receive-pack's environment
 * (GIT_DIR=., GIT_QUARANTINE_PATH, GIT_OBJECT_DIRECTORY, GIT_ALTERNATE_OBJECT_DIRECTORIES,
 * GIT_PUSH_OPTION_COUNT, git's exec-path first in PATH), stdin `<old> <new> <ref>`. Nothing is moved,
 * so the same push can be judged again and again.
 */
import { mkdirSync, rmSync } from 'fs';
import { join } from 'path';
import { signersLine, makeSshKey, type SshKey } from '../fixtures/keys';
import { ROOT_CLAUDE, STANDARD_POLICY, teamClaude } from '../fixtures/policies';
import { Repo, tempDir } from '../fixtures/repo';
import { makeSetup, type Setup } from '../fixtures/server';
import { createTags, doneTagSpec, type TagSpec } from '../fixtures/tags';
import { gitSync } from '../git/run';
import { ZERO_OID } from '../git/repo';
import { installCloneHooks, installServerHooks } from '../hooks/install';
import { FastImport, fileSet, type CommitSpec } from './generate';
import { stopWarm, waitForWarm, warmStatus } from '../fixtures/warm';
import { prepareWarmClient } from '../warm/client-build';
import { warmPaths, type WarmPaths } from '../warm/paths';
import { HarnessError, RUN_LIMIT_MS } from './measure';

const warmAnswers = async (paths: WarmPaths) => (await warmStatus(paths)) !== null;

/** A repository's warm process as the bench drives it: the hooks were installed with the client built (or `note` says why not). */
export class WarmHandle {
  constructor(readonly paths: WarmPaths | null, private readonly note: string | null) {}

  /** Makes sure the process runs (a hook run cold starts it, as in use); a harness failure without a client. */
  async start(run: () => Promise<unknown>): Promise<void> {
    if (!this.paths) throw new HarnessError(`the warm rows need the warm client: ${this.note}`);
    if (!(await warmAnswers(this.paths))) await run();
    await waitForWarm(this.paths);
  }

  async stop(): Promise<void> {
    if (this.paths && (await warmAnswers(this.paths))) await stopWarm(this.paths);
  }

  /** From install's summary: the client's paths, or the note that says why there is none. */
  static from(summary: { notes: string[] }, commonDir: string): WarmHandle {
    const note = summary.notes.find((text) => text.startsWith('no warm client'));
    return new WarmHandle(note ? null : warmPaths(commonDir), note ?? null);
  }
}

export type Log = (message: string) => void;

/** Runs `work`, logging what it did and how long it took. */
export async function step<T>(log: Log, what: string, work: () => T | Promise<T>): Promise<T> {
  const start = Date.now();
  const result = await work();
  log(`${what} (${((Date.now() - start) / 1000).toFixed(1)} s)`);
  return result;
}

let execPathCache: string | null = null;

export function gitExecPath(): string {
  if (!execPathCache) execPathCache = gitSync(['--exec-path'], { cwd: '/' }).stdout.toString('utf8').trim();
  return execPathCache;
}

/** A push prepared for replay: what receive-pack would hand to pre-receive. */
export interface PreparedPush {
  name: string;
  ref: string;
  old: string;
  new: string;
  /** The quarantine directory holding the pushed objects. */
  quarantine: string;
  /** Objects in the pack the client sent. */
  objects: number;
}

export class ReceiveWorld {
  private constructor(readonly setup: Setup, readonly client: Repo, readonly mainTip: string,
    /** The server's warm process. */
    readonly warm: WarmHandle) {}

  get server(): Repo {
    return this.setup.server;
  }

  get env(): NodeJS.ProcessEnv {
    return this.setup.env;
  }

  /**
   * A server whose main holds the standard policy plus `files` (generated, per top directory) in one
   * commit; `branches` are created at main's tip. Then the real server hooks are installed, and a
   * bare clone is made for writing pushes.
   */
  static async create(files: Record<string, number>, branches: string[]): Promise<ReceiveWorld> {
    const setup = await makeSetup({ gate: false, policy: STANDARD_POLICY });
    const server = setup.server;
    const policyTip = server.rev('refs/heads/main');
    const writes = Object.entries(files).flatMap(([dir, count]) => fileSet(`${dir}/big`, 0, count, 'v0'));
    if (writes.length) {
      const stream = new FastImport();
      stream.chain('refs/heads/main', policyTip, [{ message: `bench: ${writes.length} files\n`, files: writes }]);
      stream.run(server);
    }
    const mainTip = server.rev('refs/heads/main');
    for (const branch of branches) server.git(['update-ref', `refs/heads/${branch}`, mainTip]);
    // As `coord-hooks install --server` does where a C compiler exists: the warm client built (docs/warm.md).
    const summary = await installServerHooks(server.dir, { env: setup.env, warm: (dir) => prepareWarmClient(dir, setup.env) });

    // The gate's own time limit (60 s) would reject a push on a loaded machine: the bench's limit decides.
    server.git(['config', 'coord-hooks.timeout', String(Math.max(60, Math.ceil(RUN_LIMIT_MS / 1000)))]);
    const clientDir = join(setup.root, 'client.git');
    gitSync(['clone', '-q', '--bare', server.dir, clientDir], { cwd: setup.root, env: setup.env });
    return new ReceiveWorld(setup, new Repo(clientDir, setup.env), mainTip, WarmHandle.from(summary, summary.gitDir));
  }

  /** Writes commits on `branch` of the client (from `from`), returns the new tip. */
  write(branch: string, from: string, commits: Iterable<CommitSpec>): string {
    const stream = new FastImport();
    stream.chain(`refs/heads/${branch}`, from, commits);
    stream.run(this.client);
    return this.client.rev(`refs/heads/${branch}`);
  }

  /** The objects of `tip` the server lacks, received into a quarantine directory as receive-pack does. */
  prepare(name: string, ref: string, old: string, tip: string): PreparedPush {
    const quarantine = join(this.server.dir, 'objects', `tmp_objdir-incoming-bench-${name}`);
    rmSync(quarantine, { recursive: true, force: true });
    mkdirSync(join(quarantine, 'pack'), { recursive: true });
    const have = this.server.git(['for-each-ref', '--format=%(objectname)']).split('\n').filter(Boolean);
    const pack = gitSync(['pack-objects', '--revs', '--stdout', '--thin', '--delta-base-offset', '-q'],
      { cwd: this.client.dir, env: this.env, input: [tip, ...have.map((oid) => `^${oid}`)].join('\n') + '\n' }).stdout;
    const objects = pack.readUInt32BE(8);
    const env = { ...this.env, ...this.quarantineVariables(quarantine) };
    if (objects < 100) gitSync(['unpack-objects', '-q'], { cwd: this.server.dir, env, input: pack });
    else gitSync(['index-pack', '--stdin', '--fix-thin'], { cwd: this.server.dir, env, input: pack });
    return { name, ref, old, new: tip, quarantine, objects };
  }

  private quarantineVariables(quarantine: string): NodeJS.ProcessEnv {
    return {
      GIT_QUARANTINE_PATH: quarantine,
      GIT_OBJECT_DIRECTORY: quarantine,
      GIT_ALTERNATE_OBJECT_DIRECTORIES: join(this.server.dir, 'objects'),
    };
  }

  /** The environment receive-pack gives a hook; `quarantine` for pre-receive, none for post-receive. */
  hookEnv(quarantine: string | null): NodeJS.ProcessEnv {
    const exec = gitExecPath();
    return {
      ...this.env,
      ...(quarantine ? this.quarantineVariables(quarantine) : {}),
      GIT_DIR: '.',
      GIT_EXEC_PATH: exec,
      GIT_PUSH_OPTION_COUNT: '0',
      PATH: `${exec}:${this.env.PATH ?? ''}`,
    };
  }

  hookInput(push: PreparedPush): string {
    return `${push.old} ${push.new} ${push.ref}\n`;
  }

  hookPath(hook: 'pre-receive' | 'post-receive'): string {
    return join(this.server.dir, 'hooks', hook);
  }

  /** Puts a server ref back where it was before a real push (deleted when it did not exist). */
  restore(push: PreparedPush): void {
    if (push.old === ZERO_OID) this.server.git(['update-ref', '-d', push.ref]);
    else this.server.git(['update-ref', push.ref, push.old]);
  }

  dirs(): string[] {
    return [this.setup.root];
  }
}

/** A clone of a small project where an agent of team fw works: the real client hooks, branch fw/bench. */
export class ClientWorld {
  private constructor(readonly setup: Setup, readonly clone: Repo, readonly hooksDir: string, readonly warm: WarmHandle) {}

  static async create(files: number): Promise<ClientWorld> {
    const setup = await makeSetup({ gate: false, policy: STANDARD_POLICY });
    const server = setup.server;
    const third = Math.floor(files / 3);
    const stream = new FastImport();
    stream.chain('refs/heads/main', server.rev('refs/heads/main'), [{
      message: `bench: ${files} files\n`,
      files: [...fileSet('fw/src', 0, files - 2 * third, 'v0'), ...fileSet('pm/docs', 0, third, 'v0'), ...fileSet('qa/cases', 0, third, 'v0')],
    }]);
    stream.run(server);
    const clone = setup.clone('agent');
    clone.git(['checkout', '-q', '-b', 'fw/bench']);
    // As `coord-hooks install` does where a C compiler exists: the warm client built (docs/warm.md).
    const summary = await installCloneHooks(clone.dir, { env: clone.env, team: 'fw', warm: (dir) => prepareWarmClient(dir, clone.env) });
    return new ClientWorld(setup, clone, summary.hooksDir, WarmHandle.from(summary, clone.git(['rev-parse', '--path-format=absolute', '--git-common-dir']).trim()));
  }

  dirs(): string[] {
    return [this.setup.root];
  }
}

export const teamName = (index: number) => `team${String(index + 1).padStart(2, '0')}`;

/** rounds × teams signed done-tags (fixtures/tags.ts: signed in-process, one hash-object, one update-ref), packed. */
export class TallyWorld {
  private constructor(readonly setup: Setup, readonly observer: Repo, readonly tags: number, private readonly keyDir: string) {}

  static async create(rounds: number, teams: number, log: Log): Promise<TallyWorld> {
    const names = Array.from({ length: teams }, (_, index) => teamName(index));
    const keyDir = tempDir('coord-hooks-bench-keys-');
    const keys: Record<string, SshKey> = {};
    for (const name of names) keys[name] = await makeSshKey(keyDir, name);
    const policy: Record<string, string> = { 'CLAUDE.md': ROOT_CLAUDE };
    for (const name of names) {
      policy[`${name}/CLAUDE.md`] = teamClaude([`${name}/`]);
      policy[`${name}/README.md`] = `${name}\n`;
    }
    const setup = await makeSetup({ gate: false, policy, signers: names.map((name) => signersLine(name, keys[name])) });
    const observer = setup.clone('observer');
    const target = observer.rev('refs/remotes/origin/main');
    const specs: TagSpec[] = [];
    for (let round = 1; round <= rounds; round++) {
      for (const name of names) specs.push(doneTagSpec(round, name, target, keys[name], { time: 1_700_000_000 + round }));
    }
    await step(log, `signed ${specs.length} done-tags`, () => createTags(observer, specs, { pack: true }));
    return new TallyWorld(setup, observer, specs.length, keyDir);
  }

  get cacheFile(): string {
    return join(this.observer.dir, '.git', 'coord-hooks', 'verify-cache.json');
  }

  dropCache(): void {
    rmSync(this.cacheFile, { force: true });
  }

  dirs(): string[] {
    return [this.setup.root, this.keyDir];
  }
}
