/**
 * A stand-in for dist/cli/main.js, for the install tests: the hook scripts run it exactly as they would
 * run coord-hooks (`node CLI hook NAME ARGS…`), and it records each call and exits with a chosen code.
 * This keeps the install tests independent of what the hook handlers decide.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'fs';
import { join } from 'path';

export interface StubCall {
  command: string;
  hook: string;
  args: string[];
  input: string;
  /** COORD_HOOKS_RUNNING as the stub saw it. */
  running?: string;
  coordHooks?: string;
}

export class StubCli {
  readonly path: string;
  private readonly log: string;
  private readonly exitFile: string;

  constructor(dir: string) {
    this.path = join(dir, 'stub-cli.js');
    this.log = join(dir, 'stub-calls.jsonl');
    this.exitFile = join(dir, 'stub-exit');
    writeFileSync(this.path, [
      "const fs = require('fs');",
      'const [command, hook, ...args] = process.argv.slice(2);',
      'const input = fs.readFileSync(0, "utf8");',
      `fs.appendFileSync(${JSON.stringify(this.log)}, JSON.stringify({ command, hook, args, input,`,
      '  running: process.env.COORD_HOOKS_RUNNING, coordHooks: process.env.COORD_HOOKS }) + "\\n");',
      `const code = fs.existsSync(${JSON.stringify(this.exitFile)}) ? Number(fs.readFileSync(${JSON.stringify(this.exitFile)}, 'utf8')) : 0;`,
      `if (code !== 0) process.stderr.write('stub ' + hook + ': rejected by the stub\\n');`,
      'process.exitCode = code;',
      '',
    ].join('\n'));
    this.exitWith(0);
  }

  exitWith(code: number): void {
    writeFileSync(this.exitFile, String(code));
  }

  calls(): StubCall[] {
    if (!existsSync(this.log)) return [];
    return readFileSync(this.log, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as StubCall);
  }

  hooksCalled(): string[] {
    return this.calls().map((call) => call.hook);
  }

  reset(): void {
    writeFileSync(this.log, '');
  }
}

/** Permission bits of a file (what uninstall must restore exactly). */
export function modeOf(path: string): number {
  return statSync(path).mode & 0o7777;
}
