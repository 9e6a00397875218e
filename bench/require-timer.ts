/**
 * Preload (`node -r dist/bench/require-timer.js …`) that times module loading: for every module the
 * program requires, the inclusive time of its first `require` (reading, compiling and running it
 * with everything it requires in turn). At exit it writes, to stderr or to the file named by
 * COORD_HOOKS_BENCH_REQUIRES, the total spent under top-level requires, the time from process start
 * to the first line of the program, and the slowest modules. For the diagnosis in
 * docs/performance.md:
 *
 *   node -r ./dist/bench/require-timer.js dist/cli/main.js hook claude-guard < input.json
 */
import { appendFileSync } from 'fs';
import Module from 'module';
import { relative } from 'path';
import { performance } from 'perf_hooks';

interface Loaded {
  id: string;
  ms: number;
  depth: number;
}

const loaded: Loaded[] = [];
let depth = 0;
let topLevelMs = 0;
const preloadAt = performance.now();
const root = process.cwd();

const proto = Module.prototype as unknown as { require: (id: string) => unknown };
const original = proto.require;
proto.require = function timedRequire(this: unknown, id: string) {
  const start = performance.now();
  depth++;
  try {
    return original.call(this, id);
  } finally {
    depth--;
    const ms = performance.now() - start;
    if (depth === 0) topLevelMs += ms;
    if (ms >= 0.05) loaded.push({ id, ms, depth });
  }
};

function shortId(id: string): string {
  return id.startsWith('/') ? relative(root, id) || id : id;
}

process.on('exit', () => {
  const slowest = loaded.filter((entry) => entry.depth <= 2).sort((a, b) => b.ms - a.ms).slice(0, 15);
  const lines = [
    `require-timer: node bootstrap until the preload ran ${preloadAt.toFixed(1)} ms; under top-level require() ${topLevelMs.toFixed(1)} ms; ` +
      `process alive ${performance.now().toFixed(1)} ms (modules timed: ${loaded.length})`,
    ...slowest.map((entry) => `  ${entry.ms.toFixed(1).padStart(7)} ms  ${'  '.repeat(entry.depth)}${shortId(entry.id)}`),
  ];
  const text = lines.join('\n') + '\n';
  const file = process.env.COORD_HOOKS_BENCH_REQUIRES;
  if (file) appendFileSync(file, text);
  else process.stderr.write(text);
});
