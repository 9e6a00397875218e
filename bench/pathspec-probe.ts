/**
 * The process scenario 9 times (bench/pathspec.ts): reads NUL-separated paths from a file, matches each
 * against the patterns given as arguments with policy/pathspec.ts (as the gate does, in-process), and
 * prints how many are selected. Usage: node dist/bench/pathspec-probe.js PATHS-FILE PATTERN…
 */
import { readFileSync } from 'fs';
import { matchPathspecs, parsePathspecs } from '../policy/pathspec';

const [file, ...patterns] = process.argv.slice(2);
const specs = parsePathspecs(patterns);
let selected = 0;
for (const path of readFileSync(file, 'utf8').split('\0')) {
  if (path && matchPathspecs(specs, path).matched) selected += 1;
}
process.stdout.write(`${selected}\n`);
