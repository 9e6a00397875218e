/**
 * Scenario 9: pathspec matching in-process (policy/pathspec.ts), the workload the unit tests once
 * timed (test/unit/pathspec.test.ts asserts only results now; a timed unit test fails on a loaded
 * machine). Both rows time a process against the same process matching one literal pattern, in the
 * same run, interleaved: the ratio is what the patterns cost beyond node's start-up and the reading.
 * - 9a: 50,000 paths × 8 patterns (includes, excludes, glob, icase); target ≤ 1.5×. git's own
 *   matching of the same paths (`git ls-files -z -- PATTERN…` over an index holding exactly them) is
 *   measured alongside, for comparison, and the two selections are counted.
 * - 9b: patterns that backtrack catastrophically in a naive matcher (git itself takes minutes on
 *   them) against one 401-character path; target ≤ 2×: exponential matching would be thousands.
 */
import { writeFileSync } from 'fs';
import { join } from 'path';
import { packageInfo } from '../core/package-info';
import { runProcess } from '../core/process';
import { tempDir } from '../fixtures/repo';
import { gitSync } from '../git/run';
import type { Bench } from './context';
import { HarnessError, interleaved, peakRssMb, timeOnce, type RunSpec } from './measure';
import { formatMs, ratioTarget, series, type Row } from './report';

const PROBE = join(packageInfo().root, 'dist', 'bench', 'pathspec-probe.js');

/** The patterns and paths of the former timed unit test. */
export const PATTERNS = ['team1/', ':(glob)team2/**/*.ts', 'team3/*.md', ':!team1/mod5', ':(icase)TEAM4/mod1*',
  '*.lock', ':(exclude,glob)**/secret/**', 'team5/mod9/src'];
const PATHS = Array.from({ length: 50_000 }, (_, i) => `team${i % 7}/mod${i % 97}/dir${i % 13}/file-${i}.${['ts', 'md', 'lock', 'c'][i % 4]}`);
const BACKTRACKING = ['*a*a*a*a*a*a*a*a*a*a*a*a*b', ':(glob)**/**/**/**/**/**/**/b', ':(glob)**/**/**/**/**/**/**/a/c'];
const LONG_PATH = `${'a/'.repeat(200)}c`;

const probe = (dir: string, env: NodeJS.ProcessEnv, file: string, patterns: string[]): RunSpec =>
  ({ command: process.execPath, args: [PROBE, file, ...patterns], env, cwd: dir });

async function countOf(spec: RunSpec, what: string): Promise<number> {
  const result = await runProcess(spec.command, spec.args, { env: spec.env, cwd: spec.cwd });
  if (result.code !== 0) throw new HarnessError(`scenario 9: ${what} exited ${result.code}: ${result.stderr.trim()}`);
  return Number(result.stdout.trim());
}

export async function scenario9(bench: Bench): Promise<Row[]> {
  const dir = tempDir('coord-hooks-bench-pathspec-');
  bench.dirs.push(dir);
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
  for (const name of Object.keys(env)) if (name.startsWith('GIT_') && !name.startsWith('GIT_CONFIG')) delete env[name];
  const pathsFile = join(dir, 'paths');
  writeFileSync(pathsFile, PATHS.join('\0'));
  gitSync(['init', '-q', dir], { cwd: dir, env });
  const blob = gitSync(['hash-object', '-w', '--stdin'], { cwd: dir, env, input: '' }).stdout.toString('utf8').trim();
  gitSync(['update-index', '--add', '--index-info'], { cwd: dir, env, input: PATHS.map((path) => `100644 ${blob}\t${path}\n`).join('') });

  const ours = probe(dir, env, pathsFile, PATTERNS);
  const oneLiteral = probe(dir, env, pathsFile, ['team1/']);
  const git: RunSpec = { command: '/bin/sh', args: ['-c', 'exec git ls-files -z -- "$@" >/dev/null', 'git', ...PATTERNS], env, cwd: dir };
  const selected = await countOf(ours, 'the probe');
  const byGit = gitSync(['ls-files', '-z', '--', ...PATTERNS], { cwd: dir, env }).stdout.toString('utf8').split('\0').filter(Boolean).length;
  if (selected === 0 || selected === PATHS.length) throw new HarnessError(`scenario 9: the patterns select ${selected} of ${PATHS.length} paths: the workload is degenerate`);
  const runs = bench.runs('light');
  const [oursSamples, literalSamplesA, gitSamples] = await interleaved(runs, [
    () => timeOnce(ours, 'scenario 9a probe'), () => timeOnce(oneLiteral, 'scenario 9a floor'), () => timeOnce(git, 'scenario 9a git ls-files'),
  ]);
  const coordA = series('`node dist/bench/pathspec-probe.js PATHS` + the 8 patterns (policy/pathspec.ts)', oursSamples);
  const floorA = series('the same probe with the one literal pattern `team1/` (start-up and reading the 50,000 paths)', literalSamplesA);
  const gitA = series('', gitSamples);
  const ratioA = coordA.median / floorA.median;
  const longFile = join(dir, 'long-path');
  writeFileSync(longFile, LONG_PATH);
  const hard = probe(dir, env, longFile, BACKTRACKING);
  const literal = probe(dir, env, longFile, ['a/']);
  if ((await countOf(hard, 'the backtracking probe')) !== 1) throw new HarnessError('scenario 9b: the third pattern should select the long path');
  const [hardSamples, literalSamples] = await interleaved(runs, [() => timeOnce(hard, 'scenario 9b probe'), () => timeOnce(literal, 'scenario 9b floor')]);
  const coordB = series('the probe with 3 backtracking patterns against one 401-character path', hardSamples);
  const floorB = series('the same probe with the literal pattern `a/`', literalSamples);
  const ratioB = coordB.median / floorB.median;
  return [{
    id: '9a', scenario: 'pathspec matching in-process: 50,000 paths × 8 patterns', runs, coord: coordA, floor: floorA, ratio: ratioA, peer: null,
    rssMb: await peakRssMb(ours, 'scenario 9a probe'), targets: [ratioTarget(ratioA, 1.5)],
    notes: [`selected: ${selected.toLocaleString('en')} paths (git ls-files: ${byGit.toLocaleString('en')})`,
      `git's own matching, \`git ls-files -z -- PATTERN… >/dev/null\` over an index of the same paths: ${formatMs(gitA.median)}`],
  }, {
    id: '9b', scenario: 'pathspec matching: no catastrophic backtracking', runs, coord: coordB, floor: floorB, ratio: ratioB, peer: null,
    rssMb: null, targets: [ratioTarget(ratioB, 2)], notes: [],
  }];
}
