/**
 * End to end with the real Claude Code CLI (scripts/system-deps.sh pins it) against a scripted
 * stand-in for the Anthropic Messages API on 127.0.0.1 (fixtures/claude/stand-in.ts): the "model"
 * asks for tool calls, Claude Code runs them through the hooks `coord-hooks install --claude` put in
 * the clone, and the test looks at the work tree, the server and what Claude Code sent back.
 *
 * Clones are configured only as a user would: the built CLI (`node dist/cli/main.js`) run as a
 * process, `install --team fw` then `install --claude`. Claude Code runs with
 * `--permission-mode bypassPermissions`, so no permission prompt stops anything: coord-hooks is the gate.
 *
 * Which blocks need what (issue 13):
 * - "harness" and "the guard in a team clone": pass on the guard as it is. If "harness" fails, the
 *   stand-in or Claude Code's start-up is at fault, not coord-hooks.
 * - "git from the agent's Bash": needs helper F (settings in .claude/settings.local.json, excluded
 *   from git, so `git add -A` does not stage them) and, once the sandbox is on, G's git rules.
 * - "programs run from Bash": needs helper G's sandbox settings, written by F's installer.
 * - "the session knows its round": needs helper F's SessionStart hook.
 * - "Claude Code's own files": needs F (writes under ~/.claude are not the repository's business).
 * - "fails closed": needs helper F's registered command (blocks when the CLI is missing or hangs) and
 *   a guard deadline below the registered timeout whatever COORD_HOOKS_GUARD_TIMEOUT_MS says.
 * A missing Claude Code CLI is a failing test naming `bash scripts/system-deps.sh`, never a skip.
 */
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { join } from 'path';
import { packageInfo } from '../../core/package-info';
import { runProcess } from '../../core/process';
import { claudeMissing, describeRun, runClaude, type ClaudeRun } from '../../fixtures/claude/run';
import { SCRIPT_DONE, startStandIn, type StandIn, type Turn } from '../../fixtures/claude/stand-in';
import { initRepo, isolatedEnv, removeDir, tempDir, type Repo } from '../../fixtures/repo';
import { makeSetup, type Setup } from '../../fixtures/server';
import { describeInstalled } from '../../fixtures/prerequisites';
import { findProgram } from '../../fixtures/transports/common';

jest.setTimeout(120000);

const missing = claudeMissing();

const CLI = join(packageInfo().root, 'dist', 'cli', 'main.js');
const ANNOUNCEMENT = 'Round 1: make the engine twice as fast (e2e announcement 7f3a).';

let setup: Setup;
const standIns: StandIn[] = [];

