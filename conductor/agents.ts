/**
 * Starting team agents. Headless: one run of the agent command (`sh -c`, in its own process group,
 * in the team's workspace on the round branch) per announcement, its prompt the announcement (a file,
 * `$ANNOUNCEMENT`), its output appended to the team's log. Interactive: one tmux window per team on a
 * tmux server of its own (`tmux -L <socket>`), a live session told of each announcement with one line
 * typed into its window; the session's hooks (SessionStart, and the Stop hook `install --claude
 * --wait-for-announcements` registers) tell it the rest.
 */
import { appendFileSync, chmodSync, mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { CoordError } from '../core/errors';
import { runProcess, startProcess, type StartedProcess } from '../core/process';
import { GitRepo } from '../git/repo';
import { HandedStore } from '../hooks/claude-announcements';
import { runtimePaths } from '../hooks/install';
import { shQuote } from '../hooks/template';
import { policyBranch } from '../policy/locate';
import { gitFailure } from '../rounds/context';
import type { Delivery } from './state';

/** Claude Code headless: the announcement is the prompt; coord-hooks (guard, sandbox, gate) is what limits it. */
export const DEFAULT_HEADLESS_AGENT = 'claude -p "$(cat "$ANNOUNCEMENT")" --permission-mode bypassPermissions';
/** Claude Code as a live session in a tmux window. */
export const DEFAULT_INTERACTIVE_AGENT = 'claude --permission-mode bypassPermissions';

/** Variables that would point git in the agent's workspace at another repository. */
const LOCATION_VARIABLES = /^GIT_(DIR|WORK_TREE|INDEX_FILE|OBJECT_DIRECTORY|ALTERNATE_OBJECT_DIRECTORIES|COMMON_DIR|NAMESPACE|PREFIX)$/;

/** A `coord-hooks` on the agents' PATH: this installation, whatever PATH the operator has. */
export function writeCliShim(bin: string): void {
  const { nodePath, cliPath } = runtimePaths();
  mkdirSync(bin, { recursive: true });
  const path = join(bin, 'coord-hooks');
  writeFileSync(path, `#!/bin/sh\nexec '${nodePath}' '${cliPath}' "$@"\n`);
  chmodSync(path, 0o755);
}

/** The environment an agent runs with: the operator's, minus git location variables, plus the round's. */
export function agentEnv(base: NodeJS.ProcessEnv, bin: string, vars: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(base)) if (!LOCATION_VARIABLES.test(name)) env[name] = value;
  return { ...env, ...vars, PATH: `${bin}:${base.PATH ?? '/usr/bin:/bin'}` };
}

export const roundVars = (delivery: Delivery, prompt: string): Record<string, string> => ({
  TEAM: delivery.team, ROUND: String(delivery.round), BRANCH: delivery.branch, COMMIT: delivery.commit, ANNOUNCEMENT: prompt, COORD_HOOKS_TEAM: delivery.team,
});

/**
 * Puts the workspace on the round branch: it and the protected branch (the policy and keys the hooks
 * judge by) fetched, then checked out (created tracking the remote, or the local branch as it is,
 * fast-forwarded when it can be: a resumed agent finds its own commits).
 */
export async function checkoutRoundBranch(dir: string, branch: string, env: NodeJS.ProcessEnv): Promise<void> {
  const repo = new GitRepo(dir, env);
  try {
    const main = await policyBranch(repo);
    await repo.run(['fetch', '-q', 'origin', `+refs/heads/${branch}:refs/remotes/origin/${branch}`, `+refs/heads/${main}:refs/remotes/origin/${main}`]);
    if (await repo.resolve(`refs/heads/${branch}`)) {
      await repo.run(['checkout', '-q', branch]);
      await repo.run(['merge', '-q', '--ff-only', `refs/remotes/origin/${branch}`], { okCodes: [1, 128] });
    } else {
      await repo.run(['checkout', '-q', '-b', branch, '--track', `origin/${branch}`]);
    }
  } catch (error) {
    throw new CoordError(`cannot check out ${branch} in ${dir}: ${gitFailure(error)}`);
  } finally {
    repo.close();
  }
}

