/**
 * Scenario 10: the warm gate process (docs/warm.md). Three rows, each a ratio against a floor measured
 * in the same run, interleaved:
 * - 10g: the Claude Code guard through the command install registers, warm, vs `node -e 0`;
 * - 10c: a whole `git commit` in a clone with coord-hooks' client hooks (warm) vs the same commit in a
 *   clone with husky v9-style sh hooks (bench/husky.ts: four run per commit, as in scenario 12);
 * - 10p: a whole small `git push` (one commit, one file) with every hook (client pre-push, server
 *   pre-receive warm, post-receive) vs the same push between a clone and a server without hooks.
 * Each row's notes give the cold figure (COORD_HOOKS_WARM=0) from the same run.
 */
import { join } from 'path';
import { gitSync } from '../git/run';
import { claudeHookCommand, thisCli } from '../hooks/claude-command';
import { preToolUse } from '../fixtures/client-hooks';
import type { Repo } from '../fixtures/repo';
import { makeSetup } from '../fixtures/server';
import { installWarmClone, installWarmServer, stopWarm, waitForWarm } from '../fixtures/warm';
import type { Bench } from './context';
import { HarnessError, interleaved, timeOnce, type RunSpec } from './measure';
import { ratioTarget, series, type Row, type Series } from './report';
import { huskyStyleHooks } from './husky';

const ratio = (coord: Series, floor: Series) => coord.median / floor.median;
const ms = (value: number) => `${value.toFixed(1)} ms`;

