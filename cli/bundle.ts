/**
 * Entry point of the committed bundle ci/coord-hooks.cjs (scripts/bundle.mjs builds it; the GitHub
 * Action, the GitLab job and a GitHub Enterprise Server hook environment run it with node alone, no
 * node_modules). Only the commands those need: `ci` and `hook` (the server's pre-receive).
 * Like cli/main.ts, it exits through cli/exit.ts.
 */
import { packageInfo } from '../core/package-info';
import type { CommandSpec } from './command';
import { runCommand } from './run-command';
import { processIO, runAndExit } from './exit';

const BUNDLED: Record<string, () => Promise<CommandSpec>> = {
  ci: async () => (await import('./ci')).default as CommandSpec,
  hook: async () => (await import('./hook')).default as CommandSpec,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V') {
    process.stdout.write(`${packageInfo().version}\n`);
    return 0;
  }
  const load = name ? BUNDLED[name] : undefined;
  if (!load) {
    process.stderr.write(`coord-hooks (bundle): unknown command "${name ?? ''}"; this bundle runs: ${Object.keys(BUNDLED).join(', ')}\n`);
    return 2;
  }
  return runCommand(name, load, rest, processIO());
}

runAndExit(main(process.argv.slice(2)));
