/**
 * The guard's view of one path: where a tool call would really read or write (symlinks on the way
 * resolved, as the file system will), and whether this team may. Pure functions over a GuardRepo, so
 * Write/Edit calls and the writes found in Bash commands are judged by the same code.
 */
import { existsSync, readlinkSync, realpathSync } from 'fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'path';
import { owningTeams, isPolicyFile } from '../policy/explain';
import { CompiledPathspec, matchPathspecs } from '../policy/pathspec';
import type { Policy, Team } from '../policy/types';
import { inWriteScope } from '../gate/scope';
import { replyPath } from '../policy/round-names';

/** What the guard knows about the repository the agent works in (all paths absolute and real). */
export interface GuardRepo {
  top: string;
  /** The git directory, the common directory (linked worktrees) and the hooks directory. */
  gitDirs: string[];
  policy: Policy;
  /** Where the policy was read from, for messages. */
  source: string;
  team: Team;
  /** The round of the checked-out branch when it is the team's round branch `<team>/round-N`. */
  round?: number;
  /**
   * Places outside the repository that are not its business (Claude Code's own directory, ~/.claude
   * with plans, memory and todos; the OS temp directory): free for writes and reads, except inside
   * another git work tree there. Real paths.
   */
  freeDirs?: string[];
  /** Claude Code's own directory (real path): free, except the files that configure it (claudeControlFile). */
  claudeDir?: string;
}

export type BlockReason = 'other-repo' | 'outside-repo' | 'git-dir' | 'agent-config' | 'policy-file' | 'outside-scope' | 'outside-read-scope';

export interface Block {
  reason: BlockReason;
  /** Repository-relative path, or the absolute path when it is outside the repository. */
  path: string;
}

const MAX_LINKS = 40;

/**
 * Where `path` (absolute, `..` already normalised) leads on disk: the real path of its deepest existing
 * ancestor with the rest appended; a dangling symlink on the way is followed by hand, since writing
 * through it creates its target.
 */
export function resolveOnDisk(path: string): string {
  let current = resolve(path);
  const rest: string[] = [];
  for (let links = 0; ;) {
    try {
      return join(realpathSync(current), ...rest);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
    }
    let target: string | null = null;
    try {
      target = readlinkSync(current);
    } catch {
      target = null;
    }
    if (target !== null && links++ < MAX_LINKS) {
      current = resolve(dirname(current), target);
      continue;
    }
    const parent = dirname(current);
    if (parent === current) return join(current, ...rest);
    rest.unshift(basename(current));
    current = parent;
  }
}

export function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * Files in Claude Code's own directory that configure it, and so the hooks (`disableAllHooks`,
 * plugins that register hooks): settings*.json at its top, hooks/ and plugins/. Never free.
 */
export function isClaudeControlFile(repo: GuardRepo, resolved: string): boolean {
  if (!repo.claudeDir || !isInside(repo.claudeDir, resolved)) return false;
  const [first, ...rest] = relative(repo.claudeDir, resolved).split(sep);
  return first === '' || (rest.length === 0 && /^settings.*\.json$/i.test(first)) || first === 'hooks' || first === 'plugins';
}

/** Free: inside one of repo.freeDirs, and not inside another git work tree or git directory there. */
export function isFreePath(repo: GuardRepo, resolved: string): boolean {
  const free = (repo.freeDirs ?? []).find((dir) => isInside(dir, resolved));
  if (!free) return false;
  for (let dir = dirname(resolved); isInside(free, dir); dir = dirname(dir)) {
    if (existsSync(join(dir, '.git')) || (existsSync(join(dir, 'HEAD')) && existsSync(join(dir, 'objects')))) return false;
    if (dir === free) break;
  }
  return true;
}

/** The repository-relative path (forward slashes) of a resolved absolute path, or null outside the work tree. */
export function repoRelative(repo: GuardRepo, resolved: string): string | null {
  if (!isInside(repo.top, resolved)) return null;
  return relative(repo.top, resolved).split(sep).join('/');
}

function isAgentConfig(rel: string): boolean {
  return rel === '.claude' || rel.startsWith('.claude/');
}

function isClaudeFile(rel: string): boolean {
  return rel === 'CLAUDE.md' || rel.endsWith('/CLAUDE.md');
}

/**
 * Whether a write to the resolved absolute path is blocked, and why. `outsideRepoOk` is for Bash, which
 * may write scratch files anywhere; `directory` for a directory a command creates or removes, which
 * counts as in scope when its contents are (`fw/` selects fw/x, not fw itself).
 */
export function judgeWritePath(repo: GuardRepo, resolved: string, outsideRepoOk = false, directory = false): Block | null {
  if (isClaudeControlFile(repo, resolved)) return { reason: 'agent-config', path: resolved };
  if (repo.gitDirs.some((dir) => isInside(dir, resolved))) return { reason: 'git-dir', path: repoRelative(repo, resolved) ?? resolved };
  const rel = repoRelative(repo, resolved);
  if (rel === null) return outsideRepoOk || isFreePath(repo, resolved) ? null : { reason: isInFree(repo, resolved) ? 'other-repo' : 'outside-repo', path: resolved };
  if (isAgentConfig(rel)) return { reason: 'agent-config', path: rel };
  if (isClaudeFile(rel) || isPolicyFile(repo.policy, rel)) return { reason: 'policy-file', path: rel };
  // The gate's one exception a team may use itself: its REPLY.md on its own round branch.
  if (repo.round !== undefined && rel === replyPath(repo.round, repo.team.name)) return null;
  const inScope = rel !== '' && (inWriteScope(repo.team, rel) || (directory && inWriteScope(repo.team, `${rel}/x`)));
  if (!inScope) return { reason: 'outside-scope', path: rel };
  return null;
}

