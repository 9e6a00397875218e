/** Who is pushing, as the host says (only in `pusher` identity mode), and which team that is. */
import type { Policy, Team } from '../policy/types';

/** Host variables carrying the authenticated user, in the order they are consulted. */
export const PUSHER_VARIABLES = ['GL_USER', 'GL_USERNAME', 'GITEA_PUSHER_NAME', 'REMOTE_USER', 'GITHUB_USER_LOGIN'] as const;

export interface Pusher {
  name: string;
  variable: string;
}

export function hostPusher(env: NodeJS.ProcessEnv): Pusher | null {
  for (const variable of PUSHER_VARIABLES) {
    const name = env[variable];
    if (name) return { name, variable };
  }
  return null;
}

export function isArchitect(policy: Policy, pusher: Pusher | null): boolean {
  return pusher !== null && policy.coord.architects.includes(pusher.name);
}

export function teamsOfPusher(policy: Policy, pusher: Pusher | null): Team[] {
  if (!pusher) return [];
  return policy.teams.filter((team) => team.members.includes(pusher.name));
}

/** Whose keys sign for a team: the team's name and its members (principals in the signers file). */
export function teamPrincipals(team: Team): string[] {
  return [...new Set([team.name, ...team.members])];
}
