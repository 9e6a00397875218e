/**
 * The Claude Code PreToolUse guard (`coord-hooks hook claude-guard`): reads the tool call as JSON on
 * stdin and blocks (exit 2, the reason on stderr for the agent) a write outside the team's write scope,
 * a write to a policy file, the agent's config, the git directory or outside the repository (Claude
 * Code's own ~/.claude and the temp directory excepted), and, when the team's read scope is narrower
 * than everything, a read outside it. What each tool touches is read by guard-tools.ts (MCP tools by
 * their path-like input keys); Bash, Monitor and PowerShell commands get an ADVISORY look
 * (guard-bash.ts, guard-powershell.ts). Allowed: exit 0, no output.
 *
 * In Claude Code only exit code 2 blocks, so every failure (bad input, no team, a broken policy, a
 * timeout) ends in exit 2 with a message: the guard fails closed. It is early feedback; the server
 * gate is the guarantee.
 */
import { existsSync, realpathSync } from 'fs';
import { homedir } from 'os';
import { isAbsolute, join, resolve } from 'path';
import type { CommandIO } from '../core/io';
import { CoordError, errorMessage } from '../core/errors';
import { GitRepo } from '../git/repo';
import { readAll } from '../core/stream';
import { configuredTeam, withDeadline } from './client/clone';
import { GUARD_DEFAULT_DEADLINE_MS, GUARD_MAX_DEADLINE_MS } from './claude-command';
import type { GuardRepo } from './guard-path';

export const BLOCK = 2;

export interface GuardInput {
  cwd: string;
  tool_name: string;
  tool_input: Record<string, unknown>;
}

interface Outcome {
  code: number;
  message?: string;
}

/** Variables that would point git at another repository than the one holding the agent's cwd. */
const LOCATING_ENV = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_COMMON_DIR', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_NAMESPACE', 'GIT_CEILING_DIRECTORIES'];

export function parseGuardInput(text: string): GuardInput {
  if (!text.trim()) throw new CoordError('no input on stdin', { hint: 'Claude Code sends the tool call as JSON; run this only as a PreToolUse hook' });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new CoordError(`the input is not JSON (${errorMessage(error)})`, { hint: 'Claude Code sends the tool call as JSON; run this only as a PreToolUse hook' });
  }
  const record = (data ?? {}) as Record<string, unknown>;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new CoordError('the input is not a JSON object');
  if (record.hook_event_name !== undefined && record.hook_event_name !== 'PreToolUse') {
    throw new CoordError(`hook_event_name is ${JSON.stringify(record.hook_event_name)}, not "PreToolUse"`, { hint: 'register the guard under hooks.PreToolUse in .claude/settings.json (`coord-hooks install --claude`)' });
  }
  if (typeof record.tool_name !== 'string' || !record.tool_name) throw new CoordError('the input has no "tool_name"');
  if (typeof record.cwd !== 'string' || !record.cwd) throw new CoordError('the input has no "cwd"');
  const toolInput = record.tool_input;
  if (typeof toolInput !== 'object' || toolInput === null || Array.isArray(toolInput)) throw new CoordError('the input has no "tool_input" object');
  return { cwd: record.cwd, tool_name: record.tool_name, tool_input: toolInput as Record<string, unknown> };
}

/** The environment for git in the agent's cwd: without the variables that point git elsewhere. */
export function guardGitEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const clean = { ...env };
  for (const name of LOCATING_ENV) delete clean[name];
  return clean;
}

