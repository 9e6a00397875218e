/**
 * The README's quickstart, run as written: the block between the quickstart markers, in bash with
 * `set -euo pipefail`, in an empty directory, with `coord-hooks` on PATH as a person would have it;
 * twice in one HOME, as someone who tries it twice (or has two projects with a team fw) would.
 */
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { packageInfo } from '../../core/package-info';
import { runProcess } from '../../core/process';
import { isolatedEnv, removeDir, tempDir } from '../../fixtures/repo';

function quickstart(): string {
  const readme = readFileSync(join(packageInfo().root, 'README.md'), 'utf8');
  const match = /<!-- quickstart:begin -->\n```sh\n([\s\S]*?)```\n<!-- quickstart:end -->/.exec(readme);
  if (!match) throw new Error('README.md has no quickstart block between the markers');
  return match[1];
}

/** One run of the quickstart in `work` (a new empty directory), with HOME and PATH shared by every run. */
async function runQuickstart(work: string, env: NodeJS.ProcessEnv): Promise<string> {
  mkdirSync(work);
  const script = `set -euo pipefail\n${quickstart()}`;
  const result = await runProcess('bash', ['-c', script], { env, cwd: work, timeoutMs: 240000 });
  const output = result.stdout + result.stderr;
  if (result.code !== 0) throw new Error(`quickstart in ${work} failed (exit ${result.code}):\n${output}`);
  expect(output).toContain('fw: may write, by "fw/"');
  expect(output).toContain('round 1: all done (fw)');
  expect(output).toMatch(/round 1: COMPLETE \(waits for fw\)/);
  // The gate was really there: the pushes went through pre-receive.
  expect(readFileSync(join(work, 'server.git', 'coord-hooks', 'audit.jsonl'), 'utf8')).toContain('"event":"accepted"');
  return output;
}

test('the README quickstart makes a protected repository and runs a round, twice in one HOME (two projects, each with a team fw)', async () => {
  const root = tempDir('coord-hooks-quickstart-');
  const home = join(root, 'home');
  const bin = join(root, 'bin');
  for (const dir of [home, bin]) mkdirSync(dir);
  writeFileSync(join(home, '.gitconfig'), '[user]\n\tname = Quick Start\n\temail = qs@example.invalid\n[init]\n\tdefaultBranch = main\n');
  writeFileSync(join(bin, 'coord-hooks'), `#!/bin/sh\nexec '${process.execPath}' '${join(packageInfo().root, 'dist', 'cli', 'main.js')}' "$@"\n`);
  chmodSync(join(bin, 'coord-hooks'), 0o755);
  const env = { ...isolatedEnv(home), PATH: `${bin}:${process.env.PATH}` };
  try {
    await quickstartTwice(root, home, env);
  } finally {
    // The warm processes the hooks started end when they find their sockets gone.
    removeDir(root);
  }
}, 600000);

async function quickstartTwice(root: string, home: string, env: NodeJS.ProcessEnv): Promise<void> {
  const first = await runQuickstart(join(root, 'first'), env);
  const second = await runQuickstart(join(root, 'second'), env);
  // Each project got its own fw key in the shared ~/.ssh (named by the project's root commit), and each
  // clone signs with its own.
  const keys = readdirSync(join(home, '.ssh')).filter((name) => /^coord-hooks-fw-[0-9a-f]{8}_ed25519$/.test(name));
  expect(keys).toHaveLength(2);
  const created = (output: string) => /created (\S+_ed25519) \(ed25519/.exec(output)?.[1];
  expect(created(first)).toBeDefined();
  expect(created(second)).toBeDefined();
  expect(created(first)).not.toBe(created(second));
  const signingKey = (work: string) => readFileSync(join(work, 'fw', '.git', 'config'), 'utf8').match(/signingkey = (.*)/)?.[1];
  expect(signingKey(join(root, 'first'))).toBe(`${created(first)}.pub`);
  expect(signingKey(join(root, 'second'))).toBe(`${created(second)}.pub`);
}
