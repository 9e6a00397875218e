/** Tool settings (not policy), found with cosmiconfig from a directory up to the top of the work tree. */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { git } from '../../git/run';
import { DEFAULT_SETTINGS, loadSettings, validateSettings } from '../../policy/settings';
import { CoordError } from '../../core/errors';

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function write(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

/** A work tree at <outer>/repo with `files` in it, and `outside` files in <outer>. */
async function workTree(files: Record<string, string>, outside: Record<string, string> = {}): Promise<string> {
  const outer = realpathSync(mkdtempSync(join(tmpdir(), 'coord-settings-')));
  dirs.push(outer);
  const root = join(outer, 'repo');
  mkdirSync(join(root, 'sub', 'deeper'), { recursive: true });
  await git(['init', '-q'], { cwd: root });
  write(outer, outside);
  write(root, files);
  return root;
}

describe('loadSettings', () => {
  it('returns the defaults when no settings file exists', async () => {
    const root = await workTree({});
    expect(await loadSettings(join(root, 'sub'))).toEqual({ settings: { remote: 'origin', pollInterval: 5 }, file: null });
    expect(DEFAULT_SETTINGS).toEqual({ remote: 'origin', pollInterval: 5 });
  });

  it('finds .coord-hooksrc.json at the top from a subdirectory', async () => {
    const root = await workTree({ '.coord-hooksrc.json': '{"remote": "upstream", "pollInterval": 2, "team": "fw"}\n' });
    expect(await loadSettings(join(root, 'sub', 'deeper'))).toEqual({
      settings: { remote: 'upstream', pollInterval: 2, team: 'fw' }, file: join(root, '.coord-hooksrc.json') });
  });

  it('reads the "coord-hooks" key of package.json, YAML rc files and JS config files; the nearest wins', async () => {
    const root = await workTree({
      'package.json': JSON.stringify({ name: 'x', 'coord-hooks': { team: 'pm' } }),
      'sub/.coord-hooksrc': 'remote: fork\npollInterval: 0.5\n',
      'sub/deeper/coord-hooks.config.js': 'module.exports = { team: "qa" };\n',
    });
    expect(await loadSettings(root)).toMatchObject({ settings: { team: 'pm', remote: 'origin' }, file: join(root, 'package.json') });
    expect(await loadSettings(join(root, 'sub'))).toMatchObject({ settings: { remote: 'fork', pollInterval: 0.5 } });
    expect(await loadSettings(join(root, 'sub', 'deeper'))).toMatchObject({ settings: { team: 'qa' }, file: join(root, 'sub', 'deeper', 'coord-hooks.config.js') });
  });

  it('ignores a package.json without the key and keeps searching up', async () => {
    const root = await workTree({ 'sub/package.json': '{"name": "sub"}', '.coord-hooksrc.yaml': 'team: fw\n' });
    expect((await loadSettings(join(root, 'sub'))).settings.team).toBe('fw');
  });

  it('stops at the top of the work tree', async () => {
    const root = await workTree({}, { '.coord-hooksrc.json': '{"remote": "outside"}' });
    expect(await loadSettings(join(root, 'sub'))).toEqual({ settings: { remote: 'origin', pollInterval: 5 }, file: null });
  });

  it('reports unknown keys and bad values with the file, all at once (exit 2)', async () => {
    const root = await workTree({ '.coord-hooksrc.json': '{"remot": "x", "pollInterval": "5", "team": "Fw", "colour": 1}' });
    const error = await loadSettings(root).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CoordError);
    const message = (error as CoordError).message;
    const file = join(root, '.coord-hooksrc.json');
    expect((error as CoordError).exitCode).toBe(2);
    expect(message).toContain(`${file}: unknown key "remot"; did you mean "remote"?`);
    expect(message).toContain(`${file}: "pollInterval" must be a number of seconds`);
    expect(message).toContain(`${file}: "team" must be a team name`);
    expect(message).toContain(`${file}: unknown key "colour" (known keys: remote, pollInterval, team)`);
  });

  it('reports a settings file that does not parse, naming it', async () => {
    const root = await workTree({ '.coord-hooksrc.json': '{"remote": ' });
    await expect(loadSettings(root)).rejects.toThrow(join(root, '.coord-hooksrc.json'));
  });
});

describe('validateSettings', () => {
  it('rejects a value that is not an object', () => {
    expect(() => validateSettings(['origin'], 'x.json')).toThrow('x.json: coord-hooks settings must be an object of keys, found ["origin"]');
  });

  it('rejects remote names with spaces and non-positive intervals', () => {
    expect(() => validateSettings({ remote: 'my remote' }, 'f')).toThrow('"remote" must be a remote name');
    expect(() => validateSettings({ pollInterval: 0 }, 'f')).toThrow('"pollInterval" must be a number of seconds');
  });
});
