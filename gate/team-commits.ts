/**
 * Which commits a push makes a team answer for: every commit reachable from the team's new tips that
 * is reachable neither from the team's branches before the push nor from a protected branch. New
 * objects and old ones alike: a commit first brought in by a ref the gate does not scope-check (an
 * extra branch, a tag, another team's branch) is judged when it enters the team's branches. So nothing
 * counts as already judged unless the gate judged it for this team.
 */
import type { GitRepo } from '../git/repo';
import type { Policy } from '../policy/types';
import type { Actor } from './scope';

export interface TeamTip {
  tip: string;
  actor: Actor & { kind: 'team' };
  ref: string;
}

/** For each commit, the actors owning it: walk back from each tip inside its team's graph. */
function attribute(graph: Map<string, string[]>, tips: TeamTip[], owners: Map<string, Actor[]>): void {
  for (const { tip, actor } of tips) {
    const stack = [tip];
    const seen = new Set<string>();
    while (stack.length) {
      const commit = stack.pop()!;
      if (seen.has(commit) || !graph.has(commit)) continue;
      seen.add(commit);
      const list = owners.get(commit) ?? [];
      list.push(actor);
      owners.set(commit, list);
      stack.push(...graph.get(commit)!);
    }
  }
}

/**
 * Commits to judge, oldest first, each with the actors (team, and round when the ref is the team's
 * round branch) it is judged for. One for-each-ref for the whole push, one rev-list per team.
 */
export async function teamCommits(repo: GitRepo, policy: Policy, tips: TeamTip[]): Promise<Map<string, Actor[]>> {
  const owners = new Map<string, Actor[]>();
  if (tips.length === 0) return owners;
  const teams = [...new Set(tips.map((tip) => tip.actor.team.name))];
  const protectedRefs = new Set(policy.coord.protected.map((branch) => `refs/heads/${branch}`));
  // The gate lists the same refs ahead, guessed from the pushed names (gate/push.ts): then this is its answer.
  const known = await repo.listRefsOnce([...teams.map((team) => `refs/heads/${team}/`), ...protectedRefs]);
  const graphs = await Promise.all(teams.map((team) => {
    const excluded = known.filter((ref) => protectedRefs.has(ref.name) || ref.name.startsWith(`refs/heads/${team}/`)).map((ref) => ref.oid);
    const included = tips.filter((tip) => tip.actor.team.name === team).map((tip) => `${tip.tip}^{}`);
    return repo.revListParents(included, excluded);
  }));
  const ordered = new Map<string, Actor[]>();
  graphs.forEach((graph, index) => attribute(graph, tips.filter((tip) => tip.actor.team.name === teams[index]), owners));
  // Oldest first reads better in messages; rev-list gives newest first.
  for (const graph of graphs) {
    for (const commit of [...graph.keys()].reverse()) if (owners.has(commit) && !ordered.has(commit)) ordered.set(commit, owners.get(commit)!);
  }
  return ordered;
}
