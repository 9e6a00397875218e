/**
 * The Claude Code hooks as Claude Code runs them: the exact command string from the settings file that
 * `install --claude` writes, run with `sh -c` (and bash), the hook's JSON on stdin, in real clones of a
 * real server. The guard fails closed whatever breaks (node gone, the CLI gone, a crash, a signal, a
 * hang); SessionStart tells the session its team, scope, round and announcement; Stop hands a new
 * announcement once.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { runCommand } from '../../fixtures/cli';
import { preToolUse } from '../../fixtures/client-hooks';
import { removeDir, type Repo } from '../../fixtures/repo';
import { makeSetup, type Setup } from '../../fixtures/server';
import { runProcess } from '../../core/process';
import { claudeHookCommand, thisCli, type ClaudeHookName, type CliLocation } from '../../hooks/claude-command';

let setup: Setup;
let fw: Repo;
let pm: Repo;
const run = (repo: Repo, ...argv: string[]) => runCommand(argv, { cwd: repo.dir, env: repo.env });

beforeAll(async () => {
  setup = await makeSetup();
  fw = setup.clone('fw');
  pm = setup.clone('pm');
  for (const [repo, team] of [[fw, 'fw'], [pm, 'pm']] as const) {
    const installed = await run(repo, 'install', '--team', team);
    expect(installed.stderr).toBe('');
    const claude = await run(repo, 'install', '--claude');
    expect(claude.stderr).toBe('');
    expect(claude.code).toBe(0);
  }
});

afterAll(() => removeDir(setup.root));

function settingsOf(repo: Repo): { hooks: Record<string, { matcher?: string; hooks: { command: string; timeout: number }[] }[]> } {
  return JSON.parse(readFileSync(join(repo.dir, '.claude', 'settings.local.json'), 'utf8'));
}

function registered(repo: Repo, event: string): { command: string; timeout: number } {
  return settingsOf(repo).hooks[event][0].hooks[0];
}

/** Runs a settings command the way Claude Code does: a shell, the JSON on stdin, in the project. */
function runHook(command: string, repo: Repo, input: string, env: NodeJS.ProcessEnv = {}, shell = 'sh') {
  return runProcess(shell, ['-c', command], { cwd: repo.dir, env: { ...repo.env, CLAUDE_PROJECT_DIR: repo.dir, ...env }, input, timeoutMs: 30000 });
}

const write = (repo: Repo, path: string) => preToolUse(repo.dir, 'Write', { file_path: join(repo.dir, path), content: 'x' });