/** The repository holding `cwd`, its policy (the protected branch, as the server reads it) and the team. */
export async function loadGuardRepo(cwd: string, env: NodeJS.ProcessEnv): Promise<GuardRepo> {
  if (!existsSync(cwd)) throw new CoordError(`cwd ${cwd} does not exist`);
  const repo = new GitRepo(cwd, guardGitEnv(env));
  try {
    const { locatePolicy } = await import('../policy/locate');
    const { resolveOnDisk } = await import('./guard-path');
    const { cloneTeam } = await import('./client/clone');
    const { roundOfBranch } = await import('../policy/round-names');
    // One rev-parse answers where everything is and which branch this is (HEAD's full name).
    const places = repo.run(['rev-parse', '--path-format=absolute', '--show-toplevel', '--absolute-git-dir', '--git-common-dir', '--git-path', 'hooks', '--symbolic-full-name', 'HEAD'], { okCodes: [128] })
      .then(async (result) => {
        const lines = result.stdout.toString('utf8').split('\n').filter(Boolean);
        if (result.code === 0 && lines.length === 5) {
          repo.seed('common-dir', lines[2]);
          return { lines: lines.slice(0, 4), branch: lines[4].startsWith('refs/heads/') ? lines[4].slice('refs/heads/'.length) : null };
        }
        // An unborn branch has no HEAD to name: ask for the places alone.
        const again = await repo.run(['rev-parse', '--path-format=absolute', '--show-toplevel', '--absolute-git-dir', '--git-common-dir', '--git-path', 'hooks']);
        return { lines: again.stdout.toString('utf8').split('\n').filter(Boolean), branch: await repo.currentBranch() };
      })
      .catch((error: unknown) => { throw new CoordError(`${cwd} is not inside a git work tree (${errorMessage(error).split('\n')[0]})`, { hint: 'start the agent inside its clone of the repository' }); });
    // The work-tree question first, so its message wins outside a repository; the rest side by side.
    const where = await places;
    const [located, configured] = await Promise.all([locatePolicy(repo), configuredTeam(repo)]);
    const branch = where.branch;
    const [top, ...dirs] = where.lines;
    const explicit = configured ?? (env.COORD_HOOKS_TEAM || null);
    const team = await cloneTeam(located.policy, explicit, branch);
    if (!team) {
      throw new CoordError(`cannot tell which team this agent works for${branch ? ` (branch "${branch}" is not <team>/…)` : ''}`, {
        hint: 'run `coord-hooks install --team T` in the clone (git config coord-hooks.team T), set COORD_HOOKS_TEAM, or work on a branch <team>/…',
      });
    }
    const round = branch ? roundOfBranch(branch, team.name) ?? undefined : undefined;
    return { top: realpathSync(top), gitDirs: dirs.map(resolveOnDisk), policy: located.policy, source: located.source, team, round, freeDirs: freeDirs(env, resolveOnDisk), claudeDir: resolveOnDisk(claudeConfigDir(env)) };
  } finally {
    repo.close();
  }
}

/** A repository path for messages ("" is the top). */
function shown(path: string): string {
  return path === '' ? '. (the top of the repository)' : path;
}

function blockMessage(head: string, lines: string[]): string {
  return [head, ...lines.map((line) => `  ${line}`)].join('\n') + '\n';
}

/** Claude Code's own directory: CLAUDE_CONFIG_DIR, else ~/.claude. */
export function claudeConfigDir(env: NodeJS.ProcessEnv): string {
  return env.CLAUDE_CONFIG_DIR && isAbsolute(env.CLAUDE_CONFIG_DIR) ? env.CLAUDE_CONFIG_DIR : join(env.HOME || homedir(), '.claude');
}

/** Claude Code's own directory and the temp directories, real paths. */
export function freeDirs(env: NodeJS.ProcessEnv, resolveOnDisk: (path: string) => string): string[] {
  // What os.tmpdir() answers (TMPDIR, else TMP, else TEMP), read from `env`, not from this process: the warm process serves many.
  const dirs = [claudeConfigDir(env), env.TMPDIR || env.TMP || env.TEMP, '/tmp'].filter((dir): dir is string => Boolean(dir) && isAbsolute(dir as string));
  return [...new Set(dirs.map(resolveOnDisk))];
}

async function judgeTool(input: GuardInput, env: NodeJS.ProcessEnv): Promise<Outcome> {
  const tool = input.tool_name;
  const { cwd } = input;
  const { toolTargets } = await import('./guard-tools');
  const targets = toolTargets(tool, input.tool_input);
  if (targets.unjudgeable) throw new CoordError(targets.unjudgeable, { hint: 'run the call in this session\'s own environment (omit the machine)' });
  const outcomes: Outcome[] = [];
  if (targets.paths.length) {
    const repo = await loadGuardRepo(cwd, env);
    const paths = await import('./guard-path');
    for (const target of targets.paths) {
      const write = target.access === 'write';
      const resolved = paths.resolveOnDisk(resolve(cwd, target.raw, target.below ?? ''));
      const block = write ? paths.judgeWritePath(repo, resolved) : paths.judgeReadPath(repo, resolved, target.directory);
      if (!block) continue;
      const verb = write ? `${tool} to` : `${tool} of`;
      const key = tool in KNOWN_TOOLS ? '' : ` (input "${target.key}", judged as a ${target.access})`;
      return { code: BLOCK, message: blockMessage(`coord-hooks guard: blocked ${verb} ${shown(block.path)}${key}: ${paths.blockReasonText(repo, block)}`, paths.adviceLines(repo, block)) };
    }
  }
  for (const command of targets.commands) outcomes.push(await judgeCommand(command.command, command.shell, tool, cwd, env));
  return outcomes.find((outcome) => outcome.code !== 0) ?? { code: 0 };
}

