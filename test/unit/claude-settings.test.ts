/** Registering the guard in `.claude/settings.json`: merged, idempotent, removable, never clobbering a broken file. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { CoordError } from '../../core/errors';
import { guardCommand, installClaudeGuard, isGuardCommand, uninstallClaudeGuard } from '../../hooks/claude-settings';
import { initRepo, isolatedEnv, removeDir, tempDir, type Repo } from '../../fixtures/repo';

let root: string;
let repo: Repo;
let settingsFile: string;
const command = guardCommand();

const FOREIGN = {
  model: 'opus',
  permissions: { allow: ['Bash(npm test)'] },
  hooks: {
    PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: './scripts/lint-bash.sh' }] }],
    PostToolUse: [{ matcher: 'Write', hooks: [{ type: 'command', command: 'prettier --write' }] }],
  },
};

beforeEach(() => {
  root = tempDir('coord-hooks-claude-');
  repo = initRepo(join(root, 'clone'), isolatedEnv(join(root, 'home')));
  settingsFile = join(repo.dir, '.claude', 'settings.json');
});

afterEach(() => removeDir(root));

const read = () => JSON.parse(readFileSync(settingsFile, 'utf8'));
const writeSettings = (value: unknown) => {
  mkdirSync(join(repo.dir, '.claude'), { recursive: true });
  writeFileSync(settingsFile, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
};

test('guardCommand runs this package\'s CLI with absolute paths, and is recognised as ours', () => {
  expect(command).toBe(`'${process.execPath}' '${join(__dirname, '..', '..', 'dist', 'cli', 'main.js')}' hook claude-guard`);
  expect(isGuardCommand(command)).toBe(true);
  expect(isGuardCommand('npx coord-hooks hook claude-guard')).toBe(true);
  expect(isGuardCommand('./scripts/lint-bash.sh')).toBe(false);
  expect(isGuardCommand('other-tool hook claude-guard')).toBe(false);
});

test('creates the file from a subdirectory, at the top of the work tree', async () => {
  mkdirSync(join(repo.dir, 'fw', 'deep'), { recursive: true });
  const summary = await installClaudeGuard(join(repo.dir, 'fw', 'deep'), { team: 'fw', readScopeNarrow: false, command });
  expect(summary).toMatchObject({ settingsPath: settingsFile, action: 'created', matcher: 'Write|Edit|MultiEdit|NotebookEdit|Bash', team: 'fw' });
  expect(read()).toEqual({ hooks: { PreToolUse: [{ matcher: 'Write|Edit|MultiEdit|NotebookEdit|Bash', hooks: [{ type: 'command', command, timeout: 10 }] }] } });
});

test('merges into existing settings, keeping every foreign key and hook', async () => {
  writeSettings(FOREIGN);
  const summary = await installClaudeGuard(repo.dir, { readScopeNarrow: true, command });
  expect(summary.action).toBe('updated');
  const settings = read();
  expect(settings.model).toBe('opus');
  expect(settings.permissions).toEqual(FOREIGN.permissions);
  expect(settings.hooks.PostToolUse).toEqual(FOREIGN.hooks.PostToolUse);
  expect(settings.hooks.PreToolUse).toEqual([
    FOREIGN.hooks.PreToolUse[0],
    { matcher: 'Write|Edit|MultiEdit|NotebookEdit|Bash|Read|Glob|Grep', hooks: [{ type: 'command', command, timeout: 10 }] },
  ]);
});

test('is idempotent, and updates our entry in place when the options change', async () => {
  writeSettings(FOREIGN);
  await installClaudeGuard(repo.dir, { readScopeNarrow: false, command });
  const first = readFileSync(settingsFile, 'utf8');
  expect((await installClaudeGuard(repo.dir, { readScopeNarrow: false, command })).action).toBe('unchanged');
  expect(readFileSync(settingsFile, 'utf8')).toBe(first);

  expect((await installClaudeGuard(repo.dir, { readScopeNarrow: true, command })).action).toBe('updated');
  const ours = read().hooks.PreToolUse.filter((group: { hooks: { command: string }[] }) => group.hooks.some((hook) => isGuardCommand(hook.command)));
  expect(ours).toHaveLength(1);
  expect(ours[0].matcher).toContain('Read|Glob|Grep');
  expect(read().hooks.PreToolUse[0]).toEqual(FOREIGN.hooks.PreToolUse[0]);
});

test('uninstall removes only our entry, and a foreign hook sharing our group stays', async () => {
  writeSettings(FOREIGN);
  await installClaudeGuard(repo.dir, { readScopeNarrow: false, command });
  const settings = read();
  settings.hooks.PreToolUse[1].hooks.push({ type: 'command', command: 'echo mine' });
  writeSettings(settings);
  expect((await uninstallClaudeGuard(repo.dir)).action).toBe('removed');
  expect(read()).toEqual({
    ...FOREIGN,
    hooks: { ...FOREIGN.hooks, PreToolUse: [FOREIGN.hooks.PreToolUse[0], { matcher: 'Write|Edit|MultiEdit|NotebookEdit|Bash', hooks: [{ type: 'command', command: 'echo mine' }] }] },
  });
  expect((await uninstallClaudeGuard(repo.dir)).action).toBe('absent');
});

test('uninstall after a fresh install leaves no empty hooks behind; without a file it does nothing', async () => {
  expect((await uninstallClaudeGuard(repo.dir)).action).toBe('absent');
  expect(existsSync(settingsFile)).toBe(false);
  await installClaudeGuard(repo.dir, { readScopeNarrow: false, command });
  await uninstallClaudeGuard(repo.dir);
  expect(read()).toEqual({});
});

test('an unparsable or misshapen settings.json is refused and left untouched', async () => {
  for (const broken of ['{ "hooks": { ', '[1, 2]', '{"hooks": []}', '{"hooks": {"PreToolUse": {}}}']) {
    writeSettings(broken);
    const error = await installClaudeGuard(repo.dir, { readScopeNarrow: false, command }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CoordError);
    expect((error as CoordError).message).toContain(settingsFile);
    expect((error as CoordError).hint).toMatch(/fix the file by hand/);
    expect(readFileSync(settingsFile, 'utf8')).toBe(broken);
    await expect(uninstallClaudeGuard(repo.dir)).rejects.toBeInstanceOf(CoordError);
  }
});

test('outside a work tree it says so', async () => {
  await expect(installClaudeGuard(root, { readScopeNarrow: false, command })).rejects.toThrow(/not inside a git work tree/);
});
