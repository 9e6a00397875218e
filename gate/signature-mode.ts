/**
 * `signature` identity mode: every commit that enters a team's branches must be signed by a key listed
 * for that team (principal = the team's name or one of its members) or for an architect (the
 * architect's announcements), in the signers file of the protected branch before the push.
 */
import type { RefRejection, RuleContext } from './ref-rules';
import { signedBy } from './ref-rules';
import { teamPrincipals } from '../trust/identity';
import type { Actor } from './scope';

const PARALLEL = 4;

export async function requireTeamSignatures(context: RuleContext, owners: Map<string, Actor[]>, refOf: (team: string) => string): Promise<RefRejection[]> {
  const jobs: { commit: string; team: string; principals: string[] }[] = [];
  for (const [commit, actors] of owners) {
    // A commit reaching two branches of one team (its round branch and another) is verified once.
    const teams = new Map(actors.filter((actor) => actor.kind === 'team').map((actor) => [actor.team.name, actor.team]));
    for (const team of teams.values()) jobs.push({ commit, team: team.name, principals: [...teamPrincipals(team), ...context.policy.coord.architects] });
  }
  const rejections: RefRejection[] = [];
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++];
      const verdict = await signedBy(context, job.commit, job.principals);
      if (!verdict.ok) {
        rejections.push({
          ref: refOf(job.team),
          message: `commit ${job.commit.slice(0, 10)} is not signed by a key of team ${job.team}: ${verdict.detail}`,
          fix: `sign your commits (git config commit.gpgsign true; git rebase --exec 'git commit --amend --no-edit -S' <base>) with a key the architect lists for one of ${job.principals.filter((name) => !context.policy.coord.architects.includes(name)).join(', ')} in ${context.policy.coord.signers}`,
        });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, jobs.length) }, worker));
  return rejections;
}
