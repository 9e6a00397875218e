/**
 * cosmiconfig is loaded only when a coord-hooks settings file can exist (it costs hooks start-up);
 * this check must never miss one cosmiconfig would find, nor load it for a mere dependency.
 */
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { GitRepo } from '../../git/repo';
import { cloneSetting, settingsFileMayExist } from '../../policy/locate';
import { initRepo, isolatedEnv, tempDir } from '../../fixtures/repo';

function project(files: Record<string, string>): string {
  const top = tempDir();
  mkdirSync(join(top, '.git'));
  mkdirSync(join(top, 'sub', 'deeper'), { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(top, path, '..'), { recursive: true });
    writeFileSync(join(top, path), text);
  }
  return top;
}

test.each([
  ['no settings file', {}, false],
  ['.coord-hooksrc', { '.coord-hooksrc': 'remote: up\n' }, true],
  ['.coord-hooksrc.json in a parent', { '.coord-hooksrc.json': '{}' }, true],
  ['coord-hooks.config.js', { 'coord-hooks.config.js': 'module.exports = {}' }, true],
  ['.config/coord-hooksrc', { '.config/coord-hooksrc': 'remote: up\n' }, true],
  ['package.json with a "coord-hooks" key', { 'package.json': '{"name":"x","coord-hooks":{"remote":"up"}}' }, true],
  ['package.json depending on coord-hooks only', { 'package.json': '{"name":"x","devDependencies":{"coord-hooks":"^1"}}' }, false],
  ['an unparsable package.json', { 'package.json': '{' }, false],
] as const)('%s', (_label, files, expected) => {
  const top = project(files);
  expect(settingsFileMayExist(join(top, 'sub', 'deeper'))).toBe(expected);
});

test('the search stops at the repository top: a settings file above it does not count', () => {
  const outer = project({ '.coord-hooksrc': 'remote: up\n' });
  const inner = join(outer, 'inner');
  mkdirSync(join(inner, '.git'), { recursive: true });
  expect(settingsFileMayExist(inner)).toBe(false);
});

test('a clone setting comes from git config first, then the settings file', async () => {
  const home = tempDir();
  const env = isolatedEnv(home);
  const repo = initRepo(join(home, 'repo'), env);
  expect(await cloneSetting(new GitRepo(repo.dir, env), 'remote')).toBeUndefined();
  writeFileSync(join(repo.dir, '.coord-hooksrc.json'), '{"remote": "upstream"}');
  expect(await cloneSetting(new GitRepo(repo.dir, env), 'remote')).toBe('upstream');
  repo.git(['config', 'coord-hooks.remote', 'origin2']);
  expect(await cloneSetting(new GitRepo(repo.dir, env), 'remote')).toBe('origin2');
});
