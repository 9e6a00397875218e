/**
 * The reference-transaction hook: one short line when a ref update brings round news. Runs on EVERY
 * ref update (commit, checkout, fetch: on git 2.39 once per batch and state), so it decides from its
 * arguments and stdin alone; the only git call is one config read, and only when there is news.
 * It never fails a git operation: always exit 0, a problem is one warning line.
 *
 *   refs/tags/round-<N>/done/<team>          created  →  "round N: <team> is done"
 *   refs/remotes/<remote>/<team>/round-<N>   created  →  "round branch <team>/round-N is on the remote", once
 * In a clone with coord-hooks.team set, announcement branches of other teams are not mentioned.
 *
 * A push (and a fetch that does not check the old value) updates its remote-tracking ref as if it were
 * new (git shows the zero id as the old value), so "created" is not enough for a branch: each announced
 * one leaves `<git common dir>/coord-hooks/announced/<team>/round-<N>`, which the hook script
 * (hooks/template.ts) tests before starting node at all.
 */
import { existsSync } from 'fs';
import { mkdir, writeFile } from 'fs/promises';
import { dirname, join } from 'path';
import type { CommandIO } from '../../core/io';
import { errorMessage } from '../../core/errors';
import { readAll } from '../../core/stream';
import { parseDoneTagRef, parseRoundBranch } from '../../policy/round-names';
import { TEAM_KEY } from './clone';
import type { GitRepo } from '../../git/repo';

const ZERO = /^0+$/;

export type RoundNews =
  | { kind: 'done'; round: number; team: string }
  | { kind: 'announcement'; round: number; team: string };

/** Round news in the lines `<old> <new> <ref>` of one committed transaction, in order, without repeats. */
export function roundNews(input: string): RoundNews[] {
  const out: RoundNews[] = [];
  const seen = new Set<string>();
  for (const line of input.split('\n')) {
    const [old, next, ref] = line.trim().split(' ');
    if (!ref || !next || ZERO.test(next) || !old || !ZERO.test(old)) continue; // only creations
    const done = parseDoneTagRef(ref);
    // A round branch arriving from a remote: refs/remotes/<remote>/<team>/round-<N>.
    const remote = /^refs\/remotes\/[^/]+\/(.*)$/.exec(ref);
    const branch = done || !remote ? null : parseRoundBranch(remote[1]);
    const news: RoundNews | null = done ? { kind: 'done', ...done } : branch ? { kind: 'announcement', ...branch } : null;
    if (!news) continue;
    const key = `${news.kind} ${news.team} ${news.round}`;
    if (!seen.has(key)) out.push(news);
    seen.add(key);
  }
  return out;
}

export function newsLine(news: RoundNews): string {
  if (news.kind === 'done') return `round ${news.round}: ${news.team} is done`;
  return `round branch ${news.team}/round-${news.round} is on the remote: \`coord-hooks watch --once\` shows its announcement`;
}

/** Past this many, a fetch's news is one summary line (a first clone can bring thousands of tags). */
export const NEWS_LIMIT = 10;

/** One line per round with done tags: who arrived, and every team done so far (one for-each-ref). */
async function doneLines(news: RoundNews[], io: CommandIO): Promise<string[]> {
  const rounds = [...new Set(news.map((item) => item.round))].sort((a, b) => a - b);
  const { GitRepo } = await import('../../git/repo');
  const refs = await new GitRepo(io.cwd, io.env).listRefs(rounds.map((round) => `refs/tags/round-${round}/done/`));
  return rounds.map((round) => {
    const arrived = news.filter((item) => item.round === round).map((item) => item.team);
    const all = refs.filter((ref) => ref.name.startsWith(`refs/tags/round-${round}/done/`)).map((ref) => ref.name.split('/').pop()!);
    return `round ${round}: ${arrived.join(', ')} ${arrived.length === 1 ? 'is' : 'are'} done (done so far: ${all.sort().join(', ')}; \`coord-hooks tally --round ${round}\` verifies)`;
  });
}

/** Where announced round branches are remembered (the hook script tests the same path). */
export const announcedMarker = (commonDir: string, news: RoundNews) => join(commonDir, 'coord-hooks', 'announced', news.team, `round-${news.round}`);

/** Drops round branches announced before, and remembers the others (shown or not: another team's too). */
async function firstAnnouncements(news: RoundNews[], repo: GitRepo): Promise<RoundNews[]> {
  if (!news.some((item) => item.kind === 'announcement')) return news;
  const commonDir = await repo.commonDir();
  const out: RoundNews[] = [];
  for (const item of news) {
    if (item.kind === 'done') { out.push(item); continue; }
    const marker = announcedMarker(commonDir, item);
    if (existsSync(marker)) continue;
    await mkdir(dirname(marker), { recursive: true });
    await writeFile(marker, '');
    out.push(item);
  }
  return out;
}

export async function runReferenceTransaction(args: string[], io: CommandIO): Promise<number> {
  if (args[0] !== 'committed') return 0; // prepared / aborted: nothing happened yet, or nothing at all
  try {
    const found = roundNews(await readAll(io.stdin));
    if (found.length === 0) return 0;
    const { GitRepo } = await import('../../git/repo');
    const repo = new GitRepo(io.cwd, io.env);
    const news = await firstAnnouncements(found, repo);
    let team: string | null = null;
    if (news.some((item) => item.kind === 'announcement')) team = await repo.configGet(TEAM_KEY);
    const shown = news.filter((item) => item.kind === 'done' || team === null || item.team === team);
    if (shown.length > NEWS_LIMIT) {
      const done = shown.filter((item) => item.kind === 'done');
      io.err(`coord-hooks: ${done.length} done tags for ${new Set(done.map((item) => item.round)).size} round(s) and ${shown.length - done.length} round branch(es) arrived: \`coord-hooks status\` shows them\n`);
      return 0;
    }
    for (const item of shown.filter((entry) => entry.kind !== 'done')) io.err(`coord-hooks: ${newsLine(item)}\n`);
    const done = shown.filter((item) => item.kind === 'done');
    if (done.length) for (const line of await doneLines(done, io)) io.err(`coord-hooks: ${line}\n`);
  } catch (error) {
    io.err(`coord-hooks: reference-transaction: ${errorMessage(error).split('\n')[0]} (ignored)\n`);
  }
  return 0;
}
