/** Parses the command line, runs one command, and turns every outcome into an exit code. */
import { CoordError, ExitCode, EXIT_USAGE, errorMessage } from '../core/errors';
import { GitError } from '../git/run';
import { helpText, parseCommandArgs, type CommandIO } from './command';
import { COMMANDS } from './registry';

import { packageInfo } from '../core/package-info';

function version(): string {
  return packageInfo().version;
}

export function mainHelp(): string {
  const names = Object.keys(COMMANDS);
  const width = Math.max(...names.map((name) => name.length)) + 4;
  return [
    'Usage: coord-hooks <command> [options]',
    '',
    'Git-native coordination for multi-agent repositories: team scopes, signed round tags, task branches.',
    '',
    'Commands:',
    ...names.map((name) => `  ${name.padEnd(width)}${COMMANDS[name].summary}`),
    '',
    'Run `coord-hooks <command> --help` (or `coord-hooks help <command>`) for a command\'s options. Docs: docs/policy.md, docs/threat-model.md.',
    'Exit codes: 0 success · 1 policy verdict · 2 usage or environment error',
    '',
  ].join('\n');
}

export async function runCli(argv: string[], io: CommandIO): Promise<number> {
  // `help X` is `X --help`: the same text, on stdout, exit 0.
  const [name, ...rest] = argv[0] === 'help' && argv.length > 1 ? [argv[1], '--help'] : argv;
  if (!name) {
    io.err(mainHelp());
    return EXIT_USAGE;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.out(mainHelp());
    return 0;
  }
  if (name === '--version' || name === '-V') {
    io.out(`${version()}\n`);
    return 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    io.err(`coord-hooks: unknown command "${name}"\n${mainHelp()}`);
    return EXIT_USAGE;
  }
  try {
    const spec = await entry.load();
    const args = parseCommandArgs(spec, rest);
    if (args.values.help) {
      io.out(helpText(spec));
      return 0;
    }
    return await spec.run(args as never, io);
  } catch (error) {
    if (error instanceof ExitCode) return error.exitCode;
    if (error instanceof GitError && /not a git repository/.test(error.stderr)) {
      io.err(`coord-hooks ${name}: ${io.cwd} is not inside a git repository\nhint: run it inside a clone of the project (for the server: coord-hooks install --server --repo PATH)\n`);
      return EXIT_USAGE;
    }
    if (error instanceof CoordError) {
      io.err(`coord-hooks ${name}: ${error.message}\n${error.hint ? `hint: ${error.hint}\n` : ''}`);
      return error.exitCode;
    }
    io.err(`coord-hooks ${name}: internal error: ${errorMessage(error)}\n${error instanceof Error && error.stack ? error.stack.split('\n').slice(1, 4).join('\n') + '\n' : ''}`);
    return EXIT_USAGE;
  }
}
