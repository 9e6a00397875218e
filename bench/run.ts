/**
 * `npm run bench` (node dist/bench/run.js): builds deterministic repositories, runs the scenarios of
 * docs/performance.md, prints ONE table (stdout; progress goes to stderr) and writes it as JSON to
 * bench/out/results.json for comparison across commits.
 *
 * Exit codes: 0 every target met (always 0 with --quick: the CI smoke test only reports), 1 a target
 * missed or a scenario too slow to measure on a loaded machine (reported as SLOW, the others still
 * run), 2 the harness itself failed (a scenario could not be measured) or a usage error.
 */
import { existsSync, mkdirSync, writeFileSync } from 'fs';
import { loadavg } from 'os';
import { dirname, join } from 'path';
import { packageInfo } from '../core/package-info';
import { errorMessage } from '../core/errors';
import { Bench, CLI } from './context';
import { gitoliteMissing } from './gitolite';
import { describeLine, describeMachine, packageCommit } from './machine';
import { hasGnuTime, SlowRun, TIME_PROGRAM } from './measure';
import { FULL_SIZES, parseOptions, QUICK_SIZES, USAGE, UsageError, type BenchOptions } from './options';
import { formatNotes, formatTable, missed, verdict, type HarnessFailure, type Results, type Row } from './report';
import { scenario8 } from './demo';
import { scenario9 } from './pathspec';
import { SCENARIOS as CORE_SCENARIOS } from './scenarios';

/** Scenarios 8 (the demo) and 9 (pathspec matching) live in their own files. */
const SCENARIOS: typeof CORE_SCENARIOS = { ...CORE_SCENARIOS, 8: scenario8, 9: scenario9 };

async function main(argv: string[]): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseOptions(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`bench: ${error.message}\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (!existsSync(CLI)) {
    process.stderr.write(`bench: ${CLI} is missing: run \`npm run build\` first\n`);
    return 2;
  }
  const started = Date.now();
  const log = (message: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${message}\n`);
  const machine = await describeMachine(gitoliteMissing().length === 0);
  const mode = options.quick ? 'quick' : 'full';
  log(`${mode} run on ${describeLine(machine)}`);
  if (!hasGnuTime()) log(`${TIME_PROGRAM} is missing (Debian package "time"): peak RSS is not measured`);

  const bench = new Bench(options, options.quick ? QUICK_SIZES : FULL_SIZES, log);
  const rows: Row[] = [];
  const failures: HarnessFailure[] = [];
  const wanted = Object.keys(SCENARIOS).map(Number).filter((scenario) => options.only.size === 0 || options.only.has(scenario));
  try {
    for (const scenario of wanted) {
      const start = Date.now();
      try {
        const produced = await SCENARIOS[scenario](bench);
        rows.push(...produced);
        for (const row of produced) log(`scenario ${row.id}: ${verdict(row)} (${((Date.now() - start) / 1000).toFixed(1)} s)`);
      } catch (error) {
        const message = error instanceof Error ? `${error.message}` : errorMessage(error);
        // A slow machine is reported, not mistaken for a broken harness: the other scenarios still run.
        const slow = error instanceof SlowRun;
        failures.push({ scenario, message, slow });
        log(`scenario ${scenario}: ${slow ? 'SLOW (not measured)' : 'HARNESS FAILURE'}: ${message} (${((Date.now() - start) / 1000).toFixed(1)} s)`);
      }
    }
  } finally {
    await bench.stopWarm();
    if (options.keep) log(`kept: ${bench.dirs.join(' ')}`);
    bench.cleanup();
  }

  const seconds = (Date.now() - started) / 1000;
  const commit = packageCommit();
  process.stdout.write(`\ncoord-hooks benchmark (${mode}${options.huge ? ', huge' : ''}) at ${commit}, ${new Date().toISOString()}\n`);
  process.stdout.write(`machine: ${describeLine(machine)}\n\n`);
  process.stdout.write(formatTable(rows));
  process.stdout.write(`\n${formatNotes(rows, failures)}`);
  const loadAtEnd = loadavg().map((value) => Math.round(value * 100) / 100);
  process.stdout.write(`times are medians of N runs; total ${seconds.toFixed(0)} s; load average at the end ${loadAtEnd.join(' ')}\n`);

  const results: Results = {
    version: 1, date: new Date().toISOString(), mode, huge: options.huge, commit, machine,
    rows: rows.map((row) => ({ ...row, verdict: verdict(row) })), failures, seconds, loadAtEnd,
  };
  const out = options.out ?? join(packageInfo().root, 'bench', 'out', 'results.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
  process.stdout.write(`results: ${out}\n`);

  if (failures.some((failure) => !failure.slow)) return 2;
  if (!options.quick && (failures.length > 0 || rows.some(missed))) return 1;
  return 0;
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}, (error: unknown) => {
  process.stderr.write(`bench: harness failure: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 2;
});
