/**
 * The conductor's board: the rounds × teams board of `coord-hooks report` (announced, replied, done,
 * rejected pushes from the server's audit log when the server is a local path) plus one line per
 * team saying what its agent is doing: working on round N, idle, or how its last run ended (killed,
 * exited without a reply or done-tag).
 */
import { existsSync } from 'fs';
import { join } from 'path';
import type { GitRepo } from '../git/repo';
import { buildBoard, loadAudit } from '../report/board';
import { formatTerminal } from '../report/terminal';
import { collectStatus } from '../rounds/status';
import { isAlive, lastRun, type Delivery, type UpState } from './state';

const seconds = (from: string, now: Date) => `${Math.max(0, Math.round((now.getTime() - Date.parse(from)) / 1000))}s`;

/** What one team's agent is doing, in words. */
export function agentLine(state: UpState, team: string, now = new Date()): string {
  const deliveries = Object.values(state.deliveries).filter((delivery) => delivery.team === team).sort((a, b) => a.round - b.round || a.runs.length - b.runs.length);
  const running = deliveries.find((delivery) => lastRun(delivery)?.outcome === 'running');
  if (running) {
    const run = lastRun(running)!;
    return `working on round ${running.round} (${run.pid ? `pid ${run.pid}, ` : ''}${seconds(run.started, now)})`;
  }
  const last: Delivery | undefined = deliveries.filter((delivery) => delivery.runs.length > 0).sort((a, b) => Date.parse(lastRun(a)!.started) - Date.parse(lastRun(b)!.started)).at(-1);
  if (!last) return 'idle: no announcement yet';
  const run = lastRun(last)!;
  switch (run.outcome) {
    case 'done': return `idle: round ${last.round} done`;
    case 'replied': return `idle: round ${last.round} replied (no done-tag yet)`;
    case 'killed': return `KILLED during round ${last.round} (${run.signal ?? 'signal'}); the round stays open: coord-hooks up again resumes it`;
    case 'stopped': return `stopped during round ${last.round} (up was stopped); coord-hooks up resumes it`;
    case 'failed': return `FAILED to start round ${last.round}: ${run.detail ?? ''}`;
    default: return `round ${last.round}: the agent exited ${run.code ?? '?'} without a reply or done-tag (not retried; see its log)`;
  }
}

export function agentsSection(state: UpState, logs: string, now = new Date()): string {
  const alive = !state.stopped && isAlive(state.pid);
  const lines = [`agents (${state.mode}, ${alive ? `up running as pid ${state.pid} since ${state.started}` : `up not running${state.stopped ? `, stopped ${state.stopped}` : ''}`}):`];
  for (const team of state.teams) lines.push(`  ${team.padEnd(12)} ${agentLine(state, team, now)}`);
  lines.push(`workspaces: ${state.workspaces} · logs: ${logs}${state.tmuxSession ? ` · tmux -L ${state.tmuxSession} attach` : ''}`);
  return lines.join('\n') + '\n';
}

/** The audit log of a server reachable as a local path (one machine, plain clones), else null. */
export function serverAudit(url: string): ReturnType<typeof loadAudit> | null {
  return existsSync(join(url, 'coord-hooks', 'audit.jsonl')) ? loadAudit(url) : existsSync(join(url, 'HEAD')) ? { file: join(url, 'coord-hooks', 'audit.jsonl'), records: [] } : null;
}

/** The whole board as text: the report's rounds × teams and rejected pushes, then the agents. */
export async function renderBoard(repo: GitRepo, options: { state: UpState; logs: string; serverUrl: string; fetch: boolean; fancy: boolean; env: NodeJS.ProcessEnv }): Promise<string> {
  const { report, teams } = await collectStatus(repo, { remote: options.state.remote, fetch: options.fetch, env: options.env });
  const audit = serverAudit(options.serverUrl);
  const board = await buildBoard(repo, report, { teams: teams.filter((team) => options.state.teams.includes(team)), audit: audit?.records ?? null, auditSource: audit?.file });
  return `${formatTerminal(board, { fancy: options.fancy, events: 6 })}\n${agentsSection(options.state, options.logs)}`;
}