export async function scenario10(bench: Bench): Promise<Row[]> {
  const setup = await makeSetup({ gate: false });
  bench.dirs.push(setup.root);
  const serverWarm = await installWarmServer(setup.server);
  const fw = setup.clone('fw');
  const cloneWarm = await installWarmClone(fw, 'fw');
  const husky = setup.clone('husky');
  husky.git(['config', 'core.hooksPath', huskyStyleHooks(join(husky.dir, '.git', 'bench-husky'))]);
  const plainServer = join(setup.root, 'plain.git');
  gitSync(['clone', '-q', '--bare', setup.server.dir, plainServer], { cwd: setup.root, env: setup.env });
  const plain = setup.clone('plain');
  plain.git(['remote', 'set-url', 'origin', plainServer]);
  const runs = bench.runs('light');
  const cold = { COORD_HOOKS_WARM: '0' };
  try {
    // 10g: the guard.
    const command = claudeHookCommand('claude-guard', 'local', { ...thisCli(), warm: { client: cloneWarm.client, socket: cloneWarm.socket } });
    const input = preToolUse(fw.dir, 'Write', { file_path: join(fw.dir, 'fw', 'guarded.ts'), content: 'x\n' });
    const guard = (env: NodeJS.ProcessEnv): RunSpec => ({ command: '/bin/sh', args: ['-c', command], env: { ...fw.env, ...env }, cwd: fw.dir, input });
    await timeOnce(guard({}), 'scenario 10g start');
    await waitForWarm(cloneWarm);
    const nodeFloor: RunSpec = { command: process.execPath, args: ['-e', '0'], env: fw.env, cwd: fw.dir };
    const [guardWarm, guardFloor, guardCold] = await interleaved(runs, [
      () => timeOnce(guard({}), 'scenario 10g guard warm'), () => timeOnce(nodeFloor, 'scenario 10g floor'), () => timeOnce(guard(cold), 'scenario 10g guard cold'),
    ]);
    const g = series('the guard command install registers (sh + warm client), a Write inside the scope', guardWarm);
    const gFloor = series('`node -e 0`', guardFloor);
    const gCold = series('', guardCold);

    // 10c: git commit.
    fw.freshBranch('fw/bench');
    husky.freshBranch('fw/husky');
    let edit = 0;
    const commitIn = (repo: Repo, env: NodeJS.ProcessEnv, label: string) => async () => {
      edit += 1;
      repo.write('fw/edit.txt', `edit ${edit}\n`).git(['add', '-A']);
      return timeOnce({ command: 'git', args: ['commit', '-q', '-m', `edit ${edit}`], env: { ...repo.env, ...env }, cwd: repo.dir }, label);
    };
    const [commitWarm, commitHusky, commitCold] = await interleaved(runs, [
      commitIn(fw, {}, 'scenario 10c commit warm'), commitIn(husky, {}, 'scenario 10c commit husky-style'), commitIn(fw, cold, 'scenario 10c commit cold'),
    ]);
    const c = series('`git commit` of one file, coord-hooks client hooks (warm)', commitWarm);
    const cFloor = series('`git commit` of one file, husky v9-style sh hooks (bench/husky.ts)', commitHusky);
    const cCold = series('', commitCold);

    // 10p: a small push.
    await waitForWarm(serverWarm).catch(async () => {
      const name = fw.freshBranch('fw/start');
      gitSync(['push', '-q', 'origin', name], { cwd: fw.dir, env: fw.env });
      return waitForWarm(serverWarm);
    });
    let pushes = 0;
    const pushFrom = (repo: Repo, env: NodeJS.ProcessEnv, label: string) => async () => {
      pushes += 1;
      const name = repo.freshBranch(`fw/push-${pushes}`);
      repo.write('fw/pushed.txt', `push ${pushes}\n`).git(['add', '-A']);
      repo.git(['commit', '-q', '--no-verify', '-m', `push ${pushes}`]);
      return timeOnce({ command: 'git', args: ['push', '-q', 'origin', name], env: { ...repo.env, ...env }, cwd: repo.dir }, label);
    };
    const [pushWarm, pushPlain, pushCold] = await interleaved(runs, [
      pushFrom(fw, {}, 'scenario 10p push warm'), pushFrom(plain, {}, 'scenario 10p push without hooks'), pushFrom(fw, cold, 'scenario 10p push cold'),
    ]);
    const p = series('`git push` of one commit (one file), every hook: pre-push, pre-receive (warm), post-receive', pushWarm);
    const pFloor = series('the same push between a clone and a server without hooks', pushPlain);
    const pCold = series('', pushCold);
    const served = (await waitForWarm(cloneWarm)).served + (await waitForWarm(serverWarm)).served;
    if (served < 3 * runs) throw new HarnessError(`scenario 10: the warm processes answered ${served} requests, fewer than the ${3 * runs} warm runs (see ${cloneWarm.log})`);

    return [
      { id: '10g', scenario: 'guard, warm: one Write call', runs, coord: g, floor: gFloor, ratio: ratio(g, gFloor), peer: null, rssMb: null,
        targets: [ratioTarget(ratio(g, gFloor), 0.3)], notes: [`cold (COORD_HOOKS_WARM=0) ${ms(gCold.median)}, ${(gCold.median / gFloor.median).toFixed(2)}× floor`] },
      { id: '10c', scenario: 'git commit, clone hooks warm vs husky-style sh hooks', runs, coord: c, floor: cFloor, ratio: ratio(c, cFloor), peer: null, rssMb: null,
        targets: [ratioTarget(ratio(c, cFloor), 1.3)], notes: [`cold ${ms(cCold.median)}, ${(cCold.median / cFloor.median).toFixed(2)}× floor`] },
      { id: '10p', scenario: 'small git push, all hooks warm vs no hooks', runs, coord: p, floor: pFloor, ratio: ratio(p, pFloor), peer: null, rssMb: null,
        targets: [ratioTarget(ratio(p, pFloor), 1.5)], notes: [`cold ${ms(pCold.median)}, ${(pCold.median / pFloor.median).toFixed(2)}× floor`] },
    ];
  } finally {
    await Promise.all([stopWarm(cloneWarm), stopWarm(serverWarm)].map((stopping) => stopping.catch(() => undefined)));
  }
}
