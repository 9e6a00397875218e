/**
 * The README's quickstart, run as written: the block between the quickstart markers, in bash with
 * `set -euo pipefail`, in an empty directory, with `coord-hooks` on PATH as a person would have it.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { packageInfo } from '../../core/package-info';
import { runProcess } from '../../core/process';
import { isolatedEnv, tempDir } from '../../fixtures/repo';

function quickstart(): string {
  const readme = readFileSync(join(packageInfo().root, 'README.md'), 'utf8');
  const match = /<!-- quickstart:begin -->\n```sh\n([\s\S]*?)```\n<!-- quickstart:end -->/.exec(readme);
  if (!match) throw new Error('README.md has no quickstart block between the markers');
  return match[1];
}

test('the README quickstart makes a protected repository and runs a round', async () => {
  const root = tempDir('coord-hooks-quickstart-');
  const home = join(root, 'home');
  const bin = join(root, 'bin');
  const work = join(root, 'work');
  for (const dir of [home, bin, work]) mkdirSync(dir);
  writeFileSync(join(home, '.gitconfig'), '[user]\n\tname = Quick Start\n\temail = qs@example.invalid\n[init]\n\tdefaultBranch = main\n');
  writeFileSync(join(bin, 'coord-hooks'), `#!/bin/sh\nexec '${process.execPath}' '${join(packageInfo().root, 'dist', 'cli', 'main.js')}' "$@"\n`);
  chmodSync(join(bin, 'coord-hooks'), 0o755);
  const env = { ...isolatedEnv(home), PATH: `${bin}:${process.env.PATH}` };
  const script = `set -euo pipefail\n${quickstart()}`;
  const result = await runProcess('bash', ['-c', script], { env, cwd: work, timeoutMs: 120000 });
  const output = result.stdout + result.stderr;
  if (result.code !== 0) throw new Error(`quickstart failed (exit ${result.code}):\n${output}`);
  expect(output).toContain('fw: may write, by "fw/"');
  expect(output).toContain('round 1: all done (fw)');
  expect(output).toMatch(/round 1: COMPLETE \(waits for fw\)/);
  // The gate was really there: the pushes went through pre-receive.
  expect(readFileSync(join(work, 'server.git', 'coord-hooks', 'audit.jsonl'), 'utf8')).toContain('"event":"accepted"');
});
