/**
 * The round barrier: poll a remote until every listed team has a valid signed done-tag for a round.
 * Each poll is one `git ls-remote` of `refs/tags/round-N/done/*`; only tags whose id is new are fetched
 * (one `git fetch` for all of them) and verified locally, with the same cache as `tally`. The protected
 * branch (policy and keys) is fetched once, at the start, together with the round's tags. An unreachable
 * remote is retried with backoff (the interval doubling up to 30 s), reported once per outage, and
 * counted against the timeout.
 */
import { CoordError } from '../core/errors';
import type { GitRepo } from '../git/repo';
import { GitError } from '../git/run';
import { isTransient, VerifyCache, verifyTags } from './cache';
import { checkRemote, gitFailure, loadRoundContext, protectedFetchTarget, type RoundContext } from './context';
import { expectedTeams } from './expected';
import { doneTagName } from '../policy/round-names';
import { WaitDisplay } from './wait-display';

export interface WaitOptions {
  round: number;
  /** Teams to wait for; empty: the round's expected teams. */
  teams: string[];
  remote: string;
  /** Give up after this long (undefined: never). */
  timeoutMs?: number;
  intervalMs: number;
  env: NodeJS.ProcessEnv;
  out: (text: string) => void;
  isTTY: boolean;
}

export interface WaitResult {
  ok: boolean;
  /** Team → signer, for the teams that are done. */
  done: Map<string, string>;
  pending: string[];
  elapsedMs: number;
}

export const MAX_BACKOFF_MS = 30000;

class DeadlineReached extends Error {}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Awaits `work`, or gives up at `deadline` (the git process is left to finish on its own). */
async function beforeDeadline<T>(work: Promise<T>, deadline: number): Promise<T> {
  if (deadline === Infinity) return work;
  work.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new DeadlineReached()), Math.max(0, deadline - Date.now())); });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** `ls-remote` of the round's done-tags: team → tag id. */
async function remoteDoneTags(repo: GitRepo, remote: string, round: number): Promise<Map<string, string>> {
  const prefix = `refs/tags/round-${round}/done/`;
  const out = new Map<string, string>();
  for (const [ref, oid] of await repo.lsRemote(remote, [`${prefix}*`])) {
    if (ref.startsWith(prefix) && !ref.slice(prefix.length).includes('/')) out.set(ref.slice(prefix.length), oid);
  }
  return out;
}

export async function waitForRound(repo: GitRepo, options: WaitOptions): Promise<WaitResult> {
  const started = Date.now();
  const deadline = options.timeoutMs === undefined ? Infinity : started + options.timeoutMs;
  const { round, remote } = options;
  const { named } = await checkRemote(repo, remote);
  const target = await protectedFetchTarget(repo, remote, named);
  const cache = await VerifyCache.open(repo);
  const display = new WaitDisplay(round, options.out, options.isTTY, started);
  const done = new Map<string, string>();
  const seen = new Map<string, string>();
  let context: RoundContext | null = null;
  let teams: string[] = [];
  let outage = false;
  let delay = options.intervalMs;

  const start = async () => {
    const roundTags = `refs/tags/round-${round}/*`;
    try {
      await beforeDeadline(repo.run(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', remote, `+refs/heads/${target.branch}:${target.ref}`, `+${roundTags}:${roundTags}`]), deadline);
    } catch (error) {
      if (/couldn't find remote ref/.test(gitFailure(error))) {
        throw new CoordError(`remote ${remote} has no ${target.branch} branch to read the policy and keys from`, { hint: 'is this the coordination repository?' });
      }
      throw error;
    }
    context = await loadRoundContext(repo, target.ref);
    const known = new Set(context.policy.teams.map((team) => team.name));
    const unknown = options.teams.filter((team) => !known.has(team));
    if (unknown.length) throw new CoordError(`no team ${unknown.map((team) => `"${team}"`).join(', ')} in the policy`, { hint: `teams are: ${[...known].join(', ')}` });
    teams = options.teams.length ? [...new Set(options.teams)] : await expectedTeams(repo, context.policy, round);
    display.begin(teams, remote, options.intervalMs);
  };

  const poll = async (ctx: RoundContext) => {
    const tags = await beforeDeadline(remoteDoneTags(repo, remote, round), deadline);
    const changed = teams.filter((team) => !done.has(team) && tags.has(team) && seen.get(team) !== tags.get(team));
    if (changed.length === 0) return;
    const local = new Map((await repo.listRefs(changed.map((team) => `refs/tags/round-${round}/done/${team}`))).map((ref) => [ref.name, ref.oid]));
    const refspecs = changed.map((team) => `refs/tags/round-${round}/done/${team}`).filter((ref, index) => local.get(ref) !== tags.get(changed[index]));
    if (refspecs.length) {
      await beforeDeadline(repo.run(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', remote, ...refspecs.map((ref) => `+${ref}:${ref}`)]), deadline);
    }
    const verdicts = await verifyTags(repo, changed.map((team) => ({ oid: tags.get(team)!, round, team })), ctx.signers, cache, options.env);
    await cache.save(ctx.signers.key);
    for (const team of changed) {
      const oid = tags.get(team)!;
      const verdict = verdicts.get(doneTagName(round, team))!;
      if (isTransient(verdict.detail)) { display.note(`cannot verify round-${round}/done/${team} yet: ${verdict.detail}`); continue; }
      seen.set(team, oid);
      if (verdict.ok) { done.set(team, verdict.signer ?? team); display.done(team, verdict.signer ?? ''); }
      else display.invalid(team, `round-${round}/done/${team}`, verdict.detail);
    }
  };

  try {
    for (;;) {
      try {
        if (!context) await start();
        await poll(context!);
        if (outage) { display.note(`remote ${remote} reachable again`); outage = false; }
        delay = options.intervalMs;
      } catch (error) {
        if (error instanceof CoordError || error instanceof DeadlineReached) throw error;
        if (!(error instanceof GitError)) throw error; // not a git failure: a bug, not an outage
        if (!outage) display.note(`remote unreachable (${gitFailure(error)}), retrying in ${formatSeconds(delay)}`);
        outage = true;
      }
      if (context && teams.every((team) => done.has(team))) break;
      if (Date.now() >= deadline) throw new DeadlineReached();
      display.status(teams, done);
      await sleep(Math.min(delay, deadline - Date.now()));
      if (outage) delay = Math.min(delay * 2, MAX_BACKOFF_MS);
    }
  } catch (error) {
    if (!(error instanceof DeadlineReached)) { display.end(); throw error; }
  }
  const pending = context ? teams.filter((team) => !done.has(team)) : options.teams;
  display.end();
  return { ok: context !== null && pending.length === 0, done, pending, elapsedMs: Date.now() - started };
}

export function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)}s`;
}
