/**
 * Registering coord-hooks in Claude Code's settings: `.claude/settings.local.json` (merged, idempotent,
 * removable, kept out of git through info/exclude), old installs moved out of `.claude/settings.json`,
 * the shared file, the sandbox block, and never clobbering a broken file.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { CoordError } from '../../core/errors';
import { claudeHookCommand, ourHookName } from '../../hooks/claude-command';
import {
  EXCLUDE_LINE, installClaudeSettings, installSharedClaudeSettings, isGuardCommand, isSharedCommand, uninstallClaudeSettings, withSandboxBlock,
  type ClaudeSandboxBlock,
} from '../../hooks/claude-settings';
import { initRepo, isolatedEnv, removeDir, tempDir, type Repo } from '../../fixtures/repo';

let root: string;
let repo: Repo;
let local: string;
let shared: string;
const guard = claudeHookCommand('claude-guard', 'local');
const sessionStart = claudeHookCommand('claude-session-start', 'local');
const stop = claudeHookCommand('claude-stop', 'local');
const WRITES = 'Write|Edit|MultiEdit|NotebookEdit|Bash|PowerShell|Monitor|mcp__.*';
const READS = 'Read|Glob|Grep|LSP';
const guardGroup = (matcher = WRITES) => ({ matcher, hooks: [{ type: 'command', command: guard, timeout: 10, onFailure: 'block' }] });
const startGroup = { matcher: 'startup|resume|clear|compact', hooks: [{ type: 'command', command: sessionStart, timeout: 20 }] };

const FOREIGN = {
  model: 'opus',
  permissions: { allow: ['Bash(npm test)'], deny: ['Bash(rm -rf:*)'] },
  hooks: {
    PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: './scripts/lint-bash.sh' }] }],
    PostToolUse: [{ matcher: 'Write', hooks: [{ type: 'command', command: 'prettier --write' }] }],
  },
};
/** What the guard command looked like before settings.local.json (an older install). */
const OLD_GUARD = `'${process.execPath}' '/old/place/node_modules/coord-hooks/dist/cli/main.js' hook claude-guard`;

beforeEach(() => {
  root = tempDir('coord-hooks-claude-');
  repo = initRepo(join(root, 'clone'), isolatedEnv(join(root, 'home')));
  local = join(repo.dir, '.claude', 'settings.local.json');
  shared = join(repo.dir, '.claude', 'settings.json');
});

afterEach(() => removeDir(root));

const read = (path = local) => JSON.parse(readFileSync(path, 'utf8'));
const write = (path: string, value: unknown) => {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
};
const exclude = () => readFileSync(join(repo.dir, '.git', 'info', 'exclude'), 'utf8');

describe('commands', () => {
  test('local commands hold absolute paths of node and this package\'s CLI, and are recognised as ours', () => {
    expect(guard).toContain(`NODE='${process.execPath}'; CLI='${join(__dirname, '..', '..', 'dist', 'cli', 'main.js')}'`);
    expect(guard).toContain('"$NODE" "$CLI" hook claude-guard');
    expect([guard, sessionStart, stop].map(ourHookName)).toEqual(['claude-guard', 'claude-session-start', 'claude-stop']);
    expect(isGuardCommand(guard)).toBe(true);
    expect(isGuardCommand(OLD_GUARD)).toBe(true);
    expect(isGuardCommand('npx coord-hooks hook claude-guard')).toBe(true);
    expect(isGuardCommand('./scripts/lint-bash.sh')).toBe(false);
    expect(isGuardCommand('other-tool hook claude-guard')).toBe(false);
    expect(isSharedCommand(guard)).toBe(false);
  });

  test('shared commands hold no machine path', () => {
    const portable = claudeHookCommand('claude-guard', 'shared');
    expect(portable).not.toContain(process.execPath);
    expect(portable).not.toContain(root);
    expect(portable).toContain('${CLAUDE_PROJECT_DIR:-.}/node_modules/.bin/coord-hooks');
    expect(isSharedCommand(portable)).toBe(true);
    expect(ourHookName(portable)).toBe('claude-guard');
  });
});

