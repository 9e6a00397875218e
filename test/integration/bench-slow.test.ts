/**
 * `npm run bench` on a machine too loaded for a run to finish in time: the scenario is reported SLOW
 * (exit 1, like a missed target), never as a harness failure (exit 2), and the run goes on.
 */
import { join } from 'path';
import { runProcess } from '../../core/process';
import { packageInfo } from '../../core/package-info';
import { tempDir } from '../../fixtures/repo';

test('a run over the time limit is reported SLOW, not as a harness failure', async () => {
  const out = join(tempDir('coord-hooks-bench-slow-'), 'results.json');
  // 20 ms is less than any git commit whose hook starts node takes: scenario 12's first run is "slow".
  const result = await runProcess(process.execPath, [join(packageInfo().root, 'dist', 'bench', 'run.js'), '--only', '12', '--runs', '1', '--out', out],
    { env: { ...process.env, COORD_HOOKS_BENCH_RUN_LIMIT: '0.02' }, timeoutMs: 300_000 });
  expect(result.stdout).toMatch(/scenario 12: SLOW \(not measured\): scenario 12w? commit with coord-hooks(, warm|, cold)?: not done after [0-9.]+ s, killed/);
  expect(result.stdout + result.stderr).not.toContain('HARNESS FAILURE');
  expect(result.code).toBe(1);
}, 300_000);
