/** The machine a run happened on (printed above the table, kept in results.json). */
import { readFileSync } from 'fs';
import { availableParallelism, loadavg, release, totalmem } from 'os';
import { packageInfo } from '../core/package-info';
import { runProcess } from '../core/process';
import { foreignEnv, gitSync } from '../git/run';

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  kernel: string;
  node: string;
  git: string;
  gitolite: string | null;
  /** 1, 5 and 15 minute load averages when the run started: other work on the machine skews absolute times. */
  loadAverage: number[];
}

function cpuModel(): string {
  try {
    return /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1].trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The installed gitolite3 package's version (dpkg), or null. */
async function gitoliteVersion(): Promise<string | null> {
  try {
    const result = await runProcess('dpkg-query', ['-W', '-f=${Version}', 'gitolite3'], { env: foreignEnv() });
    return result.code === 0 && result.stdout.trim() ? `gitolite3 ${result.stdout.trim()}` : null;
  } catch {
    return null;
  }
}

export async function describeMachine(withGitolite: boolean): Promise<Machine> {
  return {
    cpus: availableParallelism(),
    cpuModel: cpuModel(),
    memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    node: process.version,
    git: gitSync(['--version'], { cwd: '/' }).stdout.toString('utf8').trim().replace(/^git version /, ''),
    gitolite: withGitolite ? await gitoliteVersion() : null,
    loadAverage: loadavg().map((value) => Math.round(value * 100) / 100),
  };
}

export function describeLine(machine: Machine): string {
  return `${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGb} GB, Linux ${machine.kernel}, node ${machine.node}, git ${machine.git}` +
    (machine.gitolite ? `, ${machine.gitolite}` : ', gitolite not installed') + `; load average at start ${machine.loadAverage.join(' ')}`;
}

/** The commit the package is at, "+dirty" when its work tree has changes. */
export function packageCommit(): string {
  const root = packageInfo().root;
  try {
    const head = gitSync(['rev-parse', '--short=12', 'HEAD'], { cwd: root }).stdout.toString('utf8').trim();
    const dirty = gitSync(['status', '--porcelain', '--untracked-files=no'], { cwd: root }).stdout.length > 0;
    return `${head}${dirty ? '+dirty' : ''}`;
  } catch {
    return 'unknown';
  }
}
