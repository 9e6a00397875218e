/** Parses the command line, runs one command, and turns every outcome into an exit code. */
import { EXIT_USAGE } from '../core/errors';
import type { CommandIO } from './command';
import { runCommand } from './run-command';
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
  return runCommand(name, entry.load, rest, io);
}
