/**
 * Round completion, noticed by post-receive: when a push lands the last expected done-tag of a round,
 * log it, tell the pusher, and start the policy's on-round-complete commands detached (their output
 * goes to <git dir>/coord-hooks/on-round-complete.log), so a slow command never holds the push.
 * Done tags are immutable, so a round turns complete in exactly one push; but two pushes landing a
 * round's last two done-tags at the same moment can both find it complete in their post-receive. A
 * marker file created exclusively (<git dir>/coord-hooks/round-complete/<N>) decides which one reports
 * it: the completion is logged and the commands run exactly once.
 */
import { closeSync, mkdirSync, openSync } from 'fs';
import { join } from 'path';
import { spawnDetached } from '../core/process';
import type { GitRepo } from '../git/repo';
import { foreignEnv } from '../git/run';
import { expectedTeams } from '../rounds/expected';
import type { Policy } from '../policy/types';
import { appendAudit, readAudit } from '../core/audit';
import { classifyRef } from './refs';
import { isCreation, type RefUpdate } from './ref-rules';

export interface CompletedRound {
  round: number;
  teams: string[];
}

export async function completedRounds(repo: GitRepo, policy: Policy, updates: RefUpdate[]): Promise<CompletedRound[]> {
  const createdByRound = new Map<number, Set<string>>();
  for (const update of updates) {
    const kind = classifyRef(policy, update.ref);
    if (kind.kind !== 'done-tag' || !isCreation(update)) continue;
    if (!createdByRound.has(kind.round)) createdByRound.set(kind.round, new Set());
    createdByRound.get(kind.round)!.add(kind.team);
  }
  const completed: CompletedRound[] = [];
  for (const [round, created] of createdByRound) {
    const expected = await expectedTeams(repo, policy, round);
    const done = new Set((await repo.listRefs([`refs/tags/round-${round}/done/`])).map((ref) => ref.name.split('/').pop()!));
    const completeNow = expected.every((team) => done.has(team));
    const completeBefore = expected.every((team) => done.has(team) && !created.has(team));
    if (completeNow && !completeBefore) completed.push({ round, teams: expected });
  }
  return completed;
}

/** True for the one caller that creates the round's marker; false when another push got there first. */
function claimRound(gitDir: string, round: number, err: (text: string) => void): boolean {
  const dir = join(gitDir, 'coord-hooks', 'round-complete');
  try {
    mkdirSync(dir, { recursive: true });
    closeSync(openSync(join(dir, String(round)), 'wx'));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    err(`coord-hooks: warning: cannot mark round ${round} complete in ${dir} (${String(error)}); reporting it anyway\n`);
    return true;
  }
}

export function announceCompletion(gitDir: string, policy: Policy, rounds: CompletedRound[], env: NodeJS.ProcessEnv, err: (text: string) => void): void {
  const logged = new Set(readAudit(gitDir).filter((record) => record.event === 'round-complete').map((record) => record.round));
  for (const { round, teams } of rounds) {
    if (logged.has(round) || !claimRound(gitDir, round, err)) continue;
    appendAudit(gitDir, { time: new Date().toISOString(), event: 'round-complete', pusher: null, refs: [], round, teams }, err);
    err(`coord-hooks: round ${round} complete: ${teams.join(', ')}\n`);
    if (policy.coord.onRoundComplete.length === 0) continue;
    mkdirSync(join(gitDir, 'coord-hooks'), { recursive: true });
    const logFd = openSync(join(gitDir, 'coord-hooks', 'on-round-complete.log'), 'a');
    try {
      for (const command of policy.coord.onRoundComplete) {
        const childEnv = { ...foreignEnv(env), ROUND: String(round), TEAMS: teams.join(' '), COORD_REPO: gitDir };
        spawnDetached(command, { env: childEnv, cwd: gitDir, logFd });
      }
      err(`coord-hooks: started ${policy.coord.onRoundComplete.length} on-round-complete command(s); output in coord-hooks/on-round-complete.log\n`);
    } finally {
      closeSync(logFd);
    }
  }
}
