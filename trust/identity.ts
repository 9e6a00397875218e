/** Who is pushing, as the host says (only in `pusher` identity mode), and which team that is. */
import { CoordError, EXIT_VERDICT } from '../core/errors';
import type { Policy, Team } from '../policy/types';

/** Host variables carrying the authenticated user, in the order they are consulted. */
export const PUSHER_VARIABLES = ['GL_USER', 'GL_USERNAME', 'GITEA_PUSHER_NAME', 'REMOTE_USER', 'GITHUB_USER_LOGIN'] as const;

export interface Pusher {
  name: string;
  variable: string;
}

/**
 * The authenticated user the host set. With `only` (the server setting coord-hooks.pusherVariable),
 * that variable alone counts. Otherwise every known variable is read, and two that disagree are an
 * error: one of them may come from the client (an sshd that `AcceptEnv`s it, a proxy that passes a
 * header through), and which one is the host's cannot be told from here. Fails closed.
 */
export function hostPusher(env: NodeJS.ProcessEnv, only?: string): Pusher | null {
  if (only) return env[only] ? { name: env[only]!, variable: only } : null;
  const set = PUSHER_VARIABLES.filter((variable) => env[variable]).map((variable) => ({ name: env[variable]!, variable }));
  if (new Set(set.map((pusher) => pusher.name)).size > 1) {
    throw new CoordError(`the host's pusher variables disagree (${set.map((pusher) => `${pusher.variable}=${pusher.name}`).join(', ')}), so who pushes cannot be told`, {
      exitCode: EXIT_VERDICT,
      hint: 'one of them may come from the client: do not let sshd AcceptEnv them or a proxy pass such headers; an administrator names the one the host sets with `git config coord-hooks.pusherVariable VARIABLE` in the server repository',
    });
  }
  return set[0] ?? null;
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
