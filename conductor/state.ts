/**
 * What `coord-hooks up` knows, kept in the architect's git directory (`<git dir>/coord-hooks/up/`):
 * `state.json` (the running conductor's pid, its teams and workspaces, every announcement delivered
 * to an agent and how each run ended, the rounds whose architect command has run), the agents' logs
 * and the prompts they were given. Written atomically, by the running `up` only; read by
 * `up --status`, `down` and a second `up`, which finds the first one here.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'fs';
import { join } from 'path';

export type RunOutcome = 'running' | 'done' | 'replied' | 'no-answer' | 'killed' | 'failed' | 'stopped';

export interface AgentRun {
  started: string;
  ended?: string;
  outcome: RunOutcome;
  /** The agent's process (group) while it runs. */
  pid?: number;
  code?: number | null;
  signal?: string | null;
  /** Why it failed to start, or what it left undone. */
  detail?: string;
}

/** One announcement (a round branch and the commit that last changed its ANNOUNCEMENT.md) handed to a team's agent. */
export interface Delivery {
  team: string;
  round: number;
  branch: string;
  commit: string;
  prompt: string;
  runs: AgentRun[];
}

export type Mode = 'headless' | 'interactive';

export interface UpState {
  /** The running (or last) conductor. */
  pid: number;
  started: string;
  stopped?: string;
  mode: Mode;
  teams: string[];
  workspaces: string;
  remote: string;
  agent: string;
  tmuxSession?: string;
  /** Key: `<branch>@<commit>`. */
  deliveries: Record<string, Delivery>;
  /** Rounds whose architect command was started (recorded before it runs: at most once). */
  completed: Record<string, { time: string; teams: string[]; code?: number | null }>;
}

export interface StatePaths {
  dir: string;
  file: string;
  logs: string;
  prompts: string;
  bin: string;
}

export function statePaths(gitDir: string): StatePaths {
  const dir = join(gitDir, 'coord-hooks', 'up');
  return { dir, file: join(dir, 'state.json'), logs: join(dir, 'logs'), prompts: join(dir, 'prompts'), bin: join(dir, 'bin') };
}

export function readState(paths: StatePaths): UpState | null {
  if (!existsSync(paths.file)) return null;
  try {
    return JSON.parse(readFileSync(paths.file, 'utf8')) as UpState;
  } catch {
    return null;
  }
}

export function writeState(paths: StatePaths, state: UpState): void {
  mkdirSync(paths.dir, { recursive: true });
  writeFileSync(`${paths.file}.tmp`, JSON.stringify(state, null, 1));
  renameSync(`${paths.file}.tmp`, paths.file);
}

/** Is a process with this pid alive (signal 0: exists and may be signalled)? */
export function isAlive(pid: number | undefined): boolean {
  if (!pid || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The `up` recorded in the state, when it is still running (and is not this process). */
export function runningConductor(state: UpState | null): UpState | null {
  return state && !state.stopped && state.pid !== process.pid && isAlive(state.pid) ? state : null;
}

export const deliveryKey = (branch: string, commit: string) => `${branch}@${commit}`;

export const lastRun = (delivery: Delivery): AgentRun | undefined => delivery.runs[delivery.runs.length - 1];