/** Runs the built coord-hooks CLI as a process, as a user would; fails the test on a non-zero exit. */
async function coordHooks(repo: Repo, args: string[], cli = CLI): Promise<string> {
  const result = await runProcess(process.execPath, [cli, ...args], { cwd: repo.dir, env: repo.env, timeoutMs: 60000 });
  if (result.code !== 0) throw new Error(`coord-hooks ${args.join(' ')} exited ${result.code}\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

/** A new clone of the team set-up for fw, configured only by `install --team fw` and `install --claude`. */
async function fwClone(name: string, cli = CLI): Promise<Repo> {
  const repo = setup.clone(name);
  await coordHooks(repo, ['install', '--team', 'fw'], cli);
  await coordHooks(repo, ['install', '--claude'], cli);
  return repo;
}

interface Session {
  run: ClaudeRun;
  standIn: StandIn;
  /** For failure messages. */
  story: string;
}

/** One Claude Code session in `repo` with the scripted turns; the session ends after them. */
async function session(repo: Repo | { dir: string; env: NodeJS.ProcessEnv }, turns: Turn[], extraEnv: NodeJS.ProcessEnv = {}, home?: string): Promise<Session> {
  const standIn = await startStandIn({ turns: [...turns, { text: 'Finished.' }] });
  standIns.push(standIn);
  const run = await runClaude({ cwd: repo.dir, env: repo.env, standIn, extraEnv, home });
  const story = describeRun(run, standIn);
  await standIn.close();
  return { run, standIn, story };
}

/** The session ran to its end: exit 0, every scripted turn used, the final text reached. */
function expectCompleted({ run, standIn, story }: Session): void {
  expect({ code: run.code, remaining: standIn.remaining(), story }).toEqual({ code: 0, remaining: 0, story });
  expect(run.init?.permissionMode).toBe('bypassPermissions');
}

/** The tool's n-th call ran: its tool_result is not an error (else the test shows the result's text). */
function expectRan({ standIn, story }: Session, tool: string, nth = 0): void {
  const result = standIn.resultOf(tool, nth);
  expect(result ? (result.isError ? `error: ${result.text}` : 'ran') : `no result for ${tool}\n${story}`).toBe('ran');
}

/** The tool's n-th call was refused: its tool_result is an error; returns its text. */
function refusal({ standIn, story }: Session, tool: string, nth = 0): string {
  const result = standIn.resultOf(tool, nth);
  expect(result ? (result.isError ? 'refused' : `ran: ${result.text}`) : `no result for ${tool}\n${story}`).toBe('refused');
  return result?.text ?? '';
}

const write = (file_path: string, content = 'written by the agent\n'): Turn => ({ tools: [{ name: 'Write', input: { file_path, content } }] });
const bash = (command: string): Turn => ({ tools: [{ name: 'Bash', input: { command, description: 'scripted command' } }] });

/**
 * A directory holding a `git` in front of the real one that stalls 30 s only when the guard calls it
 * (its parent is `… hook claude-guard`, or the warm process `… warm serve` that answers the guard):
 * Claude Code's own git calls and the agent's stay fast.
 */
function slowGitBin(): string {
  const bin = join(setup.root, 'slow-git-bin');
  if (existsSync(join(bin, 'git'))) return bin;
  mkdirSync(bin, { recursive: true });
  const realGit = findProgram('git');
  if (!realGit) throw new Error('git is not on PATH');
  writeFileSync(join(bin, 'git'), `#!/bin/sh\nif tr '\\0' ' ' < /proc/$PPID/cmdline 2>/dev/null | grep -qE 'hook claude-guard|warm serve'; then sleep 30; fi\nexec '${realGit}' "$@"\n`);
  chmodSync(join(bin, 'git'), 0o755);
  return bin;
}

afterAll(async () => {
  await Promise.all(standIns.map((standIn) => standIn.close()));
  if (setup) removeDir(setup.root);
});

describeInstalled(missing, 'harness: the stand-in drives Claude Code (no coord-hooks)', () => {
  test('a scripted Write in a scratch repository without hooks writes the file; requests and results are recorded', async () => {
    const dir = tempDir('coord-hooks-claude-scratch-');
    try {
      const env = isolatedEnv(join(dir, 'home'));
      const scratch = initRepo(join(dir, 'work'), env);
      const target = join(scratch.dir, 'hello.txt');
      const result = await session(scratch, [write(target, 'hello\n')]);
      expectCompleted(result);
      expect(readFileSync(target, 'utf8')).toBe('hello\n');
      const first = result.standIn.mainRequests()[0];
      expect(first.headers['x-api-key']).toBe('test-key');
      expect(JSON.stringify((first.body as { messages: unknown }).messages)).toContain('Do the scripted task.');
      expectRan(result, 'Write');
      expect(result.standIn.resultOf('Write')?.text).toMatch(/File created successfully/);
      expect(result.run.result).toMatchObject({ subtype: 'success', result: 'Finished.' });
      expect(result.standIn.unknown()).toEqual([]);
      expect(result.run.events.some((event) => event.type === 'assistant')).toBe(true);
      // Side requests (no Write/Bash tools offered) never consume the script.
      expect(result.standIn.mainRequests().every((request) => JSON.stringify(request.body).includes('"Write"'))).toBe(true);
      expect(result.run.result?.result).not.toBe(SCRIPT_DONE);
    } finally {
      removeDir(dir);
    }
  });
});

describeInstalled(missing, 'with a team clone (install --team fw, install --claude)', () => {
  let fw: Repo;

  beforeAll(async () => {
    setup = await makeSetup();
    await coordHooks(setup.architect, ['announce', '--team', 'fw', '--round', '1', '--message', ANNOUNCEMENT]);
    fw = await fwClone('fw');
  });

  describe('the guard in a team clone', () => {
    test('(a) Write inside the scope: the file is written', async () => {
      const result = await session(fw, [write(join(fw.dir, 'fw/ok.txt'), 'ok\n')]);
      expectCompleted(result);
      expect(readFileSync(join(fw.dir, 'fw/ok.txt'), 'utf8')).toBe('ok\n');
      expectRan(result, 'Write');
    });

    test('(b) Write outside the scope: blocked in bypassPermissions mode, the file absent, the result says why', async () => {
      const result = await session(fw, [write(join(fw.dir, 'pm/x.txt'))]);
      expectCompleted(result);
      expect(existsSync(join(fw.dir, 'pm/x.txt'))).toBe(false);
      // Exit 2 from a PreToolUse hook reaches the model as "PreToolUse:Write hook error: [command]: stderr".
      const text = refusal(result, 'Write');
      expect(text).toMatch(/PreToolUse:Write hook error/);
      expect(text).toContain('coord-hooks guard: blocked Write to pm/x.txt');
      expect(text).toContain("outside team fw's write scope");
    });

    test('(c) Edit of a file outside the scope (read first, as Claude Code requires): blocked, the file unchanged', async () => {
      const target = join(fw.dir, 'pm/README.md');
      const before = readFileSync(target, 'utf8');
      const result = await session(fw, [
        { tools: [{ name: 'Read', input: { file_path: target } }] },
        { tools: [{ name: 'Edit', input: { file_path: target, old_string: 'product', new_string: 'taken over by fw' } }] },
      ]);
      expectCompleted(result);
      expect(readFileSync(target, 'utf8')).toBe(before);
      expectRan(result, 'Read');
      expect(refusal(result, 'Edit')).toContain('coord-hooks guard: blocked Edit to pm/README.md');
    });

    test('(g0) a slow git (the guard stalls): the guard\'s own deadline blocks an in-scope Write', async () => {
      const result = await session(fw, [write(join(fw.dir, 'fw/slow.txt'))], { PATH: `${slowGitBin()}:${fw.env.PATH ?? ''}` });
      expectCompleted(result);
      expect(existsSync(join(fw.dir, 'fw/slow.txt'))).toBe(false);
      expect(refusal(result, 'Write')).toMatch(/coord-hooks guard: the check took longer than \d+ s/);
    });
  });

  describe('git from the agent\'s Bash (needs F: settings.local.json excluded from git)', () => {
    test('(d) an in-scope Write, then `git add -A && git commit && git push`: the server has the branch', async () => {
      const repo = await fwClone('fw-git');
      const result = await session(repo, [
        write(join(repo.dir, 'fw/e2e.txt'), 'pushed by the agent\n'),
        bash('git add -A && git commit -q -m "fw: e2e" && git push -q origin HEAD:fw/e2e'),
      ]);
      expectCompleted(result);
      expectRan(result, 'Write');
      expectRan(result, 'Bash');
      expect(setup.server.git(['show', 'refs/heads/fw/e2e:fw/e2e.txt'])).toBe('pushed by the agent');
      // Only the agent's work was committed: no settings file, nothing outside the scope.
      expect(setup.server.git(['diff', '--name-only', 'main', 'refs/heads/fw/e2e'])).toBe('fw/e2e.txt');
      expect(repo.git(['status', '--porcelain'])).toBe('');
    });
  });

  describe('programs run from Bash (needs G\'s sandbox settings, written by F\'s install --claude)', () => {
    // Today these WRITE: the guard reads the command text only, and a program's own writes are not
    // text it can see. They are the target behaviour and fail until the sandbox is merged.
    let repo: Repo;
    beforeAll(async () => { repo = await fwClone('fw-sandbox'); });

    test('(e) a program run from Bash cannot write outside the scope', async () => {
      const result = await session(repo, [
        bash('python3 -c "open(\'pm/z.txt\',\'w\').write(\'x\')"; sh -c \'echo x > pm/y.txt\'; true'),
      ]);
      expectCompleted(result);
      expect({ sandbox: result.run.init?.sandbox_enabled, z: existsSync(join(repo.dir, 'pm/z.txt')), y: existsSync(join(repo.dir, 'pm/y.txt')), story: result.story })
        .toEqual({ sandbox: true, z: false, y: false, story: result.story });
    });

    test('(e) a program run from Bash cannot write a policy file or the agent settings, even inside the scope', async () => {
      const policy = join(repo.dir, 'fw/CLAUDE.md');
      const before = readFileSync(policy, 'utf8');
      const result = await session(repo, [
        bash('sh -c \'echo "scope: everything" >> fw/CLAUDE.md\'; sh -c \'echo "{}" > .claude/settings.local.json\'; sh -c \'echo "{}" > .claude/settings.json\'; true'),
      ]);
      expectCompleted(result);
      expect(readFileSync(policy, 'utf8')).toBe(before);
      for (const name of ['settings.local.json', 'settings.json']) {
        const path = join(repo.dir, '.claude', name);
        if (existsSync(path)) expect({ name, text: readFileSync(path, 'utf8') }).not.toEqual({ name, text: '{}\n' });
      }
    });

    test('(e) a program run from Bash can still write inside the scope', async () => {
      const result = await session(repo, [bash('sh -c \'echo inside > fw/program.txt\'')]);
      expectCompleted(result);
      expect(readFileSync(join(repo.dir, 'fw/program.txt'), 'utf8')).toBe('inside\n');
    });
  });

  describe('the session knows its round (needs F\'s SessionStart hook)', () => {
    test('(f) the first request to the model carries the team, its write scope, its round branch and the current announcement', async () => {
      const result = await session(fw, []);
      expectCompleted(result);
      const first = result.standIn.mainRequests()[0];
      const body = first.body as { system?: unknown; messages?: { content?: unknown }[] };
      const sent = JSON.stringify({ system: body.system, messages: body.messages });
      // What the session adds to the first user message (CLAUDE.md, git status, hook context), shortened.
      const context = (Array.isArray(body.messages?.[0]?.content) ? body.messages[0].content as { text?: string }[] : [])
        .map((block) => (block.text ?? '').slice(0, 400));
      const told = {
        team: /\bteam\W{0,3}fw\b/i.test(sent),
        scope: sent.includes('experiments/x/'),
        round: sent.includes('fw/round-1'),
        announcement: sent.includes(ANNOUNCEMENT),
      };
      expect({ ...told, context }).toEqual({ team: true, scope: true, round: true, announcement: true, context });
    });
  });

  describe('announcements reach a running session (install --claude --wait-for-announcements: the Stop hook)', () => {
    // Last in this block: it announces round 2, which changes what (f) would be told.
    test('(i) a round announced while the session works is handed to it when it would stop, once', async () => {
      const repo = setup.clone('fw-wait');
      await coordHooks(repo, ['install', '--team', 'fw']);
      await coordHooks(repo, ['install', '--claude', '--wait-for-announcements']);
      const ROUND2 = 'Round 2: now make it correct (e2e announcement 9c1d).';
      const standIn = await startStandIn({
        turns: [{ text: 'Nothing more to do for round 1.' }, { text: 'Working on round 2.' }],
        // The architect announces round 2 while the session is answering its first request.
        beforeMain: async (index) => {
          if (index === 0) await coordHooks(setup.architect, ['announce', '--team', 'fw', '--round', '2', '--message', ROUND2]);
        },
      });
      standIns.push(standIn);
      const run = await runClaude({ cwd: repo.dir, env: repo.env, standIn });
      await standIn.close();
      const sent = standIn.mainRequests().map((request) => JSON.stringify(request.body));
      const story = describeRun(run, standIn);
      expect({ requests: sent.length, story }).toEqual({ requests: 2, story });
      expect(sent[0]).not.toContain('e2e announcement 9c1d');
      expect({ handed: sent[1].includes('e2e announcement 9c1d'), story }).toEqual({ handed: true, story });
      expect(run.code).toBe(0);
    });
  });

  describe('Claude Code\'s own files (needs F: the guard leaves ~/.claude alone)', () => {
    test('(h) Write of a plan and of an auto-memory file under ~/.claude is not blocked', async () => {
      const home = tempDir('coord-hooks-claude-home-');
      const plan = join(home, '.claude', 'plans', 'e2e-plan.md');
      const memory = join(home, '.claude', 'projects', fw.dir.replace(/[^A-Za-z0-9]/g, '-'), 'memory', 'e2e-fact.md');
      try {
        const result = await session(fw, [write(plan, '# plan\n'), write(memory, '---\nname: e2e-fact\n---\nfact\n')], {}, home);
        expectCompleted(result);
        expectRan(result, 'Write', 0);
        expectRan(result, 'Write', 1);
        expect([existsSync(plan), existsSync(memory)]).toEqual([true, true]);
      } finally {
        removeDir(home);
      }
    });
  });

  describe('fails closed (needs F\'s registered command)', () => {
    /** A copy of the package (dist/ and package.json; node_modules linked) whose CLI a clone's settings point at. */
    function copyPackage(name: string): string {
      const root = join(setup.root, name);
      mkdirSync(root, { recursive: true });
      cpSync(join(packageInfo().root, 'dist'), join(root, 'dist'), { recursive: true });
      cpSync(join(packageInfo().root, 'package.json'), join(root, 'package.json'));
      symlinkSync(join(packageInfo().root, 'node_modules'), join(root, 'node_modules'));
      return root;
    }

    test('(g) the CLI the settings point at is gone: an in-scope Write is blocked, not allowed', async () => {
      const copy = copyPackage('moved-package');
      const repo = await fwClone('fw-no-cli', join(copy, 'dist', 'cli', 'main.js'));
      rmSync(join(copy, 'dist'), { recursive: true, force: true });
      const result = await session(repo, [write(join(repo.dir, 'fw/after-move.txt'))]);
      expectCompleted(result);
      expect({ written: existsSync(join(repo.dir, 'fw/after-move.txt')), story: result.story }).toEqual({ written: false, story: result.story });
      refusal(result, 'Write');
    });

    test('(g) a slow git with COORD_HOOKS_GUARD_TIMEOUT_MS=600000: the guard\'s deadline stays below the registered timeout, so it blocks', async () => {
      const repo = await fwClone('fw-slow-git');
      const result = await session(repo, [write(join(repo.dir, 'fw/after-slow-git.txt'))],
        { COORD_HOOKS_GUARD_TIMEOUT_MS: '600000', PATH: `${slowGitBin()}:${repo.env.PATH ?? ''}` });
      expectCompleted(result);
      expect({ written: existsSync(join(repo.dir, 'fw/after-slow-git.txt')), story: result.story }).toEqual({ written: false, story: result.story });
      refusal(result, 'Write');
    });

    test('(g) a guard that hangs past the registered timeout blocks, not allows', async () => {
      const copy = copyPackage('hung-package');
      const main = join(copy, 'dist', 'cli', 'main.js');
      const repo = await fwClone('fw-hung-cli', main);
      writeFileSync(main, '#!/usr/bin/env node\nsetInterval(() => undefined, 1000);\n');
      const result = await session(repo, [write(join(repo.dir, 'fw/after-hang.txt'))]);
      expectCompleted(result);
      expect({ written: existsSync(join(repo.dir, 'fw/after-hang.txt')), story: result.story }).toEqual({ written: false, story: result.story });
      refusal(result, 'Write');
    });
  });
});
