/**
 * `coord-hooks down` (stop what `up` started) and `up --status` (the board once), both from the state
 * `up` keeps in the architect's git directory.
 */
import { CoordError, EXIT_VERDICT } from '../core/errors';
import type { CommandIO } from '../core/io';
import { GitRepo } from '../git/repo';
import { wantsFancy } from '../report/terminal';
import { TmuxAgents } from './agents';
import { agentsSection, renderBoard } from './board';
import { isAlive, lastRun, readState, statePaths, writeState, type UpState } from './state';
import { serverUrl } from './workspace';

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function located(io: CommandIO): Promise<{ repo: GitRepo; top: string; paths: ReturnType<typeof statePaths>; state: UpState }> {
  const repo = new GitRepo(io.cwd, io.env);
  const [top, gitDir] = [await repo.topLevel(), await repo.commonDir()];
  const paths = statePaths(gitDir);
  const state = readState(paths);
  if (!state) {
    repo.close();
    throw new CoordError(`coord-hooks up has not run in this clone (no ${paths.file})`, { exitCode: EXIT_VERDICT, hint: 'start it in the architect\'s clone: coord-hooks up' });
  }
  return { repo, top, paths, state };
}

/** Stops the running `up` (SIGTERM: it stops its agents itself), then whatever a dead `up` left behind. */
export async function down(io: CommandIO, options: { timeoutMs?: number } = {}): Promise<number> {
  const { repo, paths, state } = await located(io);
  repo.close();
  const lines: string[] = [];
  if (!state.stopped && isAlive(state.pid)) {
    process.kill(state.pid, 'SIGTERM');
    const deadline = Date.now() + (options.timeoutMs ?? 20000);
    while (isAlive(state.pid) && Date.now() < deadline) await sleep(100);
    if (isAlive(state.pid)) throw new CoordError(`up (pid ${state.pid}) did not stop within ${Math.round((options.timeoutMs ?? 20000) / 1000)} s`, { hint: `kill ${state.pid}, then run coord-hooks down again` });
    lines.push(`stopped up (pid ${state.pid})`);
  }
  // A conductor killed without its clean-up leaves its agents: stop them now.
  const after = readState(paths) ?? state;
  for (const delivery of Object.values(after.deliveries)) {
    const run = lastRun(delivery);
    if (run?.outcome !== 'running') continue;
    if (run.pid && isAlive(run.pid)) {
      try { process.kill(-run.pid, 'SIGTERM'); } catch { /* gone */ }
      lines.push(`stopped ${delivery.team}'s agent (pid ${run.pid}, round ${delivery.round})`);
    }
    Object.assign(run, { outcome: 'stopped', ended: new Date().toISOString(), pid: undefined });
  }
  if (after.tmuxSession) await new TmuxAgents(after.tmuxSession, 'coord', io.env).stop();
  if (!after.stopped) after.stopped = new Date().toISOString();
  writeState(paths, after);
  io.out(`${lines.length ? lines.join('\n') : 'nothing was running'}\n`);
  return 0;
}

/** The board once: rounds × teams from the server (fetched), then each team's agent. */
export async function upStatus(io: CommandIO, options: { json: boolean }): Promise<number> {
  const { repo, top, paths, state } = await located(io);
  try {
    if (options.json) {
      io.out(JSON.stringify({ ...state, running: !state.stopped && isAlive(state.pid) }, null, 1) + '\n');
      return 0;
    }
    const url = await serverUrl(repo, state.remote, top);
    io.out(await renderBoard(repo, { state, logs: paths.logs, serverUrl: url, fetch: true, fancy: wantsFancy(io.isTTY, io.env), env: io.env }).catch((error: Error) =>
      `cannot read the rounds from ${state.remote}: ${error.message}\n\n${agentsSection(state, paths.logs)}`));
    return 0;
  } finally {
    repo.close();
  }
}