describe('the registered guard command fails closed', () => {
  test('install --claude writes settings.local.json with the wrapper; it allows in scope and blocks outside, under sh and bash', async () => {
    const { command, timeout } = registered(fw, 'PreToolUse');
    expect(timeout).toBe(10);
    for (const shell of ['sh', 'bash']) {
      expect(await runHook(command, fw, write(fw, 'fw/a.txt'), {}, shell)).toMatchObject({ code: 0, stderr: '' });
      const blocked = await runHook(command, fw, write(fw, 'pm/a.txt'), {}, shell);
      expect(blocked.code).toBe(2);
      expect(blocked.stderr).toContain('blocked Write to pm/a.txt');
    }
    expect(fw.git(['status', '--porcelain'])).toBe('');
  });

  const broken = (where: Partial<CliLocation>, hook: ClaudeHookName = 'claude-guard') => claudeHookCommand(hook, 'local', { ...thisCli(), ...where });

  test('the CLI moved away: exit 2, saying what is missing and how to fix it', async () => {
    const result = await runHook(broken({ cli: join(setup.root, 'moved', 'dist', 'cli', 'main.js') }), fw, write(fw, 'fw/a.txt'));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`the coord-hooks CLI is missing at ${join(setup.root, 'moved')}`);
    expect(result.stderr).toContain('run `coord-hooks install --claude` again');
  });

  test('node moved away: exit 2', async () => {
    const result = await runHook(broken({ node: join(setup.root, 'old-node', 'bin', 'node') }), fw, write(fw, 'fw/a.txt'));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('node is missing at');
  });

  test('a CLI that crashes (exit 1) or is killed by a signal: exit 2', async () => {
    const dir = join(setup.root, 'fake-cli');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'crash.js'), 'throw new Error("boom")\n');
    writeFileSync(join(dir, 'killed.js'), 'process.kill(process.pid, "SIGKILL")\n');
    const crash = await runHook(broken({ cli: join(dir, 'crash.js') }), fw, write(fw, 'fw/a.txt'));
    expect(crash.code).toBe(2);
    expect(crash.stderr).toContain('the guard failed (exit 1');
    const killed = await runHook(broken({ cli: join(dir, 'killed.js') }), fw, write(fw, 'fw/a.txt'));
    expect(killed.code).toBe(2);
    expect(killed.stderr).toContain('the guard failed (exit 137');
  });

  test('a hung guard ends in exit 2 before Claude Code\'s timeout, even when the environment asks for longer', async () => {
    const { command, timeout } = registered(fw, 'PreToolUse');
    const started = Date.now();
    const result = await runHook(command, fw, write(fw, 'fw/a.txt'), { COORD_HOOKS_GUARD_TEST_DELAY_MS: '60000', COORD_HOOKS_GUARD_TIMEOUT_MS: '600000' });
    const seconds = (Date.now() - started) / 1000;
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('took longer than 6 s');
    expect(seconds).toBeLessThan(timeout);
  });

  test('the shared command: coord-hooks from node_modules/.bin, else PATH; blocks when neither has it', async () => {
    const command = claudeHookCommand('claude-guard', 'shared');
    const noPath = { PATH: '/usr/bin:/bin' };
    const missing = await runHook(command, fw, write(fw, 'fw/a.txt'), noPath);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('coord-hooks is neither in');
    const bin = join(fw.dir, 'node_modules', '.bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'coord-hooks'), `#!/bin/sh\nexec '${process.execPath}' '${thisCli().cli}' "$@"\n`);
    chmodSync(join(bin, 'coord-hooks'), 0o755);
    try {
      expect(await runHook(command, fw, write(fw, 'fw/a.txt'), noPath)).toMatchObject({ code: 0, stderr: '' });
      expect((await runHook(command, fw, write(fw, 'pm/a.txt'), noPath)).code).toBe(2);
    } finally {
      removeDir(join(fw.dir, 'node_modules'));
    }
  });

  test('the session hooks never break a session: a missing CLI gives context (SessionStart) or lets it stop (Stop), exit 0', async () => {
    const gone = { cli: join(setup.root, 'gone.js') };
    const start = await runHook(broken(gone, 'claude-session-start'), fw, JSON.stringify({ hook_event_name: 'SessionStart', source: 'startup', cwd: fw.dir }));
    expect(start.code).toBe(0);
    expect(start.stdout).toContain('coord-hooks could not tell this session its team, scope and round: the coord-hooks CLI is missing');
    const stop = await runHook(broken(gone, 'claude-stop'), fw, JSON.stringify({ hook_event_name: 'Stop', stop_hook_active: false, cwd: fw.dir }));
    expect(stop).toMatchObject({ code: 0, stdout: '' });
  });
});