describe('settings.local.json', () => {
  test('created at the top of the work tree from a subdirectory; the file is excluded from git', async () => {
    mkdirSync(join(repo.dir, 'fw', 'deep'), { recursive: true });
    const summary = await installClaudeSettings(join(repo.dir, 'fw', 'deep'), { team: 'fw', readScopeNarrow: false });
    expect(summary).toMatchObject({ settingsPath: local, action: 'created', team: 'fw', excluded: 'added', flavour: 'local' });
    expect(read()).toEqual({ hooks: { PreToolUse: [guardGroup()], SessionStart: [startGroup] } });
    expect(exclude()).toContain(`\n${EXCLUDE_LINE}\n`);
    expect(existsSync(shared)).toBe(false);
    // git add -A never stages it.
    repo.git(['add', '-A']);
    expect(repo.git(['status', '--porcelain', '--ignored'])).toContain('!! .claude/');
    expect(repo.git(['diff', '--cached', '--name-only'])).toBe('');
  });

  test('a linked worktree gets its own settings.local.json; the exclude line goes to the common git directory, once', async () => {
    repo.commit('init', { 'README.md': 'x\n' });
    repo.git(['worktree', 'add', '-q', '-b', 'fw/round-1', join(root, 'wt')]);
    await installClaudeSettings(repo.dir, { readScopeNarrow: false });
    const summary = await installClaudeSettings(join(root, 'wt'), { readScopeNarrow: false });
    expect(summary).toMatchObject({ settingsPath: join(root, 'wt', '.claude', 'settings.local.json'), excluded: 'present' });
    expect(exclude().split(EXCLUDE_LINE)).toHaveLength(2);
    expect(existsSync(join(repo.dir, '.git', 'worktrees', 'wt', 'info', 'exclude'))).toBe(false);
  });

  test('merges into existing settings, keeping every foreign key and hook; reads are guarded for a narrow read scope', async () => {
    write(local, FOREIGN);
    expect((await installClaudeSettings(repo.dir, { readScopeNarrow: true })).action).toBe('updated');
    expect(read()).toEqual({
      ...FOREIGN,
      hooks: { ...FOREIGN.hooks, PreToolUse: [FOREIGN.hooks.PreToolUse[0], guardGroup(`${WRITES}|${READS}`)], SessionStart: [startGroup] },
    });
  });

  test('idempotent; our entries are updated in place; the Stop hook only on request', async () => {
    write(local, FOREIGN);
    await installClaudeSettings(repo.dir, { readScopeNarrow: false });
    const first = readFileSync(local, 'utf8');
    expect((await installClaudeSettings(repo.dir, { readScopeNarrow: false })).action).toBe('unchanged');
    expect(readFileSync(local, 'utf8')).toBe(first);
    expect(exclude().split(EXCLUDE_LINE)).toHaveLength(2);

    expect((await installClaudeSettings(repo.dir, { readScopeNarrow: true, waitForAnnouncements: true })).action).toBe('updated');
    const settings = read();
    expect(settings.hooks.PreToolUse).toEqual([FOREIGN.hooks.PreToolUse[0], guardGroup(`${WRITES}|${READS}`)]);
    expect(settings.hooks.Stop).toEqual([{ hooks: [{ type: 'command', command: stop, timeout: 30 }] }]);
    await installClaudeSettings(repo.dir, { readScopeNarrow: false });
    expect(read().hooks.Stop).toBeUndefined();
    expect(readFileSync(local, 'utf8')).toBe(first);
  });

  test('uninstall removes only ours (a foreign hook sharing our group stays) and leaves the exclude line', async () => {
    write(local, FOREIGN);
    await installClaudeSettings(repo.dir, { readScopeNarrow: false, waitForAnnouncements: true });
    const settings = read();
    settings.hooks.PreToolUse[1].hooks.push({ type: 'command', command: 'echo mine' });
    write(local, settings);
    expect((await uninstallClaudeSettings(repo.dir))[0]).toMatchObject({ settingsPath: local, action: 'removed' });
    expect(read()).toEqual({
      ...FOREIGN,
      hooks: { ...FOREIGN.hooks, PreToolUse: [FOREIGN.hooks.PreToolUse[0], { matcher: WRITES, hooks: [{ type: 'command', command: 'echo mine' }] }] },
    });
    expect((await uninstallClaudeSettings(repo.dir))[0].action).toBe('absent');
    expect(exclude()).toContain(EXCLUDE_LINE);
  });

  test('uninstall after a fresh install leaves no empty hooks behind; without a file it does nothing', async () => {
    expect((await uninstallClaudeSettings(repo.dir))[0].action).toBe('absent');
    expect(existsSync(local)).toBe(false);
    await installClaudeSettings(repo.dir, { readScopeNarrow: false });
    await uninstallClaudeSettings(repo.dir);
    expect(read()).toEqual({});
  });
});

