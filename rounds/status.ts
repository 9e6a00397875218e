/**
 * The architect's one-screen view, from git alone: per round and team, announced / replied / done
 * (signer, time) / pending; the last activity per team; and, on the server, rejected pushes from the
 * audit log. In a clone it reads the remote-tracking branches (fetch first unless told not to).
 */
import { readAudit } from '../core/audit';
import { countRefusals, OTHER_REFUSALS, type OtherRefusals } from './refusals';
import type { GitRepo } from '../git/repo';
import type { Policy } from '../policy/types';
import type { RoundContext } from './context';
import { announcementPath, parseRoundBranch, replyPath } from '../policy/round-names';
import { tallyRounds, type TeamState } from './tally';

export interface TeamRoundStatus {
  announced?: { commit: string; time: string };
  replied?: { commit: string; time: string };
  done: TeamState['state'];
  signer?: string;
  doneTime?: string;
  detail?: string;
}

export interface RoundStatus {
  round: number;
  complete: boolean;
  expected: string[];
  teams: Record<string, TeamRoundStatus>;
}

export interface StatusReport {
  source: string;
  rounds: RoundStatus[];
  lastActivity: Record<string, string>;
  /** Server only: rejected pushes per owning team, "architect" or "unknown" (rounds/refusals.ts). */
  rejected?: Record<string, { count: number; last?: string }>;
  /** Server only: pushes refused for a broken policy or a gate error, and pushes let through by the bypass. */
  refused?: OtherRefusals;
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

async function lastChange(repo: GitRepo, ref: string, path: string): Promise<{ commit: string; time: string } | undefined> {
  const { stdout } = await repo.run(['log', '-1', '--format=%H %ct', ref, '--', path]);
  const [commit, time] = stdout.toString('utf8').trim().split(' ');
  return commit ? { commit, time: iso(Number(time)) } : undefined;
}

export async function roundStatus(repo: GitRepo, options: { server: boolean; gitDir: string; remote: string; env: NodeJS.ProcessEnv; teams: string[]; context?: RoundContext }): Promise<StatusReport> {
  const branchPrefix = options.server ? 'refs/heads/' : `refs/remotes/${options.remote}/`;
  const tally = await tallyRounds(repo, { env: options.env }, options.context);
  const branches = await repo.listRefs([branchPrefix]);
  const byRound = new Map<number, Map<string, string>>();
  const lastActivity: Record<string, string> = {};
  const { stdout } = await repo.run(['for-each-ref', '--format=%(refname) %(committerdate:unix)', branchPrefix]);
  for (const line of stdout.toString('utf8').split('\n').filter(Boolean)) {
    const [ref, time] = line.split(' ');
    const team = ref.slice(branchPrefix.length).split('/')[0];
    if (!options.teams.includes(team)) continue;
    const when = iso(Number(time));
    if (!lastActivity[team] || lastActivity[team] < when) lastActivity[team] = when;
  }
  for (const { name } of branches) {
    const parsed = parseRoundBranch(name.slice(branchPrefix.length));
    if (!parsed) continue;
    if (!byRound.has(parsed.round)) byRound.set(parsed.round, new Map());
    byRound.get(parsed.round)!.set(parsed.team, name);
  }
  const rounds = new Set([...byRound.keys(), ...tally.rounds.map((entry) => entry.round)]);
  const result: RoundStatus[] = [];
  for (const round of [...rounds].sort((a, b) => a - b)) {
    const tallied = tally.rounds.find((entry) => entry.round === round);
    const expected = tallied?.expected ?? options.teams;
    const teams: Record<string, TeamRoundStatus> = {};
    for (const team of new Set([...expected, ...(byRound.get(round)?.keys() ?? [])])) {
      const ref = byRound.get(round)?.get(team);
      const state = tallied?.teams[team] ?? tallied?.extra[team];
      teams[team] = {
        announced: ref ? await lastChange(repo, ref, announcementPath(round, team)) : undefined,
        replied: ref ? await lastChange(repo, ref, replyPath(round, team)) : undefined,
        done: state?.state ?? 'pending', signer: state?.signer, doneTime: state?.time, detail: state?.detail,
      };
    }
    result.push({ round, complete: tallied?.complete ?? false, expected, teams });
  }
  const report: StatusReport = { source: tally.source, rounds: result, lastActivity };
  if (options.server) {
    const { byTeam, ...refused } = countRefusals(readAudit(options.gitDir), options.teams);
    report.rejected = Object.fromEntries(Object.entries(byTeam).map(([owner, entry]) => [owner, { count: entry.count, last: entry.last }]));
    report.refused = refused;
  }
  return report;
}

export interface CollectedStatus {
  report: StatusReport;
  teams: string[];
  server: boolean;
  gitDir: string;
  /** Said on stderr before the status: the policy shown is not the branch's (it does not validate). */
  note?: string;
}

/** What `status` and `report` share: fetch (in a clone, unless told not to), the policy, the status. */
export async function collectStatus(repo: GitRepo, options: { remote?: string; fetch: boolean; env: NodeJS.ProcessEnv }): Promise<CollectedStatus> {
  const [{ locatePolicy, remoteName }, { fetchRoundRefs }] = await Promise.all([import('../policy/locate'), import('./tally')]);
  const server = await repo.isBare();
  const remote = options.remote ?? (await remoteName(repo));
  if (!server && options.fetch) {
    await fetchRoundRefs(repo, remote);
    await repo.run(['fetch', '-q', remote]);
  }
  const { policy, note, context } = await locatePolicyOrLastValid(repo, locatePolicy);
  const teams = policy.teams.map((team) => team.name);
  const gitDir = await repo.commonDir();
  const report = await roundStatus(repo, { server, gitDir, remote, env: options.env, teams, context });
  return { report, teams, server, gitDir, note };
}

/**
 * The policy of the protected branch; while it does not validate, the last one that did, with a note
 * that says so: the architect needs `status` most when pushes are being refused for a broken policy.
 */
async function locatePolicyOrLastValid(repo: GitRepo, locate: typeof import('../policy/locate').locatePolicy): Promise<{ policy: Policy; note?: string; context?: RoundContext }> {
  try {
    return await locate(repo);
  } catch (error) {
    const [{ PolicyError }, { protectedTips }, { lastValidTreePolicy }] = await Promise.all([
      import('../policy/problems'), import('../policy/locate'), import('../policy/last-valid')]);
    const [tip] = await protectedTips(repo);
    if (!(error instanceof PolicyError) || !tip) throw error;
    const found = await lastValidTreePolicy(repo, tip.oid);
    if (!found) throw error;
    const count = error.problems.length === 1 ? '1 problem' : `${error.problems.length} problems`;
    const { loadSigners } = await import('../trust/signers');
    const source = tip.ref.replace(/^refs\/(remotes|heads)\//, '');
    const context: RoundContext = { policy: found.policy, signers: await loadSigners(repo, found.commit, found.policy), commit: found.commit, source };
    return { policy: found.policy, context, note: `coord-hooks: warning: the policy on ${tip.ref.replace(/^refs\/(remotes|heads)\//, '')} does not validate (${count}: \`coord-hooks explain CLAUDE.md\` lists them), so the server refuses every push but its fix; shown with the last valid policy (${found.commit.slice(0, 12)}). How to land the fix: docs/policy.md#a-policy-that-does-not-validate-never-locks-anyone-out\n` };
  }
}

/** The lines for pushes refused for a broken policy or a gate error, and bypassed pushes (shared with `report`). */
export function formatOtherRefusals(refused: OtherRefusals, time: (iso?: string) => string = (iso) => iso ?? ''): string[] {
  const shown = OTHER_REFUSALS.filter(({ key }) => refused[key].count > 0);
  if (shown.length === 0) return ['refused for a broken policy or a gate error, or bypassed: none'];
  return shown.map(({ key, label, text }) => {
    const entry = refused[key];
    return `${label}: ${entry.count} (${text}; last ${time(entry.last)}${entry.reason ? `: ${entry.reason.split('\n')[0]}` : ''})`;
  });
}

export function formatStatus(report: StatusReport): string {
  const lines: string[] = [`status (policy and keys from ${report.source})`];
  if (report.rounds.length === 0) lines.push('  no rounds yet: coord-hooks announce --team T --round 1 -m "…"');
  for (const round of report.rounds) {
    lines.push('', `round ${round.round}: ${round.complete ? 'COMPLETE' : 'open'} (waits for ${round.expected.join(', ')})`);
    for (const [team, status] of Object.entries(round.teams)) {
      const parts = [
        status.announced ? `announced ${status.announced.time}` : 'not announced',
        status.replied ? `replied ${status.replied.time}` : 'no reply',
        status.done === 'done' ? `done ${status.doneTime ?? ''} by ${status.signer ?? '?'}` : status.done === 'invalid' ? `INVALID done-tag: ${status.detail ?? ''}` : 'pending',
      ];
      const expected = round.expected.includes(team) ? '' : ' (not expected)';
      lines.push(`  ${team.padEnd(12)} ${parts.join(' · ')}${expected}`);
    }
  }
  const activity = Object.entries(report.lastActivity);
  if (activity.length) lines.push('', 'last activity:', ...activity.sort().map(([team, time]) => `  ${team.padEnd(12)} ${time}`));
  if (report.rejected) {
    const rejected = Object.entries(report.rejected);
    lines.push('', rejected.length ? 'rejected pushes (audit log):' : 'rejected pushes: none');
    for (const [team, entry] of rejected) lines.push(`  ${team.padEnd(12)} ${entry.count} (last ${entry.last})`);
  }
  if (report.refused) lines.push(...formatOtherRefusals(report.refused));
  return lines.join('\n') + '\n';
}
