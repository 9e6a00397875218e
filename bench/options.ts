/** Command line of `npm run bench` and the sizes and run counts each mode uses. */

export interface BenchOptions {
  /** Small sizes, 3 runs each: the CI smoke test (reports, never fails on a target). */
  quick: boolean;
  /** Adds the 10,000-commit variant of scenario 2. */
  huge: boolean;
  /** Scenario numbers to run (empty: all). */
  only: Set<number>;
  /** Overrides every run count. */
  runs?: number;
  /** Keep the generated repositories (their path is printed). */
  keep: boolean;
  /** Where results.json goes (default bench/out/results.json in the package). */
  out?: string;
  help: boolean;
}

/** The scenarios `--only` accepts (docs/performance.md has each). */
export const SCENARIO_NUMBERS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

export const USAGE = `Usage: npm run bench -- [--quick] [--huge] [--only N,M] [--runs N] [--keep] [--out FILE]

Benchmarks coord-hooks against floors measured in the same run (docs/performance.md).
  --quick      small sizes, 3 runs each, < 60 s: a smoke test (exit 0 whatever the verdicts)
  --huge       also the 10,000-commit variant of scenario 2
  --only N,M   only these scenarios (1-9; 10 the warm gate process; 11 whole git push, 12 git commit vs husky-style hooks)
  --runs N     run every measurement N times (default 7 or 11, 3 for the huge ones, 1 for
               the cold tally; 3 with --quick)
  --keep       keep the generated repositories
  --out FILE   write the JSON results there (default bench/out/results.json)
Exit codes: 0 every target met (always 0 with --quick) · 1 a target missed, or a run too slow to
measure on a loaded machine (reported SLOW; the other scenarios still run) · 2 the harness failed.
COORD_HOOKS_BENCH_RUN_LIMIT=SECONDS: longest single run before it is killed and reported SLOW (600).
`;

export class UsageError extends Error {}

export function parseOptions(argv: string[]): BenchOptions {
  const options: BenchOptions = { quick: false, huge: false, only: new Set(), keep: false, help: false };
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index];
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      const next = inline ?? argv[++index];
      if (next === undefined) throw new UsageError(`${name} needs a value`);
      return next;
    };
    switch (name) {
      case '--quick': options.quick = true; break;
      case '--huge': options.huge = true; break;
      case '--keep': options.keep = true; break;
      case '--help': case '-h': options.help = true; break;
      case '--out': options.out = value(); break;
      case '--runs': {
        const runs = Number(value());
        if (!Number.isInteger(runs) || runs < 1) throw new UsageError('--runs takes a positive integer');
        options.runs = runs;
        break;
      }
      case '--only':
        for (const part of value().split(',').map((text) => text.trim()).filter(Boolean)) {
          const scenario = Number(part);
          if (!Number.isInteger(scenario) || !SCENARIO_NUMBERS.includes(scenario)) throw new UsageError(`--only: "${part}" is not a scenario number (${SCENARIO_NUMBERS.join(', ')})`);
          options.only.add(scenario);
        }
        break;
      default:
        throw new UsageError(`unknown argument "${arg}"`);
    }
  }
  return options;
}

export interface Sizes {
  /** The large repository of scenarios 1 and 3: files per top directory (fw/ holds the rewritten ones). */
  big: { fw: number; pm: number; qa: number; shared: number };
  /** Scenario 2 (and 7): commits × new files per commit. */
  bulk: { commits: number; files: number };
  /** The --huge variant of scenario 2. */
  huge: { commits: number; files: number };
  /** Scenario 3: commits and the distinct files they edit. */
  typical: { commits: number; files: number };
  /** Scenarios 4 and 5: files in the clone, files per commit. */
  client: { files: number; commitFiles: number };
  /** Scenario 6. */
  tally: { rounds: number; teams: number };
}

export const FULL_SIZES: Sizes = {
  big: { fw: 50_000, pm: 20_000, qa: 20_000, shared: 10_000 },
  bulk: { commits: 1_000, files: 20 },
  huge: { commits: 10_000, files: 20 },
  typical: { commits: 3, files: 10 },
  client: { files: 1_000, commitFiles: 10 },
  tally: { rounds: 1_000, teams: 20 },
};

export const QUICK_SIZES: Sizes = {
  big: { fw: 2_000, pm: 1_000, qa: 1_000, shared: 1_000 },
  bulk: { commits: 50, files: 20 },
  huge: { commits: 500, files: 20 },
  typical: { commits: 3, files: 10 },
  client: { files: 200, commitFiles: 10 },
  tally: { rounds: 10, teams: 20 },
};

/**
 * Run counts by the cost of one run: N ≥ 5 in a full run, fewer only for the huge ones. The cheap
 * ones run more often: on a shared machine a burst of other work then moves the median less.
 */
export type Weight = 'light' | 'heavy' | 'huge';

export function runsFor(options: BenchOptions, weight: Weight): number {
  if (options.runs !== undefined) return options.runs;
  if (options.quick) return weight === 'huge' ? 1 : 3;
  return weight === 'light' ? 11 : weight === 'heavy' ? 7 : 3;
}
