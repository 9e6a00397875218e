/**
 * The warm gate process with the real hooks: scripts written by install (warm client built with cc),
 * run by git itself on real commits and pushes, and the guard run through the command install
 * registers for Claude Code. Every warm answer is compared with the cold run of the same hook: same
 * exit code, same messages. The process's own counters (`served`, cold answers by reason) show which
 * path answered.
 */
import { chmodSync, chownSync, existsSync, readFileSync, rmSync, statSync, utimesSync } from 'fs';
import { createServer, type Server } from 'net';
import { join } from 'path';
import { packageInfo } from '../../core/package-info';
import { runProcess } from '../../core/process';
import { CLI, preToolUse } from '../../fixtures/client-hooks';
import { removeDir, type Repo } from '../../fixtures/repo';
import { makeSetup, type Setup } from '../../fixtures/server';
import { installWarmClone, installWarmServer, stopWarm, waitForNoWarm, waitForWarm, warmStatus } from '../../fixtures/warm';
import { git, gitSync } from '../../git/run';
import { claudeHookCommand } from '../../hooks/claude-command';
import type { WarmPaths } from '../../warm/paths';

let setup: Setup;
let fw: Repo;
let qa: Repo;
let serverWarm: WarmPaths;
let cloneWarm: WarmPaths;
let qaWarm: WarmPaths;

const IDLE = { COORD_HOOKS_WARM_IDLE_SECONDS: '300' };
const ALL_CODES = Array.from({ length: 256 }, (_, i) => i);

beforeAll(async () => {
  setup = await makeSetup({ gate: false }); // the gate as install writes it, not the fixture's script (it would be chained)
  serverWarm = await installWarmServer(setup.server);
  fw = setup.clone('fw', IDLE);
  cloneWarm = await installWarmClone(fw, 'fw');
  qa = setup.clone('qa', IDLE);
  qaWarm = await installWarmClone(qa, 'qa');
});

afterAll(async () => {
  for (const paths of [serverWarm, cloneWarm, qaWarm]) if (paths) await stopWarm(paths).catch(() => undefined);
  if (!process.env.KEEP_WARM_TEST) removeDir(setup.root);
});

/** git with the hooks running, extra environment on top of the clone's. */
function gitRun(repo: Repo, args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = gitSync(args, { cwd: repo.dir, env: { ...repo.env, ...env }, okCodes: ALL_CODES });
  return { code: result.code, output: result.stdout.toString('utf8') + result.stderr };
}

/** The same, without waiting (pushes at the same time). */
async function gitAsync(repo: Repo, args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = await git(args, { cwd: repo.dir, env: { ...repo.env, ...env }, okCodes: ALL_CODES });
  return { code: result.code, output: result.stdout.toString('utf8') + result.stderr };
}

/** Runs `make` cold (COORD_HOOKS_WARM=0), then once to start the process, then warm; `served` counts warm answers of the last run. */
async function coldAndWarm<T>(paths: WarmPaths, make: (env: NodeJS.ProcessEnv) => T | Promise<T>): Promise<{ cold: T; warm: T; served: number }> {
  const cold = await make({ COORD_HOOKS_WARM: '0' });
  if (!(await warmStatus(paths))) await make({});
  const before = (await waitForWarm(paths)).served;
  const warm = await make({});
  const after = (await warmStatus(paths))?.served ?? before;
  return { cold, warm, served: after - before };
}

/** The refused commit used by the fallback tests, and what the cold hook says about it. */
function stageOutOfScope(): void {
  fw.freshBranch('fw/fallback');
  fw.write('pm/plan.md', `x ${Math.random()}\n`).git(['add', '-A']);
}
/** A commit made without the client hooks (--no-verify), for the pushes below. */
function commitUnchecked(repo: Repo, path: string, content: string, message: string): void {
  repo.write(path, content).git(['add', '-A']);
  repo.git(['commit', '-q', '--no-verify', '-m', message]);
}

