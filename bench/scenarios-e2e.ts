/**
 * Whole git operations, end to end (issue 15), each against the same operation without coord-hooks in
 * the same run, interleaved:
 *
 * - 11: `git push` of a new branch (1,000 commits × 20 files) into the server with the gate, against
 *   the same push into a plain bare copy of that server (no hooks, git's default receive settings).
 * - 12: `git commit` (10 staged files) with the clone hooks `coord-hooks install` writes, against
 *   husky-style sh hooks (husky v9's layout: a `.husky/_/<hook>` per hook sourcing one runner script
 *   that finds and runs the user's `.husky/<hook>`; the user's pre-commit is `exit 0`), in the same clone.
 */
import { existsSync, mkdirSync } from 'fs';
import { join } from 'path';
import { gitSync } from '../git/run';
import type { Bench } from './context';
import { spreadPath } from './generate';
import { huskyStyleHooks } from './husky';
import { HarnessError, interleaved, slowCheck, timeOnce, type RunSpec } from './measure';
import { formatMs, ratioTarget, series, type Row } from './report';

const okCodes = Array.from({ length: 255 }, (_, code) => code + 1);

export async function scenario11(bench: Bench): Promise<Row[]> {
  const { world, push } = await bench.bulkPush();
  const plain = join(world.setup.root, 'plain-server.git');
  if (!existsSync(plain)) gitSync(['clone', '-q', '--bare', '--no-hardlinks', world.server.dir, plain], { cwd: world.setup.root, env: world.env });
  const pushInto = (server: string, label: string, extra: NodeJS.ProcessEnv = {}) => async () => {
    // A push over the local transport: receive-pack and its hooks get this environment.
    const spec: RunSpec = { command: 'git', args: ['push', '-q', server, `${push.new}:${push.ref}`], env: { ...world.env, ...extra }, cwd: world.client.dir };
    const start = process.hrtime.bigint();
    const result = gitSync(spec.args, { cwd: spec.cwd, env: spec.env, okCodes });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    slowCheck(label, ms, result.stderr);
    if (result.code !== 0) throw new HarnessError(`${label} was rejected (exit ${result.code}):\n${result.stderr.trim()}`);
    // Put the server back: the next run pushes the same new branch again.
    gitSync(['update-ref', '-d', push.ref], { cwd: server, env: world.env });
    return ms;
  };
  const runs = bench.runs('heavy');
  const warmPush = pushInto(world.server.dir, 'scenario 11w push with the gate, warm');
  await world.warm.start(warmPush);
  const [cold, warm, bare] = await interleaved(runs, [
    pushInto(world.server.dir, 'scenario 11 push with the gate, cold', { COORD_HOOKS_WARM: '0' }), warmPush, pushInto(plain, 'scenario 11 push without'),
  ]);
  const coord = series('`git push` of the new branch into the server with coord-hooks (pre-receive, post-receive, install --server settings), cold (COORD_HOOKS_WARM=0)', cold);
  const warmSeries = series('the same `git push`, the pre-receive answered by the server\'s warm process', warm);
  const floor = series('the same `git push` into a plain bare copy of the server (no hooks)', bare);
  const { commits, files } = bench.sizes.bulk;
  const name = `whole git push: new branch, ${commits.toLocaleString('en')} commits × ${files} files`;
  const row = (id: string, label: string, measured: typeof coord): Row => {
    const ratio = measured.median / floor.median;
    return {
      id, scenario: `${name}, ${label}`, runs, coord: measured, floor, ratio, peer: null, rssMb: null, targets: [ratioTarget(ratio, 1.3)],
      notes: [`${push.objects.toLocaleString('en')} objects; the gate adds ${formatMs(measured.median - floor.median)} to the push (medians)`],
    };
  };
  return [row('11', 'cold', coord), row('11w', 'warm', warmSeries)];
}

export async function scenario12(bench: Bench): Promise<Row[]> {
  const world = await bench.clientWorld();
  const clone = world.clone;
  // Both alternatives live in the git directory: nothing new in the work tree to commit.
  const husky = huskyStyleHooks(join(clone.dir, '.git', 'bench-husky'));
  const none = join(clone.dir, '.git', 'bench-no-hooks');
  mkdirSync(none, { recursive: true });
  const count = bench.sizes.client.commitFiles;
  const paths = Array.from({ length: count }, (_, index) => spreadPath('fw/src', index * 7));
  let edit = 0;
  const commitWith = (config: string[], label: string, extra: NodeJS.ProcessEnv = {}) => async () => {
    edit += 1;
    for (const path of paths) clone.write(path, `commit-bench edit ${edit} of ${path}\n`);
    clone.git(['add', '--', ...paths]);
    return timeOnce({ command: 'git', args: [...config, 'commit', '-q', '-m', `bench edit ${edit}`], env: { ...clone.env, ...extra }, cwd: clone.dir }, label);
  };
  const runs = bench.runs('light');
  const warmCommit = commitWith([], 'scenario 12w commit with coord-hooks, warm');
  await world.warm.start(warmCommit);
  const [coordSamples, warmSamples, huskySamples, plainSamples] = await interleaved(runs, [
    commitWith([], 'scenario 12 commit with coord-hooks, cold', { COORD_HOOKS_WARM: '0' }), warmCommit,
    commitWith(['-c', `core.hooksPath=${husky}`], 'scenario 12 commit with husky-style hooks'),
    commitWith(['-c', `core.hooksPath=${none}`], 'scenario 12 commit without hooks'),
  ]);
  const coord = series('`git commit` of 10 staged files with the clone hooks (pre-commit, reference-transaction), cold (COORD_HOOKS_WARM=0)', coordSamples);
  const warm = series('the same, the pre-commit answered by the warm process', warmSamples);
  const floor = series('the same `git commit` with husky-style sh hooks (pre-commit, prepare-commit-msg, commit-msg, post-commit)', huskySamples);
  const plain = series('', plainSamples);
  const row = (id: string, label: string, measured: typeof coord): Row => {
    const ratio = measured.median / floor.median;
    return {
      id, scenario: `git commit (${count} files): clone hooks vs husky-style sh hooks, ${label}`, runs, coord: measured, floor, ratio,
      peer: null, rssMb: null, targets: [ratioTarget(ratio, 1.3)],
      notes: [`the same commit without hooks: ${formatMs(plain.median)} (clone hooks ${(measured.median / plain.median).toFixed(2)}× it, husky-style ${(floor.median / plain.median).toFixed(2)}×)`],
    };
  };
  return [row('12', 'cold', coord), row('12w', 'warm', warm)];
}
