/**
 * Reads a V8 CPU profile (`node --cpu-prof`) and says where the time went: waiting (idle: git
 * children, pipes), garbage collection, module loading (anything under the CommonJS loader), and the
 * functions and files with the most self time. For the diagnosis in docs/performance.md:
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof dist/cli/main.js hook pre-receive < input
 *   node dist/bench/profile.js /tmp/prof/CPU.*.cpuprofile
 */
import { readFileSync } from 'fs';
import { relative } from 'path';
import { packageInfo } from '../core/package-info';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  gcMs: number;
  /** Samples with the CommonJS loader on the stack (reading, compiling and running modules at load). */
  moduleLoadMs: number;
  topFunctions: { name: string; ms: number }[];
  topFiles: { file: string; ms: number }[];
}

function shortUrl(url: string): string {
  if (!url) return '(native)';
  const path = url.replace(/^file:\/\//, '');
  if (path.startsWith('node:')) return path;
  const rel = relative(packageInfo().root, path);
  return rel.startsWith('..') ? path : rel;
}

export function summarize(profile: CpuProfile, top = 20): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const loaderMemo = new Map<number, boolean>();
  const underLoader = (id: number): boolean => {
    if (loaderMemo.has(id)) return loaderMemo.get(id)!;
    const node = byId.get(id)!;
    const here = node.callFrame.url.includes('internal/modules/cjs/loader') && /^(Module\._load|require|Module\.require)$/.test(node.callFrame.functionName);
    const up = parent.get(id);
    const result = here || (up !== undefined && underLoader(up));
    loaderMemo.set(id, result);
    return result;
  };
  const self = new Map<number, number>();
  let idle = 0;
  let gc = 0;
  let load = 0;
  profile.samples.forEach((id, index) => {
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    self.set(id, (self.get(id) ?? 0) + ms);
    const name = byId.get(id)!.callFrame.functionName;
    if (name === '(idle)') idle += ms;
    else if (name === '(garbage collector)') gc += ms;
    if (underLoader(id)) load += ms;
  });
  const functions = new Map<string, number>();
  const files = new Map<string, number>();
  for (const [id, ms] of self) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') continue;
    const file = shortUrl(frame.url);
    const name = `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + ms);
    files.set(file, (files.get(file) ?? 0) + ms);
  }
  const sorted = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]).slice(0, top);
  return {
    totalMs: (profile.endTime - profile.startTime) / 1000,
    idleMs: idle,
    gcMs: gc,
    moduleLoadMs: load,
    topFunctions: sorted(functions).map(([name, ms]) => ({ name, ms })),
    topFiles: sorted(files).map(([file, ms]) => ({ file, ms })),
  };
}

export function formatSummary(summary: ProfileSummary): string {
  const f = (ms: number) => `${ms.toFixed(1).padStart(8)} ms`;
  return [
    `profiled ${f(summary.totalMs)}  (idle, waiting on children/pipes: ${summary.idleMs.toFixed(1)} ms; GC: ${summary.gcMs.toFixed(1)} ms; under the module loader: ${summary.moduleLoadMs.toFixed(1)} ms)`,
    '',
    'self time by function:',
    ...summary.topFunctions.map((entry) => `${f(entry.ms)}  ${entry.name}`),
    '',
    'self time by file:',
    ...summary.topFiles.map((entry) => `${f(entry.ms)}  ${entry.file}`),
  ].join('\n') + '\n';
}

if (require.main === module) {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    process.stderr.write('usage: node dist/bench/profile.js FILE.cpuprofile…\n');
    process.exitCode = 2;
  } else {
    for (const file of files) {
      process.stdout.write(`== ${file}\n${formatSummary(summarize(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile))}\n`);
    }
  }
}