const refusedCommit = (env: NodeJS.ProcessEnv = {}) => gitRun(fw, ['commit', '-q', '-m', 'touch pm'], env);
/** The same without blocking this process: a stand-in server in this process must be able to answer. */
const refusedCommitAsync = (env: NodeJS.ProcessEnv = {}) => gitAsync(fw, ['commit', '-q', '-m', 'touch pm'], env);

describe('verdicts: warm equals cold', () => {
  test('pre-commit: a refused and an accepted commit', async () => {
    fw.freshBranch('fw/commit');
    fw.write('pm/plan.md', 'x\n').git(['add', '-A']);
    const refused = await coldAndWarm(cloneWarm, (env) => gitRun(fw, ['commit', '-q', '-m', 'touch pm'], env));
    expect(refused.served).toBe(1);
    expect(refused.cold.code).toBe(1);
    expect(refused.cold.output).toContain("outside team fw's write scope; it belongs to team pm");
    expect(refused.warm).toEqual(refused.cold);

    fw.git(['reset', '-q', '--hard']);
    const accepted = await coldAndWarm(cloneWarm, (env) => {
      fw.write('fw/ok.txt', `${Math.random()}\n`).git(['add', '-A']);
      return gitRun(fw, ['commit', '-q', '-m', 'fw work'], env);
    });
    expect(accepted.served).toBe(1);
    expect(accepted.cold).toEqual({ code: 0, output: '' });
    expect(accepted.warm).toEqual(accepted.cold);
  });

  test('pre-push in the clone: a refused push', async () => {
    const name = fw.freshBranch('fw/prepush');
    commitUnchecked(fw, 'qa/README.md', 'edited\n', 'qa edit');
    const refused = await coldAndWarm(cloneWarm, (env) => gitRun(fw, ['push', '-q', 'origin', name], env));
    expect(refused.served).toBe(1);
    expect(refused.cold.code).not.toBe(0);
    expect(refused.cold.output).toContain('qa/README.md');
    expect(refused.warm).toEqual(refused.cold);
  });

  test('pre-receive on the server: a rejected push (same message), and accepted pushes whose objects exist only in the quarantine', async () => {
    const name = fw.freshBranch('fw/server-reject');
    commitUnchecked(fw, 'qa/README.md', 'edited\n', 'qa edit');
    const rejected = await coldAndWarm(serverWarm, (env) => gitRun(fw, ['push', '--no-verify', 'origin', name], env));
    expect(rejected.served).toBe(1);
    expect(rejected.cold.code).not.toBe(0);
    expect(rejected.cold.output).toContain('coord-hooks: push rejected');
    expect(rejected.warm).toEqual(rejected.cold);

    let round = 0;
    const accepted = await coldAndWarm(serverWarm, (env) => {
      round += 1;
      const branch = fw.freshBranch(`fw/server-accept-${round}`);
      commitUnchecked(fw, 'fw/new.txt', `${Math.random()}\n`, 'fw work');
      const result = gitRun(fw, ['push', '--no-verify', 'origin', branch], env);
      return { ...result, output: result.output.replaceAll(branch, 'BRANCH') };
    });
    expect(accepted.served).toBe(1);
    expect(accepted.cold.code).toBe(0);
    expect(accepted.warm).toEqual(accepted.cold);
    expect(setup.server.git(['branch', '--list', 'fw/server-accept-*']).split('\n').filter(Boolean)).toHaveLength(round);
  });

  test('pushes arriving at the same time are judged each with its own quarantine', async () => {
    await waitForWarm(serverWarm);
    const fwOkName = fw.freshBranch('fw/together-ok');
    commitUnchecked(fw, 'fw/together.txt', 'ok\n', 'fw work');
    const qaOkName = qa.freshBranch('qa/together-ok');
    commitUnchecked(qa, 'qa/together.txt', 'ok\n', 'qa work');
    const fwBadName = fw.freshBranch('fw/together-bad');
    commitUnchecked(fw, 'qa/stolen.txt', 'no\n', 'not fw');
    const before = (await waitForWarm(serverWarm)).served;
    const [fwOk, qaOk, fwBad] = await Promise.all([
      gitAsync(fw, ['push', '--no-verify', 'origin', fwOkName]),
      gitAsync(qa, ['push', '--no-verify', 'origin', qaOkName]),
      gitAsync(fw, ['push', '--no-verify', 'origin', fwBadName]),
    ]);
    expect([fwOk.code, qaOk.code]).toEqual([0, 0]);
    expect(fwBad.code).not.toBe(0);
    expect(fwBad.output).toContain('qa/stolen.txt');
    const status = (await warmStatus(serverWarm))!;
    // Up to maxInFlight at once are served warm; any beyond are answered "busy" and judged cold.
    expect(status.served - before + (status.cold.busy ?? 0)).toBeGreaterThanOrEqual(3);
    expect(status.served - before).toBeGreaterThanOrEqual(1);
    expect(setup.server.git(['branch', '--list', '*/together-*']).split('\n').map((line) => line.trim()).filter(Boolean).sort()).toEqual([fwOkName, qaOkName]);
  });

  test('a warm push starts few git processes: config and where-am-I kept, the early ref listing reused, the signers known', async () => {
    const trace = join(setup.root, 'warm-push-trace');
    const name = fw.freshBranch('fw/few-processes');
    commitUnchecked(fw, 'fw/few.txt', 'one\n', 'fw work');
    expect(gitRun(fw, ['push', '--no-verify', 'origin', name]).code).toBe(0);
    await new Promise((done) => setTimeout(done, 2100)); // past the racy window of everything the push read
    commitUnchecked(fw, 'fw/few.txt', 'two\n', 'fw work');
    expect(gitRun(fw, ['push', '--no-verify', 'origin', name]).code).toBe(0); // fills what the memo keeps
    commitUnchecked(fw, 'fw/few.txt', 'three\n', 'fw work');
    const before = (await waitForWarm(serverWarm)).served;
    expect(gitRun(fw, ['push', '--no-verify', 'origin', name], { COORD_HOOKS_TRACE: trace }).code).toBe(0);
    const server = (await warmStatus(serverWarm))!;
    expect(server.served).toBe(before + 1);
    const gate = readFileSync(trace, 'utf8').split('\n').filter((line) => line.startsWith(`${server.pid} `)).map((line) => line.split(' ').slice(2, 4).join(' '));
    // One for-each-ref (the policy branch and fw's refs, reused by the commit walk), diff-tree, rev-list: no config, no rev-parse, no cat-file.
    expect(gate.sort()).toEqual(['diff-tree --stdin', 'for-each-ref --format=%(objectname)', 'rev-list --parents']);
  });

  test('a diff-tree started ahead and then not needed ends with the hook (no git process left behind)', async () => {
    const name = fw.freshBranch('fw/unused-diff');
    commitUnchecked(fw, 'fw/unused.txt', 'x\n', 'fw work');
    gitRun(fw, ['push', 'origin', `${name}:refs/heads/nosuch/unused`]); // starts the process if none runs
    const before = (await waitForWarm(cloneWarm)).served;
    // Not a team's namespace: pre-push refuses it before judging any commit, after starting diff-tree for it.
    const refused = gitRun(fw, ['push', 'origin', `${name}:refs/heads/nosuch/unused`]);
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain('refs/heads/nosuch/unused is outside every team namespace');
    const status = (await warmStatus(cloneWarm))!;
    expect(status.served).toBe(before + 1);
    const children = () => readFileSync(`/proc/${status.pid}/task/${status.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    for (let wait = 0; wait < 50 && children().length; wait++) await new Promise((done) => setTimeout(done, 20));
    expect(children()).toEqual([]);
  });

  test('the Claude Code guard, through the command install registers: allowed and blocked calls', async () => {
    const command = claudeHookCommand('claude-guard', 'local', { node: process.execPath, cli: CLI, warm: { client: cloneWarm.client, socket: cloneWarm.socket } });
    const guard = (input: string) => async (env: NodeJS.ProcessEnv) => {
      const result = await runProcess('/bin/sh', ['-c', command], { env: { ...fw.env, ...env }, cwd: fw.dir, input, timeoutMs: 30000 });
      return { code: result.code, stdout: result.stdout, stderr: result.stderr };
    };
    fw.freshBranch('fw/guard');
    const blocked = await coldAndWarm(cloneWarm, guard(preToolUse(fw.dir, 'Write', { file_path: join(fw.dir, 'pm/plan.md'), content: 'x' })));
    expect(blocked.served).toBe(1);
    expect(blocked.cold.code).toBe(2);
    expect(blocked.cold.stderr).toContain('pm/plan.md');
    expect(blocked.warm).toEqual(blocked.cold);
    const allowed = await coldAndWarm(cloneWarm, guard(preToolUse(fw.dir, 'Write', { file_path: join(fw.dir, 'fw/a.txt'), content: 'x' })));
    expect(allowed.served).toBe(1);
    expect(allowed.cold.code).toBe(0);
    expect(allowed.warm).toEqual(allowed.cold);
    const bash = await coldAndWarm(cloneWarm, guard(preToolUse(fw.dir, 'Bash', { command: 'echo hi > qa/out.txt' })));
    expect(bash.cold.code).toBe(2);
    expect(bash.warm).toEqual(bash.cold);
  });
});

describe('fallback to the cold run: never a different verdict', () => {
  test('the process killed in the middle of a request: the client runs the hook cold', async () => {
    const command = claudeHookCommand('claude-guard', 'local', { node: process.execPath, cli: CLI, warm: { client: cloneWarm.client, socket: cloneWarm.socket } });
    const input = preToolUse(fw.dir, 'Write', { file_path: join(fw.dir, 'pm/plan.md'), content: 'x' });
    const env = { ...fw.env, COORD_HOOKS_GUARD_TEST_DELAY_MS: '1500' };
    if (!(await warmStatus(cloneWarm))) gitRun(fw, ['status']);
    const status = await waitForWarm(cloneWarm).catch(async () => {
      await runProcess('/bin/sh', ['-c', command], { env: fw.env, cwd: fw.dir, input, timeoutMs: 30000 });
      return waitForWarm(cloneWarm);
    });
    const running = runProcess('/bin/sh', ['-c', command], { env, cwd: fw.dir, input, timeoutMs: 30000 });
    const deadline = Date.now() + 10000;
    while (((await warmStatus(cloneWarm))?.inFlight ?? 0) === 0 && Date.now() < deadline) await new Promise((done) => setTimeout(done, 20));
    expect((await warmStatus(cloneWarm))?.inFlight).toBe(1);
    process.kill(status.pid, 'SIGKILL');
    const result = await running;
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('pm/plan.md');
    expect(result.stderr).not.toContain('the guard failed');
    // The socket file is left behind by the killed process: the next run finds nobody listening and starts a new one.
    expect(existsSync(cloneWarm.socket)).toBe(true);
    await runProcess('/bin/sh', ['-c', command], { env: fw.env, cwd: fw.dir, input, timeoutMs: 30000 });
    expect((await waitForWarm(cloneWarm)).pid).not.toBe(status.pid);
  });

  test('stale: a loaded module changed on disk: the process answers "stale", the hook runs cold, the process ends', async () => {
    stageOutOfScope();
    const cold = refusedCommit({ COORD_HOOKS_WARM: '0' });
    expect(cold.code).toBe(1);
    refusedCommit();
    const status = await waitForWarm(cloneWarm);
    const module = join(packageInfo().root, 'dist', 'gate', 'scope.js');
    const { atime, mtime } = statSync(module);
    utimesSync(module, atime, new Date(mtime.getTime() + 5000));
    try {
      expect(refusedCommit()).toEqual(cold);
      await waitForNoWarm(cloneWarm);
    } finally {
      utimesSync(module, atime, mtime);
    }
    refusedCommit();
    expect((await waitForWarm(cloneWarm)).pid).not.toBe(status.pid);
  });

  test('a malformed or cut-short answer: the hook runs cold', async () => {
    stageOutOfScope();
    const cold = refusedCommit({ COORD_HOOKS_WARM: '0' });
    expect(cold.code).toBe(1);
    await stopWarm(cloneWarm);
    const answers = [
      'coord-hooks-warm 1 ok 0 5 0\nabc', // shorter than announced
      'coord-hooks-warm 1 ok 0 0 0\nextra', // longer than announced
      'coord-hooks-warm 1 ok 256 0 0\n', // not an exit code
      'coord-hooks-warm 2 ok 0 0 0\n', // another protocol
      'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n',
      'coord-hooks-warm 1 ok 0 0 0', // no end of line
      '', // closed without an answer
    ];
    for (const answer of answers) {
      const fake = await fakeServer(cloneWarm.socket, answer);
      try {
        expect({ answer, ...(await refusedCommitAsync()) }).toEqual({ answer, ...cold });
        expect(fake.connections).toBe(1);
      } finally {
        await fake.close();
      }
    }
  });

  test('a socket that is not private (directory mode, owner) is not used, even when it would allow', async () => {
    if (process.getuid?.() !== 0) throw new Error('this test gives the socket directory to another user with chown: run it as root (the CI container does)');
    stageOutOfScope();
    const cold = refusedCommit({ COORD_HOOKS_WARM: '0' });
    expect(cold.code).toBe(1);
    await stopWarm(cloneWarm);
    const fake = await fakeServer(cloneWarm.socket, 'coord-hooks-warm 1 ok 0 0 0\n');
    try {
      // Private, the same stand-in is used (it allows): what follows is refused by the checks alone.
      expect((await refusedCommitAsync()).code).toBe(0);
      fw.git(['reset', '-q', '--soft', 'HEAD~1']);
      chmodSync(cloneWarm.dir, 0o755);
      expect(await refusedCommitAsync()).toEqual(cold);
      chmodSync(cloneWarm.dir, 0o700);
      chownSync(cloneWarm.dir, 65534, 65534);
      expect(await refusedCommitAsync()).toEqual(cold);
      chownSync(cloneWarm.dir, 0, 0);
      chownSync(cloneWarm.socket, 65534, 65534);
      expect(await refusedCommitAsync()).toEqual(cold);
      expect(fake.connections).toBe(1); // only the private round
    } finally {
      chmodSync(cloneWarm.dir, 0o700);
      chownSync(cloneWarm.dir, 0, 0);
      await fake.close();
    }
  });
});

describe('install --claude', () => {
  test('registers the guard through the warm client, and post-merge keeps it when a pulled policy change rewrites the settings', async () => {
    const guardCommand = () => {
      const settings = JSON.parse(readFileSync(join(fw.dir, '.claude', 'settings.local.json'), 'utf8')) as { hooks: { PreToolUse: { hooks: { command: string }[] }[] } };
      return settings.hooks.PreToolUse[0].hooks[0].command;
    };
    fw.freshBranch('fw/claude');
    const installed = await runProcess(process.execPath, [CLI, 'install', '--claude', '--team', 'fw'], { env: fw.env, cwd: fw.dir, timeoutMs: 60000 });
    expect(installed.code).toBe(0);
    expect(guardCommand()).toContain(`WARM='${cloneWarm.client}'; WARM_SOCKET='${cloneWarm.socket}'`);
    const architect = setup.architect;
    architect.git(['fetch', '-q', 'origin']);
    architect.git(['reset', '-q', '--hard', 'origin/main']);
    architect.write('fw/CLAUDE.md', '---\nscope:\n  write: ["fw/"]\n  read: ["fw/", "shared/"]\n---\n# fw\n').git(['add', '-A']);
    architect.git(['commit', '-q', '-m', 'fw reads less']);
    architect.git(['push', '-q', 'origin', 'main']);
    const pulled = fw.tryGit(['pull', '--no-rebase', 'origin', 'main']);
    expect(pulled.code).toBe(0);
    expect(pulled.stderr).toContain('Claude Code settings rewritten for the new policy');
    expect(guardCommand()).toContain(`WARM='${cloneWarm.client}'; WARM_SOCKET='${cloneWarm.socket}'`);
  });
});

describe('life cycle and the off switch', () => {
  test('git config coord-hooks.warm false: the process answers "off" and ends; no new one starts until it is on again', async () => {
    stageOutOfScope();
    const cold = refusedCommit({ COORD_HOOKS_WARM: '0' });
    expect(cold.code).toBe(1);
    refusedCommit();
    await waitForWarm(cloneWarm);
    fw.git(['config', 'coord-hooks.warm', 'false']);
    try {
      expect(refusedCommit()).toEqual(cold);
      await waitForNoWarm(cloneWarm);
      expect(refusedCommit()).toEqual(cold);
      await new Promise((done) => setTimeout(done, 1500));
      expect(await warmStatus(cloneWarm)).toBeNull();
    } finally {
      fw.git(['config', '--unset', 'coord-hooks.warm']);
    }
    refusedCommit();
    await waitForWarm(cloneWarm);
  });

  test('COORD_HOOKS_WARM=0: the client does not ask the process', async () => {
    stageOutOfScope();
    const before = await waitForWarm(cloneWarm);
    const result = refusedCommit({ COORD_HOOKS_WARM: '0' });
    expect(result.code).toBe(1);
    expect((await warmStatus(cloneWarm))!.served).toBe(before.served);
  });

  test('the process ends after its idle time and removes its socket', async () => {
    await stopWarm(cloneWarm);
    stageOutOfScope();
    refusedCommit({ COORD_HOOKS_WARM_IDLE_SECONDS: '1' });
    const status = await waitForWarm(cloneWarm);
    expect(status.idleMs).toBe(1000);
    await waitForNoWarm(cloneWarm, 15000);
    expect(existsSync(cloneWarm.socket)).toBe(false);
    expect(statSync(cloneWarm.dir).mode & 0o777).toBe(0o700);
  });

  test('coord-hooks warm status and stop', async () => {
    stageOutOfScope();
    refusedCommit();
    await waitForWarm(cloneWarm);
    const cli = (args: string[]) => runProcess(process.execPath, [CLI, 'warm', ...args], { env: fw.env, cwd: fw.dir, timeoutMs: 30000 });
    const status = await cli(['status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`socket: ${cloneWarm.socket}`);
    expect(status.stdout).toMatch(/process: pid \d+, since .*answered warm/);
    const stop = await cli(['stop']);
    expect(stop.stdout).toContain('stopped the warm process');
    await waitForNoWarm(cloneWarm);
    expect((await cli(['status'])).stdout).toContain('process: none answering');
    expect((await cli(['bogus'])).code).toBe(2);
  });
});

/** A stand-in process on the socket that gives every request the same answer and counts connections. */
async function fakeServer(socket: string, answer: string): Promise<{ connections: number; close(): Promise<void> }> {
  rmSync(socket, { force: true });
  const state = { connections: 0 };
  const server: Server = createServer({ allowHalfOpen: true }, (connection) => {
    state.connections += 1;
    connection.on('data', () => undefined);
    connection.on('end', () => connection.end(answer));
    connection.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  chmodSync(socket, 0o600);
  return {
    get connections() { return state.connections; },
    close: () => new Promise<void>((resolve) => server.close(() => { rmSync(socket, { force: true }); resolve(); })),
  };
}
