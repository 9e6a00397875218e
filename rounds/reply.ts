/**
 * A team answers on its round branch: rounds/N/<team>/REPLY.md committed (only that file, whatever
 * else is staged) and the branch pushed. The gate lets a team write exactly this file outside its scope.
 */
import { mkdirSync, writeFileSync } from 'fs';
import { dirname, join } from 'path';
import { CoordError } from '../core/errors';
import type { GitRepo } from '../git/repo';
import { remoteName, resolveTeam } from '../policy/locate';
import type { Policy } from '../policy/types';
import { gitFailure } from './context';
import { replyPath, roundOfBranch } from '../policy/round-names';

export interface ReplyResult {
  branch: string;
  round: number;
  path: string;
  commit: string;
  pushed: boolean;
}

export async function reply(repo: GitRepo, policy: Policy, options: { message: string; team?: string; push: boolean }): Promise<ReplyResult> {
  const branch = await repo.currentBranch();
  const team = await resolveTeam(repo, policy, options.team, branch);
  const round = branch ? roundOfBranch(branch, team.name) : null;
  if (!branch || round === null) {
    throw new CoordError(`reply works on a round branch ${team.name}/round-N; this is ${branch ?? 'a detached HEAD'}`, {
      hint: `check out the round's branch: git switch ${team.name}/round-<N>`,
    });
  }
  const top = await repo.topLevel();
  const path = replyPath(round, team.name);
  mkdirSync(dirname(join(top, path)), { recursive: true });
  writeFileSync(join(top, path), options.message.endsWith('\n') ? options.message : `${options.message}\n`);
  const env = { ...(repo.env ?? process.env), COORD_HOOKS_RUNNING: '1' };
  await repo.run(['-C', top, 'add', '--', path]);
  await repo.run(['-C', top, 'commit', '-q', '-m', `reply: round ${round} (${team.name})`, '--only', '--', path], { env })
    .catch((error) => { throw new CoordError(`cannot commit ${path}: ${gitFailure(error)}`); });
  const commit = (await repo.resolve('HEAD'))!;
  if (!options.push) return { branch, round, path, commit, pushed: false };
  const remote = await remoteName(repo);
  try {
    await repo.run(['push', '-q', remote, `HEAD:refs/heads/${branch}`], { env });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    throw new CoordError(`the reply is committed (${commit.slice(0, 10)}) but the push was rejected:\n${stderr.trim()}`, {
      exitCode: 1, hint: `fix what the server says, then: git push ${remote} ${branch}`,
    });
  }
  return { branch, round, path, commit, pushed: true };
}
