/**
 * What the client hooks and the Claude Code guard need to know about a clone: which team it works
 * for, its hook input, a deadline, and how to say that a check could not run. Kept free of policy
 * loading so the cheapest hooks can decide from their input alone.
 */
import { CoordError, errorMessage } from '../../core/errors';
import type { GitRepo } from '../../git/repo';
import type { Policy, Team } from '../../policy/types';

export const TEAM_KEY = 'coord-hooks.team';

/** One line for a person who needs to get past a broken client hook (the server still checks the push). */
export function skipHint(gitCommand: string): string {
  return `\`COORD_HOOKS=0 git ${gitCommand} …\` skips coord-hooks' client hooks for one command; the server gate still judges the push`;
}


/**
 * The clone's team, with resolveTeam's precedence (policy/locate.ts): an explicit name (git config
 * coord-hooks.team, or the guard's COORD_HOOKS_TEAM), else the branch `<team>/…`. An explicit name the
 * policy does not know is an error; no name and no team branch is `null` (nothing to judge).
 */
export async function cloneTeam(policy: Policy, explicit: string | null | undefined, branch: string | null): Promise<Team | null> {
  const { findTeam } = await import('../../policy/locate');
  if (explicit) return findTeam(policy, explicit);
  const prefix = branch?.includes('/') ? branch.split('/')[0] : undefined;
  return policy.teams.find((team) => team.name === prefix) ?? null;
}

/**
 * This clone's configured team: git config coord-hooks.team (what `install --team` writes), else the
 * settings file (policy/locate.ts cloneSetting; loaded only when git config has none).
 */
export async function configuredTeam(repo: GitRepo): Promise<string | null> {
  // One `git config --get-regexp` serves every coord-hooks.* key of the run (memoised per repository).
  const { cloneSetting } = await import('../../policy/locate');
  return (await cloneSetting(repo, 'team')) ?? null;
}

/** Cheap pre-check before loading any policy: could this clone have a team at all? */
export async function teamHints(repo: GitRepo): Promise<{ configured: string | null; branch: string | null; possible: boolean }> {
  const [configured, { branch }] = await Promise.all([configuredTeam(repo), repo.whereAmI()]);
  return { configured, branch, possible: Boolean(configured) || Boolean(branch?.includes('/')) };
}

/** The message of a check that could not run: what failed, the hint when there is one. */
export function failureLines(hook: string, error: unknown): string[] {
  const lines = [`coord-hooks ${hook}: ${error instanceof CoordError ? '' : 'internal error: '}${errorMessage(error)}`];
  if (error instanceof CoordError && error.hint) lines.push(`hint: ${error.hint}`);
  return lines;
}

/**
 * Settles with `work`, or with `onTimeout()` after `ms` milliseconds, whichever comes first. Never
 * exits the process: the caller returns the exit code and cli/main.ts ends any helper left running.
 */
export async function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(onTimeout()), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
