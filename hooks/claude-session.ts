/**
 * Claude Code session hooks.
 *
 * `hook claude-session-start` (SessionStart: startup, resume, clear, compact): prints
 * `{"hookSpecificOutput":{"hookEventName":"SessionStart","additionalContext":"…"}}`, telling the session
 * its team, its write (and read) scope in words, its round branch and the current unanswered
 * announcement. Told again after compaction and /clear. Never fails the session: on any error the
 * context says what could not be read, and the exit code is 0.
 *
 * `hook claude-stop` (Stop, only with `install --claude --wait-for-announcements`): when an unanswered
 * announcement for the team exists that this work tree's sessions were not handed yet (one ls-remote of
 * the team's round branches, one fetch of those that moved), prints `{"decision":"block","reason":…}`
 * so the session carries on with it instead of stopping. Each announcement is handed once (remembered in
 * the git directory), so `stop_hook_active` loops end; on any error the session may stop (exit 0).
 */
import type { CommandIO } from '../core/io';
import { errorMessage } from '../core/errors';
import { readAll } from '../core/stream';
import { GitRepo } from '../git/repo';
import type { Team } from '../policy/types';
import { SESSION_START_DEADLINE_MS, STOP_DEADLINE_MS } from './claude-command';
import type { OpenAnnouncement } from './claude-announcements';
import { withDeadline } from './client/clone';
import type { GuardRepo } from './guard-path';

/** How long the session-start hook waits for the remote before using what the clone has. */
const FETCH_BUDGET_MS = 4000;

interface SessionInput {
  cwd: string;
  source?: string;
  stopHookActive: boolean;
}

function parseInput(text: string, fallbackCwd: string): SessionInput {
  try {
    const data = JSON.parse(text) as Record<string, unknown>;
    return {
      cwd: typeof data.cwd === 'string' && data.cwd ? data.cwd : fallbackCwd,
      source: typeof data.source === 'string' ? data.source : undefined,
      stopHookActive: data.stop_hook_active === true,
    };
  } catch {
    return { cwd: fallbackCwd, stopHookActive: false };
  }
}

function patterns(list: Team['write']): string {
  return list.map((pattern) => pattern.text).join(', ') || '(nothing)';
}

export function scopeLines(repo: GuardRepo, readsEverything: boolean): string[] {
  const { team } = repo;
  return [
    `coord-hooks: this session works for team ${team.name} (policy from ${repo.source}, ${team.file}).`,
    `You may write only: ${patterns(team.write)}. Everything else belongs to other teams or to the architect: read it, do not change it.`,
    'Never yours to change: every CLAUDE.md, .coord/, .claude/ and the git directory. Writes outside the scope are blocked by the guard, and the server rejects pushes that carry them.',
    readsEverything ? 'You may read everything in the repository.' : `You may read only: ${patterns(team.read)} (and your write scope); other reads are blocked.`,
  ];
}

function announcementLines(open: OpenAnnouncement[], repo: GuardRepo, remote: string): string[] {
  const team = repo.team.name;
  const current = open.find((entry) => entry.round === repo.round) ?? open[0];
  const lines: string[] = [];
  if (repo.round !== undefined) lines.push(`Round branch: ${team}/round-${repo.round} (checked out): commit here, push to ${remote} ${team}/round-${repo.round}.`);
  else lines.push(`Not on a round branch of team ${team} (${team}/round-N).`);
  if (!current) {
    lines.push(`No unanswered announcement for team ${team}.`);
    return lines;
  }
  lines.push('', `Current announcement for team ${team}, round ${current.round} (${current.path} on ${current.readFrom}), not answered yet:`, '', current.text.replace(/\s+$/, ''), '');
  if (current.round !== repo.round) lines.push(`Switch to its branch first: git fetch ${remote} && git switch ${current.branch}`);
  lines.push(`When the work is committed and pushed: coord-hooks reply -m "what was done, what is left" (${current.path.replace('ANNOUNCEMENT', 'REPLY')}), then coord-hooks signal-done --round ${current.round}.`);
  const others = open.filter((entry) => entry !== current).map((entry) => entry.round);
  if (others.length) lines.push(`Also unanswered: round ${others.join(', ')}.`);
  return lines;
}

interface Loaded {
  repo: GuardRepo;
  git: GitRepo;
  remote: string;
}

