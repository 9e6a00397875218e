/**
 * How the benchmark measures: wall time of one process from the outside (process.hrtime around
 * core/process.ts runProcess), peak RSS with GNU time, and hook times that git itself records in its
 * trace2 event stream (child_start / child_exit of `"child_class":"hook"`). Every figure is in
 * milliseconds or megabytes. See docs/performance.md for why each scenario uses which method.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { loadavg, tmpdir } from 'os';
import { join } from 'path';
import { runProcess, type ProcessResult } from '../core/process';

export interface RunSpec {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  input?: string | Buffer;
  /** Exit codes that count as success (default [0]). */
  okCodes?: number[];
}

/** A process that exited with an unexpected code: the harness (or the scenario) is broken. */
export class HarnessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HarnessError';
  }
}

/**
 * A run that did not finish in time on a loaded machine: killed at RUN_LIMIT_MS, or refused by the
 * gate's own time limit (`coord-hooks.timeout`). The scenario is reported as slow, not as a broken harness.
 */
export class SlowRun extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SlowRun';
  }
}

/** Longest single run before it is killed and reported slow (COORD_HOOKS_BENCH_RUN_LIMIT seconds overrides). */
export const RUN_LIMIT_MS = (Number(process.env.COORD_HOOKS_BENCH_RUN_LIMIT) || 600) * 1000;

/** The gate's message when its own time limit rejected a push (gate/pre-receive-hook.ts). */
export const GATE_TIMEOUT = /the gate took longer than \d+s/;

const loadText = () => loadavg().map((value) => value.toFixed(1)).join(' ');

/** Throws SlowRun when `ms` reached the limit or `stderr` is the gate's time-out message. */
export function slowCheck(label: string, ms: number, stderr: string): void {
  if (ms >= RUN_LIMIT_MS) throw new SlowRun(`${label}: not done after ${(ms / 1000).toFixed(1)} s, killed (load average ${loadText()})`);
  const timeout = GATE_TIMEOUT.exec(stderr);
  if (timeout) throw new SlowRun(`${label}: ${timeout[0]} and rejected the push (load average ${loadText()}); raise coord-hooks.timeout on the bench server to measure it`);
}

function check(spec: RunSpec, result: ProcessResult, label: string, ms = 0): void {
  slowCheck(label, ms, result.stderr);
  if (!(spec.okCodes ?? [0]).includes(result.code)) {
    throw new HarnessError(`${label}: \`${spec.command} ${spec.args.join(' ')}\` in ${spec.cwd} exited ${result.code}\n${result.stderr.trim().split('\n').slice(-15).join('\n')}`);
  }
}

/** Wall time of one run, spawn to exit (stdout and stderr are read to the end). */
export async function timeOnce(spec: RunSpec, label: string): Promise<number> {
  const start = process.hrtime.bigint();
  const result = await runProcess(spec.command, spec.args, { env: spec.env, cwd: spec.cwd, input: spec.input, timeoutMs: RUN_LIMIT_MS });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  check(spec, result, label, ms);
  return ms;
}

export const TIME_PROGRAM = '/usr/bin/time';

export function hasGnuTime(): boolean {
  return existsSync(TIME_PROGRAM);
}

/**
 * Peak resident set size (MB) of one run under GNU time (`%M`, from wait4's rusage). The kernel
 * carries the largest RSS of waited-for descendants up to their parent, so for a hook script this is
 * the largest single process of the tree (sh, node, or a git child), not their sum.
 */
export async function peakRssMb(spec: RunSpec, label: string): Promise<number | null> {
  if (!hasGnuTime()) return null;
  const dir = mkdtempSync(join(tmpdir(), 'coord-hooks-bench-rss-'));
  try {
    const out = join(dir, 'time');
    const start = process.hrtime.bigint();
    const result = await runProcess(TIME_PROGRAM, ['-f', '%M', '-o', out, spec.command, ...spec.args], { env: spec.env, cwd: spec.cwd, input: spec.input, timeoutMs: RUN_LIMIT_MS });
    check(spec, result, `${label} (under ${TIME_PROGRAM})`, Number(process.hrtime.bigint() - start) / 1e6);
    const kb = Number(readFileSync(out, 'utf8').trim().split('\n').pop());
    return Number.isFinite(kb) ? kb / 1024 : null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Wall time (ms), peak RSS (MB) and CPU time (user + system, ms, of the process and the children it
 * waited for) of the same run: for runs too long to repeat. On a loaded machine the CPU time is the
 * steadier figure: it does not grow with the time spent waiting for a CPU.
 */
export async function timeWithRss(spec: RunSpec, label: string): Promise<{ ms: number; rssMb: number | null; cpuMs: number | null }> {
  if (!hasGnuTime()) return { ms: await timeOnce(spec, label), rssMb: null, cpuMs: null };
  const dir = mkdtempSync(join(tmpdir(), 'coord-hooks-bench-rss-'));
  try {
    const out = join(dir, 'time');
    const start = process.hrtime.bigint();
    const result = await runProcess(TIME_PROGRAM, ['-f', '%M %U %S', '-o', out, spec.command, ...spec.args], { env: spec.env, cwd: spec.cwd, input: spec.input, timeoutMs: RUN_LIMIT_MS });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    check(spec, result, label, ms);
    const [kb, user, system] = (readFileSync(out, 'utf8').trim().split('\n').pop() ?? '').split(' ').map(Number);
    const cpuMs = (user + system) * 1000;
    return { ms, rssMb: Number.isFinite(kb) ? kb / 1024 : null, cpuMs: Number.isFinite(cpuMs) ? cpuMs : null };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Runs each measurement `runs` times after one untimed warm-up of each, interleaved (a, b, a, b, …)
 * so that a drift of the machine during the run weighs on every column alike. Returns the samples.
 */
export async function interleaved(runs: number, measures: (() => Promise<number>)[], warmUp = true): Promise<number[][]> {
  if (warmUp) for (const measure of measures) await measure();
  const samples: number[][] = measures.map(() => []);
  for (let run = 0; run < runs; run++) {
    for (let index = 0; index < measures.length; index++) samples[index].push(await measures[index]());
  }
  return samples;
}

/** A hook's run as git saw it: the hook's name and its elapsed time (trace2 `t_rel` of child_exit), in ms. */
export interface HookTiming {
  hook: string;
  ms: number;
  code: number;
}

/**
 * Hook runs recorded in a trace2 event file (GIT_TRACE2_EVENT, or a `trace2.eventTarget` directory's
 * files). git 2.39 runs hooks through run-command with `trace2_hook_name` set: child_start carries
 * `"child_class":"hook","hook_name":NAME`, the matching child_exit (same sid and child_id) carries
 * `t_rel`, the seconds from start_command to the child's exit as git's own waitpid saw it.
 */
export function hookTimings(files: string[]): HookTiming[] {
  const out: HookTiming[] = [];
  for (const file of files) {
    if (!existsSync(file)) continue;
    const started = new Map<string, string>();
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.includes('"child_')) continue;
      let event: { event?: string; sid?: string; child_id?: number; child_class?: string; hook_name?: string; t_rel?: number; code?: number };
      try {
        event = JSON.parse(line);
      } catch {
        continue;
      }
      const key = `${event.sid}#${event.child_id}`;
      if (event.event === 'child_start' && event.child_class === 'hook' && event.hook_name) started.set(key, event.hook_name);
      if (event.event === 'child_exit' && started.has(key) && typeof event.t_rel === 'number') {
        out.push({ hook: started.get(key)!, ms: event.t_rel * 1000, code: event.code ?? -1 });
        started.delete(key);
      }
    }
  }
  return out;
}