describe('SessionStart and Stop', () => {
  const sessionStart = (repo: Repo, source = 'startup') => runHook(registered(repo, 'SessionStart').command, repo,
    JSON.stringify({ session_id: 's1', transcript_path: join(repo.dir, '.t.jsonl'), cwd: repo.dir, hook_event_name: 'SessionStart', source }));
  const stop = (repo: Repo, active: boolean) => runHook(claudeHookCommand('claude-stop', 'local'), repo,
    JSON.stringify({ session_id: 's1', transcript_path: join(repo.dir, '.t.jsonl'), cwd: repo.dir, hook_event_name: 'Stop', stop_hook_active: active }));
  const context = (stdout: string) => {
    const output = JSON.parse(stdout);
    expect(output.hookSpecificOutput.hookEventName).toBe('SessionStart');
    return output.hookSpecificOutput.additionalContext as string;
  };

  test('registered for startup, resume, clear and compact; before any round: team and scope in words', async () => {
    expect(settingsOf(fw).hooks.SessionStart[0].matcher).toBe('startup|resume|clear|compact');
    const result = await sessionStart(fw);
    expect(result.code).toBe(0);
    const text = context(result.stdout);
    expect(text).toContain('this session works for team fw (policy from origin/main, fw/CLAUDE.md)');
    expect(text).toContain('You may write only: fw/, experiments/x/.');
    expect(text).toContain('Not on a round branch of team fw');
    expect(text).toContain('No unanswered announcement for team fw.');
  });

  test('an announcement reaches the session at start (from the remote, fetched), on its round branch and after compaction', async () => {
    const announced = await run(setup.architect, 'announce', '--team', 'fw,pm', '--round', '1', '--message', 'Round 1: make the engine 2x faster.');
    expect(announced.code).toBe(0);
    const text = context((await sessionStart(fw)).stdout);
    expect(text).toContain('Current announcement for team fw, round 1 (rounds/1/fw/ANNOUNCEMENT.md on origin/fw/round-1), not answered yet:');
    expect(text).toContain('Round 1: make the engine 2x faster.');
    expect(text).toContain('git switch fw/round-1');

    fw.git(['switch', '-q', 'fw/round-1']);
    const compacted = context((await sessionStart(fw, 'compact')).stdout);
    expect(compacted).toContain('Round branch: fw/round-1 (checked out)');
    expect(compacted).toContain('Round 1: make the engine 2x faster.');
    expect(compacted).not.toContain('git switch');
    expect(compacted).toContain('coord-hooks reply -m');
  });

  test('Stop: nothing new → the session stops; a new announcement → block with its text, once', async () => {
    // Round 1 was handed at session start: stopping is fine.
    expect(await stop(fw, false)).toMatchObject({ code: 0, stdout: '' });
    const announced = await run(setup.architect, 'announce', '--team', 'fw', '--round', '2', '--message', 'Round 2: document the cache.');
    expect(announced.code).toBe(0);
    const blocked = await stop(fw, false);
    expect(blocked.code).toBe(0);
    const output = JSON.parse(blocked.stdout);
    expect(output.decision).toBe('block');
    expect(output.reason).toContain('a new announcement for team fw, round 2');
    expect(output.reason).toContain('Round 2: document the cache.');
    expect(output.reason).toContain('git switch fw/round-2');
    // Claude Code continues the session and, when it wants to stop again, says stop_hook_active: allowed now.
    expect(await stop(fw, true)).toMatchObject({ code: 0, stdout: '' });
    expect(await stop(fw, false)).toMatchObject({ code: 0, stdout: '' });
  });

  test('a reply answers the announcement: no longer current', async () => {
    fw.commit('engine: faster', { 'fw/engine.txt': 'fast\n' });
    const replied = await run(fw, 'reply', '--message', 'Done: 2.3x.');
    expect(replied.code).toBe(0);
    const text = context((await sessionStart(fw, 'resume')).stdout);
    expect(text).toContain('Current announcement for team fw, round 2');
    expect(text).not.toContain('Round 1: make the engine');
  });

  test('--wait-for-announcements registers Stop; a clone without a team gets a context saying so, exit 0', async () => {
    const waited = await run(pm, 'install', '--claude', '--wait-for-announcements');
    expect(waited.code).toBe(0);
    expect(settingsOf(pm).hooks.Stop[0].hooks[0]).toMatchObject({ timeout: 30 });
    expect(settingsOf(fw).hooks.Stop).toBeUndefined();
    const stranger = setup.clone('stranger');
    const result = await runHook(claudeHookCommand('claude-session-start', 'local'), stranger, JSON.stringify({ hook_event_name: 'SessionStart', source: 'startup', cwd: stranger.dir }));
    expect(result.code).toBe(0);
    expect(context(result.stdout)).toContain('cannot tell which team');
  });
});

describe('post-merge keeps the settings in step with the policy', () => {
  test('a pulled policy change that narrows the read scope rewrites settings.local.json (reads guarded; the Stop hook kept)', () => {
    const before = settingsOf(pm);
    expect(before.hooks.PreToolUse[0].matcher).not.toContain('Read');
    const architect = setup.architect;
    architect.git(['fetch', '-q', 'origin']);
    architect.git(['reset', '-q', '--hard', 'origin/main']);
    architect.write('pm/CLAUDE.md', '---\nscope:\n  write: ["pm/"]\n  read: ["pm/", "shared/"]\n---\n# pm\n').git(['add', '-A']);
    architect.git(['commit', '-q', '-m', 'pm reads less']);
    architect.git(['push', '-q', 'origin', 'main']);
    const pulled = pm.tryGit(['pull', '--no-rebase', 'origin', 'main']);
    expect(pulled.code).toBe(0);
    expect(pulled.stderr).toContain('Claude Code settings rewritten for the new policy');
    const after = settingsOf(pm);
    expect(after.hooks.PreToolUse[0].matcher).toContain('|Read|Glob|Grep|LSP');
    expect(after.hooks.Stop).toEqual(before.hooks.Stop);
  });
});