async function load(cwd: string, env: NodeJS.ProcessEnv): Promise<Loaded> {
  const { loadGuardRepo, guardGitEnv } = await import('./guard');
  const repo = await loadGuardRepo(cwd, env);
  const git = new GitRepo(cwd, guardGitEnv(env));
  const { remoteName } = await import('../policy/locate');
  return { repo, git, remote: await remoteName(git) };
}

async function sessionContext(input: SessionInput, env: NodeJS.ProcessEnv, notes: string[]): Promise<string> {
  const { repo, git, remote } = await load(input.cwd, env);
  try {
    const [{ readsEverything }, announcements] = await Promise.all([import('./guard-path'), import('./claude-announcements')]);
    const lines = scopeLines(repo, readsEverything(repo.team));
    const fetched = announcements.refreshRoundBranches(git, repo.team.name, remote).then(() => null, (error: unknown) => errorMessage(error).split('\n')[0]);
    const problem = await withDeadline(fetched, FETCH_BUDGET_MS, () => `no answer within ${FETCH_BUDGET_MS / 1000} s`);
    if (problem) notes.push(`could not fetch the round branches from ${remote} (${problem}); showing what this clone has`);
    const open = await announcements.openAnnouncements(git, repo.team.name, remote);
    lines.push(...announcementLines(open, repo, remote));
    const shown = open.find((entry) => entry.round === repo.round) ?? open[0];
    if (shown) new announcements.HandedStore(await git.gitDir()).mark(shown);
    return lines.join('\n');
  } finally {
    git.close();
  }
}

export async function runClaudeSessionStart(_args: string[], io: CommandIO): Promise<number> {
  const notes: string[] = [];
  let text: string;
  try {
    const input = parseInput(await readAll(io.stdin), io.cwd);
    text = await withDeadline(sessionContext(input, io.env, notes), SESSION_START_DEADLINE_MS,
      () => `coord-hooks: could not tell this session its team, scope and round within ${SESSION_START_DEADLINE_MS / 1000} s; run \`coord-hooks watch --once\` and \`coord-hooks explain PATH\` to see them.`);
  } catch (error) {
    text = `coord-hooks: could not tell this session its team, scope and round: ${errorMessage(error).split('\n')[0]}. Writes are still checked by the guard; ask the operator to fix the set-up (\`coord-hooks install --team T\`, \`coord-hooks install --claude\`).`;
  }
  if (notes.length) text += `\n(${notes.join('; ')})`;
  io.out(JSON.stringify({ hookSpecificOutput: { hookEventName: 'SessionStart', additionalContext: text } }) + '\n');
  return 0;
}

async function newAnnouncement(input: SessionInput, env: NodeJS.ProcessEnv): Promise<{ announcement: OpenAnnouncement; repo: GuardRepo; remote: string } | null> {
  const { repo, git, remote } = await load(input.cwd, env);
  try {
    const announcements = await import('./claude-announcements');
    await announcements.refreshRoundBranches(git, repo.team.name, remote);
    const handed = new announcements.HandedStore(await git.gitDir());
    const fresh = (await announcements.openAnnouncements(git, repo.team.name, remote)).find((entry) => !handed.has(entry));
    if (!fresh) return null;
    handed.mark(fresh);
    return { announcement: fresh, repo, remote };
  } finally {
    git.close();
  }
}

export async function runClaudeStop(_args: string[], io: CommandIO): Promise<number> {
  try {
    const input = parseInput(await readAll(io.stdin), io.cwd);
    const found = await withDeadline(newAnnouncement(input, io.env), STOP_DEADLINE_MS, () => null);
    if (!found) return 0;
    const { announcement, repo, remote } = found;
    const lines = [
      `coord-hooks: a new announcement for team ${announcement.team}, round ${announcement.round} (${announcement.path} on ${announcement.readFrom}), not answered yet:`,
      '', announcement.text.replace(/\s+$/, ''), '',
      'What to do now:',
      ...(repo.round === announcement.round ? [] : [`- switch to its branch: git fetch ${remote} && git switch ${announcement.branch}`]),
      `- do the work inside your scope (${patterns(repo.team.write)}), commit, push to ${remote} ${announcement.branch}`,
      `- answer: coord-hooks reply -m "what was done, what is left", then coord-hooks signal-done --round ${announcement.round}`,
    ];
    io.out(JSON.stringify({ decision: 'block', reason: lines.join('\n') }) + '\n');
  } catch (error) {
    io.err(`coord-hooks stop hook: cannot look for new announcements (${errorMessage(error).split('\n')[0]}); the session may stop\n`);
  }
  return 0;
}