/** One headless run: `sh -c AGENT` in the workspace, output appended to the log. */
export function startHeadless(options: { agent: string; dir: string; env: NodeJS.ProcessEnv; log: string; delivery: Delivery }): StartedProcess {
  const { delivery } = options;
  appendFileSync(options.log, `\n== ${new Date().toISOString()} round ${delivery.round} (${delivery.branch} ${delivery.commit.slice(0, 10)}): ${options.agent}\n`);
  return startProcess('/bin/sh', ['-c', options.agent], { env: options.env, cwd: options.dir, logFile: options.log });
}


/** A team's tmux window name: tmux reads `.` and `:` in a target as pane and session separators. */
const windowName = (team: string) => team.replace(/[.:]/g, '_');

/** The tmux server of one `up`: its own socket, so nothing touches the operator's other tmux sessions. */
export class TmuxAgents {
  constructor(readonly socket: string, readonly session: string, private readonly env: NodeJS.ProcessEnv) {}

  private async tmux(args: string[]): Promise<string> {
    const result = await runProcess('tmux', ['-L', this.socket, ...args], { env: this.env, timeoutMs: 20000 }).catch((error: unknown) => {
      throw new CoordError(`cannot run tmux: ${String(error)}`, { hint: 'install tmux (apt-get install tmux), or run headless: coord-hooks up --headless' });
    });
    if (result.code !== 0) throw new CoordError(`tmux ${args[0]} failed: ${result.stderr.trim() || `exit ${result.code}`}`);
    return result.stdout;
  }

  /** One window per team, each running the agent command in the team's workspace; dead panes stay visible. */
  async start(windows: { team: string; dir: string; agent: string; vars: Record<string, string> }[]): Promise<void> {
    for (const [index, window] of windows.entries()) {
      // tmux runs the window's command with `sh -c` in the environment of its server (which may have
      // started before up): the team's variables are set in the command itself.
      const exports = Object.entries(window.vars).map(([name, value]) => `${name}=${shQuote(value)}`).join(' ');
      const where = index === 0 ? ['new-session', '-d', '-s', this.session] : ['new-window', '-d', '-t', `${this.session}:`];
      const prefix = index === 0 ? ['start-server', ';', 'set-option', '-g', 'remain-on-exit', 'on', ';'] : [];
      await this.tmux([...prefix, ...where, '-n', windowName(window.team), '-c', window.dir, `export ${exports}; ${window.agent}`]);
    }
  }

  /** Types one line into the team's window (literally), then Enter. */
  async tell(team: string, line: string): Promise<void> {
    await this.tmux(['send-keys', '-t', `${this.session}:${windowName(team)}`, '-l', '--', line]);
    await this.tmux(['send-keys', '-t', `${this.session}:${windowName(team)}`, 'Enter']);
  }

  /** Per team (by window name): its pane's process and whether it has exited (with its status). */
  async panes(): Promise<{ get(team: string): { pid: number; dead: boolean; status?: number } | undefined }> {
    const out = new Map<string, { pid: number; dead: boolean; status?: number }>();
    const text = await this.tmux(['list-panes', '-s', '-t', this.session, '-F', '#{window_name} #{pane_pid} #{pane_dead} #{pane_dead_status}']).catch(() => '');
    for (const line of text.split('\n').filter(Boolean)) {
      const [name, pid, dead, status] = line.split(' ');
      out.set(name, { pid: Number(pid), dead: dead === '1', status: status ? Number(status) : undefined });
    }
    return { get: (team) => out.get(windowName(team)) };
  }

  async stop(): Promise<void> {
    await this.tmux(['kill-server']).catch(() => undefined);
  }
}

/** What an interactive session is told when its team is announced a round (the hooks know it as handed). */
export async function tellInteractive(tmux: TmuxAgents, delivery: Delivery, dir: string, env: NodeJS.ProcessEnv): Promise<void> {
  const repo = new GitRepo(dir, env);
  try {
    new HandedStore(await repo.gitDir()).mark({ branch: delivery.branch, commit: delivery.commit });
  } finally {
    repo.close();
  }
  const { team, round, branch } = delivery;
  await tmux.tell(team, `coord-hooks: round ${round} is announced for ${team}: read rounds/${round}/${team}/ANNOUNCEMENT.md on ${branch} `
    + `(git fetch origin && git checkout ${branch}), do it inside your scope, commit and push, then coord-hooks reply -m "..." and coord-hooks signal-done --round ${round}.`);
}
