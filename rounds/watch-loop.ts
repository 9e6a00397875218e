/** The `watch` loop: poll, fetch what moved, show new messages, run --exec once per message commit. */
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import type { CommandIO } from '../core/io';
import { runProcess } from '../core/process';
import type { GitRepo } from '../git/repo';
import { foreignEnv } from '../git/run';
import { gitFailure } from './context';
import { fetchBranches, listRoundBranches, readMessage, SeenStore, type Message, type WatchKind } from './watch';

export interface WatchOptions {
  remote: string;
  /** ls-remote patterns, e.g. refs/heads/fw/round-* or refs/heads/fw/round-5. */
  patterns: string[];
  kind: WatchKind;
  once: boolean;
  exec?: string;
  intervalMs: number;
  gitDir: string;
  /** For tests: stop after this many polls (0 = no limit). */
  maxPolls?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const MAX_BACKOFF_MS = 30000;

async function deliver(message: Message, options: WatchOptions, io: CommandIO, seen: SeenStore): Promise<void> {
  const label = message.kind === 'announcement' ? 'announcement' : 'reply';
  io.out(`== ${label} for ${message.team}, round ${message.round} (${message.branch} ${message.commit.slice(0, 10)})${message.seen ? ' [seen before]' : ''}\n`);
  io.out(message.text.endsWith('\n') ? message.text : `${message.text}\n`);
  if (message.seen) return;
  const dir = join(options.gitDir, 'coord-hooks', 'messages');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${message.branch.replace(/\//g, '__')}.${message.kind}.md`);
  writeFileSync(file, message.text);
  if (options.exec) {
    const env = {
      ...foreignEnv(io.env), ROUND: String(message.round), BRANCH: message.branch, TEAM: message.team, COMMIT: message.commit,
      [message.kind === 'announcement' ? 'ANNOUNCEMENT' : 'REPLY']: file,
    };
    const result = await runProcess('/bin/sh', ['-c', options.exec], { env, cwd: io.cwd });
    if (result.stdout) io.out(result.stdout);
    if (result.stderr) io.err(result.stderr);
    if (result.code !== 0) io.err(`coord-hooks watch: --exec exited with ${result.code}\n`);
  }
  seen.mark(message);
}

export async function runWatch(repo: GitRepo, options: WatchOptions, io: CommandIO): Promise<number> {
  const seen = new SeenStore(options.gitDir);
  const handled = new Map<string, string>();
  let backoff = options.intervalMs;
  let outage = false;
  for (let poll = 1; ; poll += 1) {
    let tips: Map<string, string>;
    try {
      tips = await listRoundBranches(repo, options.remote, options.patterns);
      if (outage) io.err('coord-hooks watch: remote reachable again\n');
      outage = false;
      backoff = options.intervalMs;
    } catch (error) {
      if (!outage) io.err(`coord-hooks watch: remote unreachable (${gitFailure(error)}), retrying with backoff\n`);
      outage = true;
      await sleep(backoff);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      continue;
    }
    const moved = [...tips].filter(([branch, tip]) => handled.get(branch) !== tip).map(([branch]) => branch).sort(byRound);
    await fetchBranches(repo, options.remote, moved);
    let delivered = 0;
    for (const branch of moved) {
      handled.set(branch, tips.get(branch)!);
      const message = await readMessage(repo, options.remote, branch, options.kind, seen);
      // Seen messages are shown only as "the current one" for --once on the first poll.
      if (!message || (message.seen && !(options.once && poll === 1))) continue;
      await deliver(message, options, io, seen);
      delivered += 1;
    }
    if (options.once && delivered > 0) return 0;
    if (options.maxPolls && poll >= options.maxPolls) return options.once ? 1 : 0;
    await sleep(options.intervalMs);
  }
}

function byRound(a: string, b: string): number {
  const round = (branch: string) => Number(branch.slice(branch.lastIndexOf('-') + 1));
  return round(a) - round(b) || a.localeCompare(b);
}
