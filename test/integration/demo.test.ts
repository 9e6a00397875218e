/** `coord-hooks demo` as a person runs it: the compiled CLI, output piped (no colour), well under 15 s. */
import { join } from 'path';
import { existsSync } from 'fs';
import { packageInfo } from '../../core/package-info';
import { runProcess } from '../../core/process';
import { tempDir } from '../../fixtures/repo';

test('the demo plays a whole round, then round 2 run by up: rejection shown, rounds complete, exit 0', async () => {
  const cli = join(packageInfo().root, 'dist', 'cli', 'main.js');
  const dir = join(tempDir('coord-hooks-demo-test-'), 'kept');
  const started = Date.now();
  const result = await runProcess(process.execPath, [cli, 'demo', '--dir', dir], { env: { ...process.env, NO_COLOR: '1' }, timeoutMs: 150000 });
  const seconds = (Date.now() - started) / 1000;
  const output = result.stdout + result.stderr;
  if (result.code !== 0) throw new Error(output);
  expect(output).toContain('remote: coord-hooks: push rejected');
  expect(output).toContain("outside team pm's write scope; it belongs to team fw");
  expect(output).toContain('round 1: all done (fw, pm, qa)');
  expect(output).toContain('round 1: COMPLETE');
  expect(output).toContain('merge round 1');
  expect(output).toMatch(/up: \S+ round 2 complete \(fw, pm, qa\)/);
  expect(output).toContain('round 2 complete: fw pm qa');
  expect(output).not.toContain('\x1b['); // piped: no colour
  expect(output).toContain(`Everything is in ${dir}`);
  expect(existsSync(join(dir, 'server.git', 'coord-hooks', 'audit.jsonl'))).toBe(true);
  console.log(`demo took ${seconds.toFixed(1)} s (budget: 15 s, see docs/performance.md)`);
}, 180000);
