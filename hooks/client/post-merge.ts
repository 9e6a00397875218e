/**
 * The post-merge hook (after `git pull` or `git merge`): a new or changed ANNOUNCEMENT.md for this
 * clone's team is shown; when a policy file changed between ORIG_HEAD and HEAD, say so and show this
 * clone's scope under the new policy. A notification: it never fails
 * the merge (always exit 0; a problem is one warning line).
 *
 * Cheap first: one diff-tree limited to CLAUDE.md files and .coord/ decides; the policy is loaded only
 * when one of them changed. (A signers file configured outside .coord/ is not noticed on its own.)
 */
import type { CommandIO } from '../../core/io';
import { errorMessage } from '../../core/errors';
import { GitRepo } from '../../git/repo';
import type { Policy, Team } from '../../policy/types';
import { cloneTeam, teamHints } from './clone';

const POLICY_CANDIDATES = [':(glob)**/CLAUDE.md', '.coord/'];
const ANNOUNCEMENTS = ':(glob)rounds/*/*/ANNOUNCEMENT.md';
const ANNOUNCEMENT_PATH = /^rounds\/([1-9][0-9]*)\/([^/]+)\/ANNOUNCEMENT\.md$/;

/** A new or changed announcement for this clone's team, shown after a pull (first 20 lines). */
async function showAnnouncements(repo: GitRepo, before: string, after: string, io: CommandIO): Promise<void> {
  const changes = (await repo.changedPathsBetween(before, after, [ANNOUNCEMENTS])).filter((change) => change.dstMode.startsWith('100'));
  if (changes.length === 0) return;
  const hints = await teamHints(repo);
  const team = hints.configured ?? hints.branch?.split('/')[0] ?? null;
  for (const change of changes) {
    const match = ANNOUNCEMENT_PATH.exec(change.path);
    if (!match || (team !== null && match[2] !== team)) continue;
    const text = (await repo.objects().readBlobText(change.dstOid)) ?? '';
    const lines = text.replace(/\s+$/, '').split('\n');
    io.err(`coord-hooks: announcement for ${match[2]}, round ${match[1]} (${change.path}):\n${lines.slice(0, 20).map((line) => `  ${line}`).join('\n')}${lines.length > 20 ? `\n  … (${lines.length - 20} more lines)` : ''}\n`);
  }
}

/** Paths of policy files that changed from `before` to `after` (a CLAUDE.md counts when it has front-matter on either side). */
export async function changedPolicyFiles(repo: GitRepo, before: string, after: string): Promise<string[]> {
  const changes = await repo.changedPathsBetween(before, after, POLICY_CANDIDATES);
  const objects = repo.objects();
  const { hasFrontMatter } = changes.some((change) => change.path.endsWith('CLAUDE.md')) ? await import('../../policy/frontmatter') : { hasFrontMatter: () => false };
  const out: string[] = [];
  for (const change of changes) {
    if (!change.path.endsWith('CLAUDE.md')) {
      out.push(change.path);
      continue;
    }
    const [old, next] = await Promise.all([objects.readBlobText(`${before}:${change.path}`), objects.readBlobText(`${after}:${change.path}`)]);
    if ((old !== null && hasFrontMatter(old)) || (next !== null && hasFrontMatter(next))) out.push(change.path);
  }
  return out;
}

export function describeScope(team: Team): string {
  const read = team.read.map((pattern) => pattern.text).join(', ') || '(nothing)';
  return `write ${team.write.map((pattern) => pattern.text).join(', ')} · read ${read} (team ${team.name}, ${team.file})`;
}

function listFiles(paths: string[]): string {
  return paths.length > 5 ? `${paths.slice(0, 5).join(', ')} and ${paths.length - 5} more` : paths.join(', ');
}

/** Claude Code's settings follow the policy: when `install --claude` registered ours here, write them again for it. */
async function regenerateClaudeSettings(io: CommandIO, policy: Policy, team: Team): Promise<void> {
  const settings = await import('../claude-settings');
  const installed = await settings.installedClaudeSettings(io.cwd);
  if (!installed.installed) return;
  // The warm client the guard command recorded stays in the rewritten command (docs/warm.md).
  const where = installed.warm ? { ...(await import('../claude-command')).thisCli(), warm: installed.warm } : undefined;
  const summary = await settings.installClaudeForTeam(io.cwd, policy, team, { waitForAnnouncements: installed.waitForAnnouncements, where });
  if (summary.action !== 'unchanged') io.err(`coord-hooks: Claude Code settings rewritten for the new policy (${summary.settingsPath})\n`);
}

export async function runPostMerge(_args: string[], io: CommandIO): Promise<number> {
  const repo = new GitRepo(io.cwd, io.env);
  try {
    const [before, after] = await Promise.all([repo.resolve('ORIG_HEAD^{commit}'), repo.resolve('HEAD^{commit}')]);
    if (!before || !after || before === after) return 0;
    await showAnnouncements(repo, before, after, io);
    const files = await changedPolicyFiles(repo, before, after);
    if (files.length === 0) return 0;
    const head = `coord-hooks: the policy changed (${listFiles(files)})`;
    const { locatePolicy } = await import('../../policy/locate');
    let located;
    try {
      located = await locatePolicy(repo);
    } catch (error) {
      io.err(`${head}, and it cannot be used: ${errorMessage(error).split('\n')[0]} (run \`coord-hooks check\` for every problem)\n`);
      return 0;
    }
    const hints = await teamHints(repo);
    const team = hints.possible ? await cloneTeam(located.policy, hints.configured, hints.branch).catch(() => null) : null;
    // TODO(rounds): name what the change means for the current round (new tasks, a widened scope for this round's work).
    io.err(team
      ? `${head}; your scope is now: ${describeScope(team)}; policy from ${located.source}\n`
      : `${head}; no team in this clone: \`coord-hooks explain PATH\` shows who may write what (policy from ${located.source})\n`);
    if (team) await regenerateClaudeSettings(io, located.policy, team);
    return 0;
  } catch (error) {
    io.err(`coord-hooks: post-merge: ${errorMessage(error).split('\n')[0]} (ignored; the merge is done)\n`);
    return 0;
  } finally {
    repo.close();
  }
}
