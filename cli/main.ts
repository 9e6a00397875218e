#!/usr/bin/env node
/** Entry point: the only place that calls process.exit. */
import { runCli } from './run';

/**
 * Exits once everything written has reached stdout and stderr: output to a full pipe is queued by
 * node, and exiting at once would drop it (`tally --json | jq` past 64 KB). Exiting explicitly still
 * ends any helper process (cat-file, diff-tree) a failure left behind.
 */
function exitAfterOutput(code: number): void {
  process.exitCode = code;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  stdin: process.stdin,
  out: (text) => { process.stdout.write(text); },
  err: (text) => { process.stderr.write(text); },
  isTTY: Boolean(process.stdout.isTTY),
}).then(exitAfterOutput, (error: unknown) => {
  process.stderr.write(`coord-hooks: ${String(error)}\n`);
  exitAfterOutput(2);
});
