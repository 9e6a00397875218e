/**
 * The compiled-policy cache: the policy of a protected-branch commit, kept as JSON in
 * <git common dir>/coord-hooks/policy-cache.json. A commit's policy never changes, so the commit id
 * (with the package version, for the format) is the whole key. Hooks that hit it never load the YAML
 * parser nor read CLAUDE.md files. A missing, corrupt or foreign file is ignored and rewritten.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'fs';
import { join } from 'path';
import { packageInfo } from '../core/package-info';
import { parsePathspec } from './pathspec';
import type { Pattern, Policy, PolicyProblem, SourcePos, Team } from './types';

interface StoredPattern { text: string; pos: SourcePos }
interface StoredTeam extends Omit<Team, 'write' | 'read'> { write: StoredPattern[]; read: StoredPattern[] }
interface Stored {
  version: string;
  commit: string;
  policy: Omit<Policy, 'teams'> & { teams: StoredTeam[] };
  warnings: PolicyProblem[];
}

const cachePath = (gitDir: string) => join(gitDir, 'coord-hooks', 'policy-cache.json');
const store = (patterns: Pattern[]): StoredPattern[] => patterns.map(({ text, pos }) => ({ text, pos }));
const revive = (patterns: StoredPattern[]): Pattern[] => patterns.map(({ text, pos }) => ({ text, pos, spec: parsePathspec(text) }));

export function readCachedPolicy(gitDir: string, commit: string): { policy: Policy; warnings: PolicyProblem[] } | null {
  try {
    const stored = JSON.parse(readFileSync(cachePath(gitDir), 'utf8')) as Stored;
    if (stored.commit !== commit || stored.version !== packageInfo().version) return null;
    const teams = stored.policy.teams.map((team) => ({ ...team, write: revive(team.write), read: revive(team.read) }));
    return { policy: { ...stored.policy, teams }, warnings: stored.warnings };
  } catch {
    return null;
  }
}

/** Best effort: a cache that cannot be written only costs the next run its speed. */
export function writeCachedPolicy(gitDir: string, commit: string, policy: Policy, warnings: PolicyProblem[]): void {
  const stored: Stored = {
    version: packageInfo().version,
    commit,
    policy: { ...policy, teams: policy.teams.map((team) => ({ ...team, write: store(team.write), read: store(team.read) })) },
    warnings,
  };
  try {
    mkdirSync(join(gitDir, 'coord-hooks'), { recursive: true });
    const temp = `${cachePath(gitDir)}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(stored));
    renameSync(temp, cachePath(gitDir));
  } catch {
    // read-only repository, full disk: go on without the cache
  }
}
