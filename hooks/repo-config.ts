/**
 * The git settings install makes next to the hooks: on a server, what push certificates and object
 * checks need; in a clone, signing pushes when a server asks. A setting is made only where git has no
 * value for it yet (any scope): a value someone chose is kept and named. What install set is recorded
 * (key=value, `coord-hooks.installed` in the repository's config), so uninstall removes exactly those
 * and only while they still hold the value install gave them.
 */
import { randomBytes } from 'crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'fs';
import { join } from 'path';
import { CoordError, errorMessage } from '../core/errors';
import type { GitRepo } from '../git/repo';

export type SettingAction = 'set' | 'kept' | 'removed' | 'changed-since';

export interface SettingResult {
  key: string;
  action: SettingAction;
  /** The value shown (secrets are not shown). */
  shown: string;
  /** Why the setting is there, one phrase. */
  why: string;
  /** Where an existing value comes from (git's scope: local, global, system, ...). */
  scope?: string;
}

interface Wanted {
  key: string;
  why: string;
  /** The value to set; called only when the setting is unset. */
  value: () => string;
  secret?: boolean;
}

/** Multi-valued `key=value` entries: what install set in this repository. */
export const INSTALLED_KEY = 'coord-hooks.installed';

/** The empty allowed-signers file receive-pack is pointed at (the gate verifies certificates itself). */
export function noSignersFile(gitDir: string): string {
  return join(gitDir, 'coord-hooks', 'no-signers');
}

export function serverSettings(gitDir: string): Wanted[] {
  return [
    { key: 'receive.fsckObjects', value: () => 'true', why: 'receive-pack checks every pushed object like git fsck' },
    { key: 'receive.certNonceSeed', value: () => randomBytes(32).toString('hex'), secret: true, why: 'git asks pushers for push certificates and checks their nonce' },
    { key: 'receive.certNonceSlop', value: () => '30', why: 'how many seconds old a certificate\'s nonce may be and still count' },
    {
      key: 'gpg.ssh.allowedSignersFile',
      value: () => {
        const file = noSignersFile(gitDir);
        try {
          mkdirSync(join(gitDir, 'coord-hooks'), { recursive: true });
          if (!existsSync(file)) writeFileSync(file, '');
        } catch (error) {
          throw new CoordError(`cannot create ${file}: ${errorMessage(error)}`, { hint: 'run it as the user that owns the repository', cause: error });
        }
        return file;
      },
      why: 'empty: receive-pack stays quiet about SSH-signed certificates; the gate verifies them against the protected branch\'s signers',
    },
  ];
}

export function cloneSettings(): Wanted[] {
  return [{ key: 'push.gpgSign', value: () => 'if-asked', why: 'pushes are signed (a push certificate) when the server asks for one' }];
}

async function current(repo: GitRepo, key: string): Promise<{ scope: string; value: string } | null> {
  const result = await repo.run(['config', '--show-scope', '--get', key], { okCodes: [1] });
  if (result.code !== 0) return null;
  const line = result.stdout.toString('utf8').replace(/\n$/, '');
  const tab = line.indexOf('\t');
  return { scope: line.slice(0, tab), value: line.slice(tab + 1) };
}

async function recorded(repo: GitRepo): Promise<string[]> {
  const result = await repo.run(['config', '--local', '--get-all', INSTALLED_KEY], { okCodes: [1] });
  return result.code === 0 ? result.stdout.toString('utf8').split('\n').filter(Boolean) : [];
}

/** Sets each wanted setting that git has no value for, in the repository's own config; keeps the rest. */
export async function applySettings(repo: GitRepo, wanted: Wanted[]): Promise<SettingResult[]> {
  const results: SettingResult[] = [];
  for (const setting of wanted) {
    const existing = await current(repo, setting.key);
    if (existing) {
      results.push({ key: setting.key, action: 'kept', shown: setting.secret ? 'set' : existing.value, scope: existing.scope, why: setting.why });
      continue;
    }
    const value = setting.value();
    await repo.run(['config', '--local', setting.key, value]);
    await repo.run(['config', '--local', '--add', INSTALLED_KEY, `${setting.key}=${value}`]);
    results.push({ key: setting.key, action: 'set', shown: setting.secret ? '(a new random secret)' : value, why: setting.why });
  }
  return results;
}

/**
 * Removes what install set, each only while it still holds install's value; a value changed since
 * is left and named. Settings install did not set are not touched (not reported either).
 */
export async function removeSettings(repo: GitRepo, wanted: Wanted[], gitDir?: string): Promise<SettingResult[]> {
  const made = new Map<string, string>();
  for (const entry of await recorded(repo)) {
    const eq = entry.indexOf('=');
    if (eq > 0) made.set(entry.slice(0, eq).toLowerCase(), entry.slice(eq + 1));
  }
  const results: SettingResult[] = [];
  for (const setting of wanted) {
    const ours = made.get(setting.key.toLowerCase());
    if (ours === undefined) continue;
    const local = await repo.run(['config', '--local', '--get', setting.key], { okCodes: [1] });
    const value = local.code === 0 ? local.stdout.toString('utf8').replace(/\n$/, '') : null;
    if (value === ours) {
      await repo.run(['config', '--local', '--unset-all', setting.key], { okCodes: [5] });
      results.push({ key: setting.key, action: 'removed', shown: setting.secret ? '' : ours, why: setting.why });
      if (gitDir && setting.key === 'gpg.ssh.allowedSignersFile' && ours === noSignersFile(gitDir)) rmSync(ours, { force: true });
    } else if (value !== null) {
      results.push({ key: setting.key, action: 'changed-since', shown: setting.secret ? '' : value, why: setting.why });
    }
  }
  await repo.run(['config', '--local', '--unset-all', INSTALLED_KEY], { okCodes: [5] });
  return results;
}

/** One summary line per setting. */
export function describeSetting(result: SettingResult): string {
  const text = {
    set: `set to ${result.shown}`,
    kept: `kept: already ${result.shown}${result.scope && result.scope !== 'local' ? ` (${result.scope} config)` : ''}`,
    removed: `removed (install had set it${result.shown ? ` to ${result.shown}` : ''})`,
    'changed-since': `left: changed since install${result.shown ? ` (now ${result.shown})` : ''}`,
  }[result.action];
  return `${text}; ${result.why}`;
}