function isInFree(repo: GuardRepo, resolved: string): boolean {
  return (repo.freeDirs ?? []).some((dir) => isInside(dir, resolved));
}

/** True when the team's read patterns select every path (`*`, `.`, `:/`, `:(glob)**`, no excludes). */
export function readsEverything(team: Team): boolean {
  const specs = team.read.map((pattern) => pattern.spec);
  if (specs.some((spec) => spec.exclude)) return false;
  return specs.some((spec) => spec instanceof CompiledPathspec && !spec.magic.literal
    && (spec.match === '' || spec.match === '**' || (spec.match === '*' && !spec.magic.glob)));
}

function mayRead(team: Team, rel: string, directory: boolean): boolean {
  const specs = team.read.map((pattern) => pattern.spec);
  const selected = (path: string) => matchPathspecs(specs, path).matched || inWriteScope(team, path);
  // A directory counts as readable when it is selected itself, or its contents are (`fw/` selects fw/x, not fw).
  return selected(rel) || (directory && rel !== '' && selected(`${rel}/x`));
}

/** Reads (Read, Glob, Grep): free when the read scope is everything; else inside the read or write scope, policy files included. */
export function judgeReadPath(repo: GuardRepo, resolved: string, directory: boolean): Block | null {
  if (readsEverything(repo.team)) return null;
  const rel = repoRelative(repo, resolved);
  if (rel === null) return isFreePath(repo, resolved) ? null : { reason: isInFree(repo, resolved) ? 'other-repo' : 'outside-repo', path: resolved };
  if (isClaudeFile(rel) || isPolicyFile(repo.policy, rel)) return null; // the policy is public: agents read their own scope
  return mayRead(repo.team, rel, directory) ? null : { reason: 'outside-read-scope', path: rel };
}

/** "fw/…" for `fw/`, the pattern itself otherwise: where the team may write, for "write inside … instead". */
export function scopeSuggestion(team: Team): string {
  const positive = team.write.filter((pattern) => !pattern.spec.exclude).map((pattern) => (pattern.text.endsWith('/') ? `${pattern.text}…` : pattern.text));
  return positive.join(' or ') || team.write.map((pattern) => pattern.text).join(', ');
}

/** What the block means, one sentence (the tool name and the path come before it). */
export function blockReasonText(repo: GuardRepo, block: Block): string {
  const team = repo.team.name;
  switch (block.reason) {
    case 'outside-repo': return `it is outside the repository (${repo.top}); team ${team} writes only inside it (and in ~/.claude and the temp directory)`;
    case 'other-repo': return 'it is inside another git repository (a clone or its git directory): team ' + team + ' works only in its own clone';
    case 'git-dir': return 'it is inside the git directory or its hooks: change the repository with git commands, never by editing these files';
    case 'agent-config': return 'it configures the agent and this guard (.claude/ in the repository; settings, hooks and plugins in ~/.claude): only a person changes them';
    case 'policy-file': return 'it is a policy file (CLAUDE.md, .coord/): only the architect changes it, on the protected branch';
    case 'outside-read-scope': return `it is outside team ${team}'s read scope (${repo.team.read.map((pattern) => pattern.text).join(', ')})`;
    case 'outside-scope': {
      const owners = block.path === '' ? [] : owningTeams(repo.policy, block.path).map((owner) => `team ${owner.name}`);
      return `it is outside team ${team}'s write scope; ${owners.length ? `it belongs to ${owners.join(', ')}` : 'no team may write it'}`;
    }
  }
}

/** The lines after the first: the team's patterns and what to do instead. */
export function adviceLines(repo: GuardRepo, block: Block): string[] {
  const { team } = repo;
  const lines = [`team ${team.name} may write: ${team.write.map((pattern) => pattern.text).join(', ')} (${team.file}; policy from ${repo.source})`];
  if (block.reason === 'outside-read-scope') {
    lines[0] = `team ${team.name} may read: ${team.read.map((pattern) => pattern.text).join(', ')} (${team.file}; policy from ${repo.source})`;
    lines.push(`what to do: stay inside ${team.read.map((pattern) => pattern.text).join(', ')}; if you need something from elsewhere, ask the architect: coord-hooks reply -m "…" (REPLY.md on your round branch)`);
  } else if (block.reason === 'policy-file' || block.reason === 'agent-config') {
    lines.push('what to do: ask the architect: coord-hooks reply -m "…" (REPLY.md on your round branch)');
  } else if (block.reason === 'git-dir') {
    lines.push('what to do: use git (commit, branch, config) instead of editing files under the git directory');
  } else {
    lines.push(`what to do: write inside ${scopeSuggestion(team)} instead, or ask the architect: coord-hooks reply -m "…" (REPLY.md on your round branch)`);
  }
  return lines;
}
