/**
 * What every command file exports: its options and help (the only thing cli/ holds) and a run function
 * that calls into the module named for the concept. Commands print through `io` and return an exit code
 * or throw a CoordError; only cli/main.ts exits the process.
 */
import { parseArgs, type ParseArgsConfig } from 'util';
import { CoordError, EXIT_USAGE } from '../core/errors';

export type { CommandIO } from '../core/io';
import type { CommandIO } from '../core/io';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>[string] & { description: string; valueName?: string };

export interface CommandSpec<V = Record<string, string | boolean | string[] | undefined>> {
  name: string;
  summary: string;
  /** Positional part of the usage line, e.g. "[RANGE]". */
  positionals?: string;
  options: Record<string, OptionSpec>;
  /** Extra help paragraphs. */
  details?: string;
  /** Every exit code the command can return and what each means (the help prints it; no default, so it cannot drift). */
  exitCodes: string;
  run(args: { values: V; positionals: string[] }, io: CommandIO): Promise<number>;
}

export function helpText(spec: CommandSpec): string {
  const lines = [`Usage: coord-hooks ${spec.name}${Object.keys(spec.options).length ? ' [options]' : ''}${spec.positionals ? ` ${spec.positionals}` : ''}`, '', spec.summary, ''];
  const entries = Object.entries(spec.options);
  if (entries.length) {
    lines.push('Options:');
    const left = entries.map(([name, option]) => `  ${option.short ? `-${option.short}, ` : ''}--${name}${option.type === 'string' ? ` ${option.valueName ?? name.toUpperCase()}` : ''}`);
    const width = Math.max(...left.map((text) => text.length), 12) + 2;
    entries.forEach(([, option], index) => lines.push(`${left[index].padEnd(width)}${option.description}`));
    lines.push(`${'  -h, --help'.padEnd(width)}show this help`);
    lines.push('');
  }
  if (spec.details) lines.push(spec.details.trim(), '');
  lines.push(`Exit codes: ${spec.exitCodes}`);
  return lines.join('\n') + '\n';
}

export function parseCommandArgs(spec: CommandSpec, argv: string[]) {
  const options: ParseArgsConfig['options'] = { help: { type: 'boolean', short: 'h' } };
  for (const [name, option] of Object.entries(spec.options)) {
    const { description: _description, valueName: _valueName, ...config } = option;
    options[name] = config;
  }
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new CoordError(`${spec.name}: ${message}`, { exitCode: EXIT_USAGE, hint: `run \`coord-hooks ${spec.name} --help\`` });
  }
}

export function defineCommand<V>(spec: CommandSpec<V>): CommandSpec<V> {
  return spec;
}
