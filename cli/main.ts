#!/usr/bin/env node
/** Entry point: the only place that calls process.exit. */
import { runCli } from './run';

runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  stdin: process.stdin,
  out: (text) => { process.stdout.write(text); },
  err: (text) => { process.stderr.write(text); },
  isTTY: Boolean(process.stdout.isTTY),
}).then((code) => {
  // Exiting explicitly ends any helper process (cat-file, diff-tree) a failure left behind.
  process.exit(code);
}, (error: unknown) => {
  process.stderr.write(`coord-hooks: ${String(error)}\n`);
  process.exit(2);
});