/** Tools whose input the guard knows field by field (messages name no input key). */
const KNOWN_TOOLS = new Set(['Write', 'Edit', 'MultiEdit', 'NotebookEdit', 'Read', 'Glob', 'Grep', 'LSP']);

async function judgeCommand(command: string, shell: 'sh' | 'powershell', tool: string, cwd: string, env: NodeJS.ProcessEnv): Promise<Outcome> {
  const verdict = shell === 'sh' ? (await import('./guard-bash')).bashWrites(command, cwd) : (await import('./guard-powershell')).powershellWrites(command, cwd);
  if (verdict.writes.length === 0 && !verdict.skipsHooks) return { code: 0 };
  const repo = await loadGuardRepo(cwd, env);
  const paths = await import('./guard-path');
  const lines: string[] = [];
  let first = null;
  for (const write of verdict.writes) {
    const block = paths.judgeWritePath(repo, paths.resolveOnDisk(write.path), true, write.directory);
    if (!block) continue;
    first ??= block;
    lines.push(`writes ${shown(block.path)} (${write.how}): ${paths.blockReasonText(repo, block)}`);
  }
  if (verdict.skipsHooks) {
    lines.push(`uses ${verdict.skipsHooks}, which skips coord-hooks' client hooks: the server gate rejects out-of-scope pushes anyway; move the change instead`);
  }
  if (lines.length === 0) return { code: 0 };
  const advice = first ? paths.adviceLines(repo, first) : [`team ${repo.team.name} may write: ${repo.team.write.map((pattern) => pattern.text).join(', ')}`];
  return {
    code: BLOCK,
    message: blockMessage(`coord-hooks guard: advisory: this ${tool} command looks like it breaks the team's scope; the server gate catches what this misses`, [...lines, ...advice,
      'this reads the command text only: if it is wrong, rewrite the command so the paths are inside the scope']),
  };
}

function failure(tool: string | undefined, error: unknown): Outcome {
  const what = tool ? `this ${tool} call` : 'this tool call';
  const lines = [`${error instanceof CoordError ? '' : 'internal error: '}${errorMessage(error)}`];
  if (error instanceof CoordError && error.hint) lines.push(`hint: ${error.hint}`);
  return { code: BLOCK, message: blockMessage(`coord-hooks guard: cannot check ${what}, so it is blocked (the guard fails closed):`, lines) };
}

/** Milliseconds from an environment variable: a positive number, at most `max`; else `fallback`. */
export function clampedMs(value: string | undefined, fallback: number, max: number): number {
  const requested = Number(value);
  return Math.min(Number.isFinite(requested) && requested > 0 ? requested : fallback, max);
}

/**
 * The guard's deadline: COORD_HOOKS_GUARD_TIMEOUT_MS (default 5 s) clamped below the `timeout`
 * registered in the settings, so the guard always answers (exit 2) before Claude Code gives up on it.
 * COORD_HOOKS_GUARD_TEST_DELAY_MS (tests only, clamped to a minute) stalls the check to prove it.
 */
export async function runClaudeGuard(_args: string[], io: CommandIO): Promise<number> {
  const ms = clampedMs(io.env.COORD_HOOKS_GUARD_TIMEOUT_MS, GUARD_DEFAULT_DEADLINE_MS, GUARD_MAX_DEADLINE_MS);
  const delay = clampedMs(io.env.COORD_HOOKS_GUARD_TEST_DELAY_MS, 0, 60000);
  let tool: string | undefined;
  const work = (async () => {
    const input = parseGuardInput(await readAll(io.stdin));
    tool = input.tool_name;
    if (delay > 0) await new Promise((done) => setTimeout(done, delay));
    return judgeTool(input, io.env);
  })().catch((error: unknown) => failure(tool, error));
  const outcome = await withDeadline(work, ms, () => ({
    code: BLOCK,
    message: blockMessage(`coord-hooks guard: the check took longer than ${ms / 1000} s, so ${tool ? `this ${tool} call` : 'the call'} is blocked (the guard fails closed)`,
      ['hint: retry; if it repeats, check that git answers quickly in this clone (`git status`)']),
  }));
  if (outcome.message) io.err(outcome.message);
  return outcome.code;
}
