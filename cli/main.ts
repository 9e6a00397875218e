#!/usr/bin/env node
/** Entry point: runs the command line and exits through cli/exit.ts (the only place that calls process.exit). */
import { runAndExit, processIO } from './exit';
import { runCli } from './run';

runAndExit(runCli(process.argv.slice(2), processIO()));