describe('settings.json: older installs and the shared file', () => {
  test('an older install\'s guard in settings.json moves to settings.local.json; the rest of settings.json stays', async () => {
    write(shared, { ...FOREIGN, hooks: { ...FOREIGN.hooks, PreToolUse: [...FOREIGN.hooks.PreToolUse, { matcher: 'Write|Edit', hooks: [{ type: 'command', command: OLD_GUARD, timeout: 10 }] }] } });
    const summary = await installClaudeSettings(repo.dir, { readScopeNarrow: false });
    expect(summary.migrated).toContain(`out of ${shared}`);
    expect(read(shared)).toEqual(FOREIGN);
    expect(read().hooks.PreToolUse).toEqual([guardGroup()]);
    expect((await installClaudeSettings(repo.dir, { readScopeNarrow: false })).migrated).toBeUndefined();
  });

  test('--shared writes portable entries; a local install then leaves SessionStart to it and says both guards run', async () => {
    write(shared, FOREIGN);
    const summary = await installSharedClaudeSettings(repo.dir);
    expect(summary).toMatchObject({ settingsPath: shared, action: 'updated', flavour: 'shared' });
    const portable = read(shared);
    expect(portable.hooks.PreToolUse[1]).toEqual({ matcher: `${WRITES}|${READS}`, hooks: [{ type: 'command', command: claudeHookCommand('claude-guard', 'shared'), timeout: 10, onFailure: 'block' }] });
    expect(portable.hooks.SessionStart).toEqual([{ matcher: 'startup|resume|clear|compact', hooks: [{ type: 'command', command: claudeHookCommand('claude-session-start', 'shared'), timeout: 20 }] }]);
    expect(JSON.stringify(portable)).not.toContain(process.execPath);
    expect((await installSharedClaudeSettings(repo.dir)).action).toBe('unchanged');

    const localSummary = await installClaudeSettings(repo.dir, { readScopeNarrow: false });
    expect(localSummary).toMatchObject({ sharedAlso: true, migrated: undefined });
    expect(read()).toEqual({ hooks: { PreToolUse: [guardGroup()] } });
    expect(read(shared)).toEqual(portable); // the shared entries are the architect's: a local install keeps them

    expect((await uninstallClaudeSettings(repo.dir)).map((removal) => removal.settingsPath)).toEqual([local]);
    expect(read(shared)).toEqual(portable);
    expect((await uninstallClaudeSettings(repo.dir, { shared: true }))[0]).toMatchObject({ settingsPath: shared, action: 'removed' });
    expect(read(shared)).toEqual(FOREIGN);
  });
});

describe('the sandbox block (sandbox/ claudeSandboxSettings is merged through withSandboxBlock)', () => {
  const block = (dir: string): ClaudeSandboxBlock => ({
    sandbox: { enabled: true, failIfUnavailable: true, allowUnsandboxedCommands: false, filesystem: { allowWrite: [`${dir}/fw`], denyWrite: [`${dir}/.coord`] } },
    permissions: { deny: [`Edit(/${dir}/pm/**)`, 'Bash(rm -rf:*)'] },
  });

  test('withSandboxBlock replaces "sandbox" and adds permission rules after the user\'s, without duplicates', () => {
    const merged = withSandboxBlock({ ...FOREIGN, sandbox: { enabled: false } }, block('/r'));
    expect(merged.sandbox).toEqual(block('/r').sandbox);
    expect(merged.permissions).toEqual({ allow: ['Bash(npm test)'], deny: ['Bash(rm -rf:*)', 'Edit(//r/pm/**)'] });
    expect(withSandboxBlock(FOREIGN, null)).toBe(FOREIGN);
  });

  test('install writes it, a re-install replaces ours, uninstall takes ours out and keeps the user\'s rules', async () => {
    write(local, FOREIGN);
    expect((await installClaudeSettings(repo.dir, { readScopeNarrow: false, sandbox: block('/one') })).sandbox).toBe('written');
    expect(read().sandbox).toEqual(block('/one').sandbox);
    expect(read().permissions.deny).toEqual(['Bash(rm -rf:*)', 'Edit(//one/pm/**)']);
    await installClaudeSettings(repo.dir, { readScopeNarrow: false, sandbox: block('/two') });
    expect(read().permissions.deny).toEqual(['Bash(rm -rf:*)', 'Edit(//two/pm/**)']);
    expect(read().sandbox.filesystem.allowWrite).toEqual(['/two/fw']);
    await uninstallClaudeSettings(repo.dir);
    expect(read()).toEqual(FOREIGN);
  });

  test('a sandbox changed by hand since is left in place at uninstall, with a note', async () => {
    await installClaudeSettings(repo.dir, { readScopeNarrow: false, sandbox: block('/one') });
    write(local, { ...read(), sandbox: { enabled: true } });
    const [removal] = await uninstallClaudeSettings(repo.dir);
    expect(removal.notes.join()).toContain('changed by hand');
    expect(read()).toEqual({ sandbox: { enabled: true } });
  });
});

test('an unparsable or misshapen settings file is refused and left untouched', async () => {
  for (const broken of ['{ "hooks": { ', '[1, 2]', '{"hooks": []}', '{"hooks": {"PreToolUse": {}}}', '{"hooks": {"SessionStart": 1}}', '{"permissions": []}']) {
    write(local, broken);
    const error = await installClaudeSettings(repo.dir, { readScopeNarrow: false }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CoordError);
    expect((error as CoordError).message).toContain(local);
    expect((error as CoordError).hint).toMatch(/fix the file by hand/);
    expect(readFileSync(local, 'utf8')).toBe(broken);
    await expect(uninstallClaudeSettings(repo.dir)).rejects.toBeInstanceOf(CoordError);
  }
});

test('outside a work tree it says so', async () => {
  await expect(installClaudeSettings(root, { readScopeNarrow: false })).rejects.toThrow(/not inside a git work tree/);
});
