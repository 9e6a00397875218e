/**
 * The warm gate process with the real hooks: scripts written by install (warm client built with cc),
 * run by git itself on real commits and pushes, and the guard run through the client as Claude Code
 * runs it. Every warm answer is compared with the cold run of the same hook: same exit code, same
 * messages. The process's own counters (`served`, cold answers by reason) show which path answered.
 */
import { chmodSync, chownSync, existsSync, statSync, utimesSync } from 'fs';
import { createServer, type Server } from 'net';
import { join } from 'path';
import { runProcess } from '../../core/process';
import { CLI, preToolUse } from '../../fixtures/client-hooks';
import { removeDir, type Repo } from '../../fixtures/repo';
import { makeSetup, type Setup } from '../../fixtures/server';
import { installWarmClone, installWarmServer, stopWarm, waitForNoWarm, waitForWarm, warmStatus } from '../../fixtures/warm';
import { gitSync } from '../../git/run';
import type { WarmPaths } from '../../warm/paths';

let setup: Setup;
let fw: Repo;
let serverWarm: WarmPaths;
let cloneWarm: WarmPaths;

const IDLE = { COORD_HOOKS_WARM_IDLE_SECONDS: '120' };

beforeAll(async () => {
  setup = await makeSetup();
  serverWarm = await installWarmServer(setup.server);
  fw = setup.clone('fw', IDLE);
  cloneWarm = await installWarmClone(fw, 'fw');
});

afterAll(async () => {
  await Promise.all([stopWarm(serverWarm), stopWarm(cloneWarm)]);
  removeDir(setup.root);
});

const ALL_CODES = Array.from({ length: 255 }, (_, i) => i + 1);

/** git with the hooks running, extra environment on top of the clone's. */
function gitRun(repo: Repo, args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = gitSync(args, { cwd: repo.dir, env: { ...repo.env, ...IDLE, ...env }, okCodes: ALL_CODES });
  return { code: result.code, output: result.stdout.toString('utf8') + result.stderr };
}

/** Runs `make` cold (COORD_HOOKS_WARM=0) then warm (a process answering), and returns both outcomes. */
async function coldAndWarm<T>(paths: WarmPaths, make: (env: NodeJS.ProcessEnv) => T | Promise<T>): Promise<{ cold: T; warm: T; served: number }> {
  const cold = await make({ COORD_HOOKS_WARM: '0' });
  await make({}); // the first use starts the process if none runs
  const before = (await waitForWarm(paths)).served;
  const warm = await make({});
  const after = (await warmStatus(paths))?.served ?? before;
  return { cold, warm, served: after - before };
}

describe('pre-commit', () => {
  test('refused and accepted commits: warm verdict and messages equal the cold ones', async () => {
    fw.freshBranch('fw/commit');
    fw.write('pm/plan.md', 'x\n').git(['add', '-A']);
    const refused = await coldAndWarm(cloneWarm, (env) => gitRun(fw, ['commit', '-q', '-m', 'touch pm'], env));
    expect(refused.served).toBe(1);
    expect(refused.cold.code).toBe(1);
    expect(refused.cold.output).toContain("outside team fw's write scope");
    expect(refused.warm).toEqual(refused.cold);
  });
});
