/**
 * The same write plan as Claude Code settings: its OS sandbox for Bash (and every program Bash
 * starts) plus `permissions.deny` rules for its file tools. Pure: helper code merges the result into
 * `.claude/settings.local.json`. Facts this relies on (Claude Code 2.1.x, Linux; docs/sandbox.md):
 * - the working directory is always writable in Claude's sandbox; `allowWrite` adds paths and
 *   `denyWrite` removes paths inside them (bubblewrap: read-only binds made after the writable ones);
 * - `//abs` is an absolute path both in `sandbox.filesystem.*` and in permission rules (a single `/`
 *   means "relative to the settings' project" in permission rules), so every path is written `//abs`;
 * - globs in allowWrite/denyWrite are skipped on Linux, so only plain paths are written;
 * - `Edit(//abs/dir/**)` denies Claude's Edit/Write/MultiEdit/NotebookEdit tools below dir.
 */
import { join } from 'path';
import type { Policy, Team } from '../policy/types';
import { writePlan, type GitDirs, type SandboxPlan } from './plan';

export interface ClaudeSandboxSettings {
  settings: { sandbox: Record<string, unknown>; permissions: { deny: string[] } };
  /** What Claude's sandbox cannot enforce for this plan, in words for the installer to print. */
  notes: string[];
}

/** `/a/b` → `//a/b`: absolute in both sandbox paths and permission rules. */
export const claudePath = (path: string): string => `/${path}`;

const inside = (path: string, dir: string): boolean => path === dir || path.startsWith(`${dir}/`);
const unique = (paths: string[]): string[] => [...new Set(paths)];

export function claudeSandboxSettings(plan: SandboxPlan): ClaudeSandboxSettings {
  const allowWrite = unique([...plan.writable, ...plan.gitWritable]).map(claudePath);
  const denyWrite = unique([...plan.outsideScope, ...plan.readOnly]).map(claudePath);
  // Never anyone's to edit through the file tools: policy files, .claude/, .coord/, git's hooks and config.
  const editDeny = unique(plan.readOnly.filter((path) => !plan.writable.some((dir) => inside(dir, path))))
    .flatMap((path) => [`Edit(${claudePath(path)})`, `Edit(${claudePath(path)}/**)`]);
  const notes: string[] = [];
  if (!plan.writable.includes(plan.top)) {
    notes.push('Claude Code always lets sandboxed commands write their working directory: started at the repository top, '
      + 'a program may still create new files and directories at the top level (existing entries outside the scope are denied); '
      + 'the guard blocks the Write and Edit tools there and the git hooks reject such commits. Start Claude Code in a directory of the scope to close this.');
  }
  notes.push('entries that do not exist yet cannot all be denied in advance (a new CLAUDE.md with front-matter inside the scope, for one): the git hooks and the gate reject them');
  for (const entry of plan.inexpressible) notes.push(`"${entry.pattern}" ${entry.why}`);
  return {
    settings: {
      sandbox: {
        enabled: true,
        failIfUnavailable: true,
        allowUnsandboxedCommands: false,
        filesystem: { allowWrite, denyWrite },
      },
      permissions: { deny: editDeny },
    },
    notes,
  };
}

/**
 * The settings with local-path remotes writable (a push to `/srv/project.git` writes its objects and
 * refs), their hooks and config still not: the same rule as `coord-hooks sandbox` (sandbox/layout.ts).
 */
export function withLocalRemotes(settings: ClaudeSandboxSettings['settings'], remoteGitDirs: string[]): ClaudeSandboxSettings['settings'] {
  if (remoteGitDirs.length === 0) return settings;
  const filesystem = (settings.sandbox.filesystem ?? {}) as { allowWrite?: string[]; denyWrite?: string[] };
  const allowWrite = unique([...(filesystem.allowWrite ?? []), ...remoteGitDirs.map(claudePath)]);
  const denyWrite = unique([...(filesystem.denyWrite ?? []), ...remoteGitDirs.flatMap((dir) => ['hooks', 'config'].map((name) => claudePath(join(dir, name))))]);
  return { ...settings, sandbox: { ...settings.sandbox, filesystem: { ...filesystem, allowWrite, denyWrite } } };
}

/** The same, straight from the policy: `claudeSandboxSettings(writePlan(policy, team, top, gitDirs))`. */
export function claudeSandboxSettingsFor(policy: Policy, team: Team, top: string, gitDirs: GitDirs): ClaudeSandboxSettings {
  return claudeSandboxSettings(writePlan(policy, team, top, gitDirs));
}
