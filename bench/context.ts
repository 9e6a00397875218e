/**
 * One benchmark run: options, sizes, and the worlds (built on first use, shared by the scenarios
 * that need them, removed at the end unless --keep).
 */
import { join } from 'path';
import { packageInfo } from '../core/package-info';
import { ZERO_OID } from '../git/repo';
import { removeDir, tempDir } from '../fixtures/repo';
import { bulkCommits, spreadPath, type CommitSpec } from './generate';
import { GitolitePeer, gitoliteMissing } from './gitolite';
import { runsFor, type BenchOptions, type Sizes, type Weight } from './options';
import { ClientWorld, ReceiveWorld, TallyWorld, step, type Log, type PreparedPush } from './worlds';

export const CLI = join(packageInfo().root, 'dist', 'cli', 'main.js');

/** A push written in a world's client and received into the server's quarantine. */
export interface WorldPush {
  world: ReceiveWorld;
  push: PreparedPush;
}

export class Bench {
  private readonly memo = new Map<string, Promise<unknown>>();
  /** Directories to remove at the end (kept with --keep). */
  readonly dirs: string[] = [];
  /** Set when the peer cannot run here (printed, and kept in the rows). */
  peerNote: string | null = null;
  /** Worlds made, whose warm processes are stopped at the end. */
  private readonly warmWorlds: { warm: { stop(): Promise<void> } }[] = [];

  constructor(readonly options: BenchOptions, readonly sizes: Sizes, readonly log: Log) {}

  runs(weight: Weight): number {
    return runsFor(this.options, weight);
  }

  private once<T>(key: string, make: () => Promise<T>): Promise<T> {
    if (!this.memo.has(key)) this.memo.set(key, make());
    return this.memo.get(key) as Promise<T>;
  }

  /** Scenarios 1 and 3: main holds the policy and fw/pm/qa/shared files; fw/feature exists at main. */
  bigWorld(): Promise<ReceiveWorld> {
    return this.once('big', async () => {
      const files = this.sizes.big;
      const total = files.fw + files.pm + files.qa + files.shared;
      const world = await step(this.log, `server with a ${total.toLocaleString('en')}-file main`, () => ReceiveWorld.create(files, ['fw/feature']));
      this.dirs.push(...world.dirs());
      this.warmWorlds.push(world);
      return world;
    });
  }

  /** Scenarios 2 and 7: main holds the policy only. */
  bulkWorld(): Promise<ReceiveWorld> {
    return this.once('bulk', async () => {
      const world = await step(this.log, 'server with the policy only', () => ReceiveWorld.create({}, []));
      this.dirs.push(...world.dirs());
      this.warmWorlds.push(world);
      return world;
    });
  }

  /** Scenario 1: a new branch fw/rewrite, one commit rewriting every file under fw/big. */
  rewritePush(): Promise<WorldPush> {
    return this.once('push:rewrite', async () => {
      const world = await this.bigWorld();
      const count = this.sizes.big.fw;
      const commit: CommitSpec = { message: `rewrite ${count} files\n`, files: Array.from({ length: count }, (_, index) => ({ path: spreadPath('fw/big', index), content: `rewritten ${index}\n` })) };
      const tip = await step(this.log, `scenario 1: one commit rewriting ${count.toLocaleString('en')} files`, () => world.write('fw/rewrite', world.mainTip, [commit]));
      const push = await step(this.log, 'scenario 1: received into quarantine', () => world.prepare('rewrite', 'refs/heads/fw/rewrite', ZERO_OID, tip));
      return { world, push };
    });
  }

