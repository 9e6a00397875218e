/**
 * The process's own IO and the one way out, shared by the two entry points (cli/main.ts and the
 * bundle's cli/bundle.ts): the only code that calls process.exit.
 */
import type { CommandIO } from './command';

/** The command IO of this process: its working directory, environment and standard streams. */
export function processIO(): CommandIO {
  return {
    cwd: process.cwd(),
    env: process.env,
    stdin: process.stdin,
    out: (text) => { process.stdout.write(text); },
    err: (text) => { process.stderr.write(text); },
    isTTY: Boolean(process.stdout.isTTY),
  };
}

/**
 * Exits once everything written has reached stdout and stderr: output to a full pipe is queued by
 * node, and exiting at once would drop it (`tally --json | jq` past 64 KB). Exiting explicitly still
 * ends any helper process (cat-file, diff-tree) a failure left behind.
 */
export function exitAfterOutput(code: number): void {
  process.exitCode = code;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

/** Runs an entry's main and exits with its code; an escaped error is said and exits 2. */
export function runAndExit(main: Promise<number>): void {
  main.then(exitAfterOutput, (error: unknown) => {
    process.stderr.write(`coord-hooks: ${String(error)}\n`);
    exitAfterOutput(2);
  });
}
