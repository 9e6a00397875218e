/**
 * A push of 1,000 commits × 20 files is judged in one pass: the number of git processes the gate
 * starts does not grow with the number of commits (COORD_HOOKS_TRACE lists them).
 */
import { readFileSync, existsSync } from 'fs';
import { join } from 'path';
import { writeBulkHistory } from '../../fixtures/bulk';
import { makeSetup, push } from '../../fixtures/server';

/** Git processes started by the gate (the hook's node process), not by this test's own git calls. */
function gitProcesses(file: string): string[] {
  const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
  return lines.filter((line) => !line.startsWith(`${process.pid} `));
}

test('1,000 × 20 costs the same number of git processes as 3 × 10, and violations are still found', async () => {
  const setup = await makeSetup();
  const trace = join(setup.root, 'trace');
  const fw = setup.clone('fw', { COORD_HOOKS_TRACE: trace });
  const base = fw.rev('origin/main');

  // The first push reads the policy from main and caches it (policy/cache.ts); later pushes do not read it.
  writeBulkHistory(fw, { branch: 'fw/warm', from: base, commits: 1, filesPerCommit: 1, dir: 'fw/warm' });
  expect(push(fw, ['fw/warm']).code).toBe(0);
  expect(gitProcesses(trace).some((line) => line.includes('CLAUDE.md'))).toBe(true);
  const warm = gitProcesses(trace).length;

  writeBulkHistory(fw, { branch: 'fw/small', from: base, commits: 3, filesPerCommit: 10, dir: 'fw/small' });
  expect(push(fw, ['fw/small']).code).toBe(0);
  expect(gitProcesses(trace).slice(warm).some((line) => line.includes('CLAUDE.md'))).toBe(false);
  const small = gitProcesses(trace).length - warm;

  writeBulkHistory(fw, { branch: 'fw/bulk', from: base, commits: 1000, filesPerCommit: 20, dir: 'fw/bulk' });
  const started = Date.now();
  const result = push(fw, ['fw/bulk']);
  expect(result.output).not.toContain('rejected');
  expect(result.code).toBe(0);
  const processes = gitProcesses(trace).slice(warm + small);
  expect(processes.length).toBe(small);
  expect(processes.filter((line) => line.includes(' diff-tree --stdin'))).toHaveLength(1);
  // One rev-list for the new trees (checked like fsck), one for the commits entering fw's branches.
  expect(processes.filter((line) => line.includes(' rev-list '))).toHaveLength(2);
  expect(processes.length).toBeLessThanOrEqual(8);

  writeBulkHistory(fw, { branch: 'fw/bulk-bad', from: base, commits: 1000, filesPerCommit: 20, dir: 'pm/bulk', distinctFiles: 500 });
  const bad = push(fw, ['fw/bulk-bad']);
  expect(bad.code).not.toBe(0);
  expect(bad.output).toContain('more. By directory:');
  // Printed for the record: the whole push including pack transfer.
  console.log(`1000×20 push accepted in ${Date.now() - started} ms with ${processes.length} git processes from the gate`);
});