  /** Scenario 3: fw/feature (at main) moves by a few commits editing a few files, spread over the tree. */
  typicalPush(): Promise<WorldPush> {
    return this.once('push:typical', async () => {
      const world = await this.bigWorld();
      const { commits, files } = this.sizes.typical;
      const stride = Math.max(1, Math.floor(this.sizes.big.fw / files));
      const paths = Array.from({ length: files }, (_, index) => spreadPath('fw/big', index * stride));
      const specs: CommitSpec[] = [];
      for (let commit = 0; commit < commits; commit++) {
        const from = Math.floor((commit * files) / commits);
        const to = Math.floor(((commit + 1) * files) / commits);
        specs.push({ message: `feature part ${commit + 1}\n`, files: paths.slice(from, to).map((path) => ({ path, content: `edited by part ${commit + 1}\n` })) });
      }
      const tip = world.write('fw/feature', world.mainTip, specs);
      const push = world.prepare('typical', 'refs/heads/fw/feature', world.mainTip, tip);
      return { world, push };
    });
  }

  /** Scenario 2 (and its --huge variant): a new branch of commits × files, every write a new file. */
  bulkPush(huge = false): Promise<WorldPush> {
    return this.once(huge ? 'push:huge' : 'push:bulk', async () => {
      const world = await this.bulkWorld();
      const { commits, files } = huge ? this.sizes.huge : this.sizes.bulk;
      const branch = huge ? 'fw/huge' : 'fw/bulk';
      const label = `scenario 2${huge ? ' (huge)' : ''}`;
      const tip = await step(this.log, `${label}: ${commits.toLocaleString('en')} commits × ${files} files`, () => world.write(branch, world.mainTip, bulkCommits(branch, commits, files, branch)));
      const push = await step(this.log, `${label}: received into quarantine`, () => world.prepare(huge ? 'huge' : 'bulk', `refs/heads/${branch}`, ZERO_OID, tip));
      return { world, push };
    });
  }

  clientWorld(): Promise<ClientWorld> {
    return this.once('client', async () => {
      const world = await step(this.log, `clone of a ${this.sizes.client.files.toLocaleString('en')}-file project with the client hooks (team fw)`, () => ClientWorld.create(this.sizes.client.files));
      this.dirs.push(...world.dirs());
      this.warmWorlds.push(world);
      return world;
    });
  }

  tallyWorld(): Promise<TallyWorld> {
    return this.once('tally', async () => {
      const { rounds, teams } = this.sizes.tally;
      const world = await step(this.log, `${rounds.toLocaleString('en')} rounds × ${teams} teams of signed done-tags`, () => TallyWorld.create(rounds, teams, this.log));
      this.dirs.push(...world.dirs());
      return world;
    });
  }

  /** gitolite with repositories "big" and "bulk"; null (and peerNote set) when gitolite is not installed. */
  peer(): Promise<GitolitePeer | null> {
    return this.once('peer', async () => {
      const missing = gitoliteMissing();
      if (missing.length) {
        this.peerNote = `not installed here (${missing.join(', ')}); install with \`bash scripts/system-deps.sh\` as root after apt-get update`;
        this.log(`gitolite peer skipped: ${this.peerNote}`);
        return null;
      }
      const root = tempDir('coord-hooks-bench-gitolite-');
      this.dirs.push(root);
      const world = await this.bulkWorld();
      return step(this.log, 'gitolite with VREF/NAME rules for fw', () => GitolitePeer.create(root, world.env, ['big', 'bulk']));
    });
  }

  /** The peer repository for a world, seeded once with main and `refs` at main's tip. */
  peerRepo(name: 'big' | 'bulk', world: ReceiveWorld, refs: string[]): Promise<GitolitePeer | null> {
    return this.once(`peer:${name}`, async () => {
      const peer = await this.peer();
      if (!peer) return null;
      await step(this.log, `gitolite repository "${name}" seeded`, () => peer.seed(name, world.client.dir, Object.fromEntries(refs.map((ref) => [ref, world.mainTip]))));
      return peer;
    });
  }

  /** Stops the worlds' warm processes (also with --keep: they would linger for their idle time). */
  async stopWarm(): Promise<void> {
    for (const world of this.warmWorlds) await world.warm.stop().catch(() => undefined);
  }

  cleanup(): void {
    if (this.options.keep) return;
    for (const dir of this.dirs.splice(0)) removeDir(dir);
  }
}
