/**
 * Which key a clone signs with (git config gpg.format and user.signingkey), creating a team SSH key on
 * request, and what the architect must add to the protected branch so the gate accepts its signatures.
 */
import { existsSync, mkdirSync, readFileSync } from 'fs';
import { isAbsolute, join, resolve } from 'path';
import { CoordError } from '../core/errors';
import { runProcess } from '../core/process';
import type { GitRepo } from '../git/repo';
import { foreignEnv } from '../git/run';
import { OPENPGP_DIR } from '../trust/signers';
import type { RepositoryId } from './repo-id';

export type KeyFormat = 'ssh' | 'openpgp' | 'x509';

export interface SigningKey {
  format: KeyFormat;
  /** user.signingkey as configured (null: not set). */
  configured: string | null;
  /** The key file, when user.signingkey names one (~ resolved). */
  path?: string;
  /** SSH: "type base64" of the public key. */
  publicKey?: string;
  /** Why the key cannot be used or shown. */
  problem?: string;
}

/** `~` and `~/…` against HOME of `env`; relative paths against `cwd`. */
export function expandHome(path: string, env: NodeJS.ProcessEnv, cwd: string): string {
  const home = env.HOME ?? '';
  const expanded = path === '~' ? home : path.startsWith('~/') ? join(home, path.slice(2)) : path;
  return isAbsolute(expanded) ? expanded : resolve(cwd, expanded);
}

/** "type base64" of an OpenSSH public key line (options and comment dropped). */
export function normalizeSshKey(text: string): string | undefined {
  const match = /((?:ssh|ecdsa|sk)-[A-Za-z0-9@.-]+)\s+([A-Za-z0-9+/]+=*)/.exec(text);
  return match ? `${match[1]} ${match[2]}` : undefined;
}

async function sshPublicKey(configured: string, env: NodeJS.ProcessEnv, cwd: string): Promise<Omit<SigningKey, 'format' | 'configured'>> {
  if (configured.startsWith('key::') || /^(ssh|ecdsa|sk)-/.test(configured)) return { publicKey: normalizeSshKey(configured) };
  const path = expandHome(configured, env, cwd);
  if (!existsSync(path)) return { path, problem: `user.signingkey names ${path}, which does not exist` };
  if (path.endsWith('.pub')) return { path, publicKey: normalizeSshKey(readFileSync(path, 'utf8')) };
  if (existsSync(`${path}.pub`)) return { path, publicKey: normalizeSshKey(readFileSync(`${path}.pub`, 'utf8')) };
  const derived = await runProcess('ssh-keygen', ['-y', '-f', path], { env: foreignEnv(env), timeoutMs: 10000 });
  if (derived.code !== 0) return { path, problem: `cannot read the public key of ${path}: ${derived.stderr.trim().split('\n')[0] ?? ''}` };
  return { path, publicKey: normalizeSshKey(derived.stdout) };
}

/** The key this clone signs with, as git would pick it. */
export async function signingKey(repo: GitRepo, env: NodeJS.ProcessEnv, cwd: string): Promise<SigningKey> {
  const format = ((await repo.configGet('gpg.format')) ?? 'openpgp') as KeyFormat;
  const configured = await repo.configGet('user.signingkey');
  if (!configured) return { format, configured: null };
  if (format !== 'ssh') return { format, configured };
  return { format, configured, ...(await sshPublicKey(configured, env, cwd)) };
}

/** Is a signing key configured at all (git would not fall back to a guess)? */
export async function hasSigningKey(repo: GitRepo): Promise<boolean> {
  if (await repo.configGet('user.signingkey')) return true;
  return (await repo.configGet('gpg.format')) === 'ssh' && (await repo.configGet('gpg.ssh.defaultKeyCommand')) !== null;
}

/** What to do without a usable key: the commands that configure one (`keys --create` reuses this repository's team key when it exists). */
export const noKeyHint = (team: string) =>
  `create (or reuse) this repository's key for team ${team} and configure this clone: coord-hooks keys --create --team ${team}\n`
  + 'or use an existing SSH key: git config gpg.format ssh && git config user.signingkey ~/.ssh/id_ed25519.pub';

/** The line the architect adds to the allowed-signers file. */
export const allowedSignersLine = (team: string, publicKey: string) => `${team} namespaces="git" ${publicKey}`;

function principalMatches(pattern: string, name: string): boolean {
  const negated = pattern.startsWith('!');
  const glob = new RegExp(`^${(negated ? pattern.slice(1) : pattern).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return !negated && glob.test(name);
}

/** The principals the signers text lists `publicKey` for. */
export function principalsOfKey(signers: string, publicKey: string): string[] {
  const base64 = publicKey.split(' ')[1];
  const out: string[] = [];
  for (const raw of signers.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || !line.split(/\s+/).includes(base64)) continue;
    const first = line.startsWith('"') ? line.slice(1, line.indexOf('"', 1)) : line.split(/\s+/)[0];
    out.push(...first.split(','));
  }
  return out;
}

export const isListedFor = (signers: string, publicKey: string, team: string) =>
  principalsOfKey(signers, publicKey).some((pattern) => principalMatches(pattern, team));

/** `~/.ssh/coord-hooks-<team>-<repository id>_ed25519`: one key per team and repository (see repo-id.ts). */
export const teamKeyPath = (team: string, repositoryId: string, env: NodeJS.ProcessEnv) => join(env.HOME ?? '', '.ssh', `coord-hooks-${team}-${repositoryId}_ed25519`);
/** The name earlier versions used, without the repository: reused only when this repository lists it for the team. */
export const legacyTeamKeyPath = (team: string, env: NodeJS.ProcessEnv) => join(env.HOME ?? '', '.ssh', `coord-hooks-${team}_ed25519`);
/** The comment `--create` writes into the key; what proves a key file at the team's path is the one it made. */
export const teamKeyComment = (team: string, repositoryId: string) => `coord-hooks ${team} ${repositoryId}`;

export interface TeamKey {
  path: string;
  /** created: a new key; reused: this repository's key for the team, made by an earlier --create; listed: a key the signers file lists for the team. */
  how: 'created' | 'reused' | 'listed';
  /** Why the key is the team's key for this repository (for reused and listed). */
  why?: string;
  /** The comment a created key gets. */
  comment: string;
}

const publicKeyText = (path: string) => (existsSync(`${path}.pub`) ? readFileSync(`${path}.pub`, 'utf8') : '');

/**
 * The team's key for this repository, made once and reused: a file at the team's path for this
 * repository is reused when its comment says --create made it for this team and repository; the
 * name earlier versions used is reused only when the protected branch's signers file lists it for the team.
 * Anything else at those paths is never overwritten, and the message gives the `git config` commands.
 */
async function teamKey(team: string, repositoryId: RepositoryId, env: NodeJS.ProcessEnv, signers: string | null): Promise<TeamKey> {
  const path = teamKeyPath(team, repositoryId.id, env);
  const comment = teamKeyComment(team, repositoryId.id);
  const hasPrivate = existsSync(path);
  const hasPublic = existsSync(`${path}.pub`);
  if (hasPrivate || hasPublic) {
    const problem = !hasPrivate ? `${path}.pub has no private key next to it`
      : !hasPublic ? `${path} has no public half (${path}.pub)`
        : !publicKeyText(path).trimEnd().endsWith(` ${comment}`) ? `${path} is not a key coord-hooks made for team ${team} of this repository (its comment is not "${comment}")` : null;
    if (problem) {
      const signWith = hasPrivate ? `to sign with it anyway: git config gpg.format ssh && git config user.signingkey ${hasPublic ? `${path}.pub` : path} && git config tag.gpgSign true; or ` : '';
      throw new CoordError(`${problem}; not touching it`, { hint: `${signWith}move ${hasPublic ? `${path}.pub` : path} away, then coord-hooks keys --create makes a new one` });
    }
    return { path, comment, how: 'reused', why: `its comment "${comment}" says an earlier keys --create made it for team ${team} of this repository (${repositoryId.from})` };
  }
  const legacy = legacyTeamKeyPath(team, env);
  const legacyKey = existsSync(legacy) ? normalizeSshKey(publicKeyText(legacy)) : undefined;
  if (legacyKey && signers !== null && isListedFor(signers, legacyKey, team)) {
    return { path: legacy, comment, how: 'listed', why: `the signers file of this repository lists it for team ${team}` };
  }
  return { path, comment, how: 'created' };
}

/**
 * The hint for a clone without a usable key. It never names a command that would fail: when a file
 * `keys --create` will not touch sits at the team's key path, it gives the `git config` commands instead.
 */
export async function keyHint(repo: GitRepo, team: string, env: NodeJS.ProcessEnv): Promise<string> {
  if (!env.HOME) return noKeyHint(team);
  const { repositoryId } = await import('./repo-id');
  try {
    await teamKey(team, await repositoryId(repo), env, null);
    return noKeyHint(team);
  } catch (error) {
    if (error instanceof CoordError && error.hint) return `${error.message}\n${error.hint}`;
    throw error;
  }
}

/** Makes (or reuses) the team's SSH key for this repository, and makes this clone sign tags with it. */
export async function createTeamSshKey(repo: GitRepo, team: string, env: NodeJS.ProcessEnv, signers: string | null = null): Promise<TeamKey> {
  if (!env.HOME) throw new CoordError('HOME is not set: cannot tell where ~/.ssh is', { hint: 'set HOME to your home directory, or configure a key yourself: git config gpg.format ssh && git config user.signingkey PATH/TO/KEY.pub' });
  const { repositoryId } = await import('./repo-id');
  const key = await teamKey(team, await repositoryId(repo), env, signers);
  const { path } = key;
  if (key.how === 'created') {
    mkdirSync(join(env.HOME, '.ssh'), { recursive: true, mode: 0o700 });
    const result = await runProcess('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', key.comment, '-f', path], { env: foreignEnv(env), timeoutMs: 30000 });
    if (result.code !== 0) throw new CoordError(`ssh-keygen failed: ${result.stderr.trim()}`, { hint: 'is OpenSSH (ssh-keygen) installed? see scripts/system-deps.sh' });
  }
  await repo.configSet('gpg.format', 'ssh');
  await repo.configSet('user.signingkey', `${path}.pub`);
  await repo.configSet('tag.gpgSign', 'true');
  // Sign pushes when the server asks for a certificate (coord-hooks install --server makes it ask).
  if ((await repo.configGet('push.gpgSign')) === null) await repo.configSet('push.gpgSign', 'if-asked');
  return key;
}

/** Primary fingerprints of `keyId` in the user's own keyring (empty when gpg does not know it). */
export async function userPgpFingerprints(keyId: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const { primaryFingerprints } = await import('../trust/openpgp');
  const result = await runProcess('gpg', ['--batch', '--with-colons', '--fingerprint', '--', keyId], { env: foreignEnv(env), timeoutMs: 20000 }).catch(() => null);
  return result && result.code === 0 ? primaryFingerprints(result.stdout) : [];
}

export const pgpExportCommand = (keyId: string, team: string) => `gpg --armor --export ${keyId} > ${OPENPGP_DIR}/${team}.asc`;

export interface KeysOptions {
  team: string;
  create: boolean;
  format?: 'ssh' | 'openpgp';
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Keys on the protected branch (null: cannot tell, e.g. no protected branch in this clone). */
  signers: { ssh: string; pgp: Map<string, string>; source: string; file: string } | null;
}

/** What `coord-hooks keys` prints; `ok` is false when this clone has no usable signing key. */
export async function keysReport(repo: GitRepo, options: KeysOptions): Promise<{ text: string; ok: boolean }> {
  const { team, signers } = options;
  const lines: string[] = [];
  const toFix = async () => `to fix: ${(await keyHint(repo, team, options.env)).replace(/\n/g, '\n  ')}`;
  if (options.create) {
    if (options.format === 'openpgp') throw new CoordError('--create makes SSH keys only', { hint: 'make an OpenPGP key with gpg --quick-generate-key, then: git config gpg.format openpgp && git config user.signingkey KEYID' });
    const key = await createTeamSshKey(repo, team, options.env, signers?.ssh ?? null);
    const configured = `configured this clone: gpg.format ssh, user.signingkey ${key.path}.pub, tag.gpgSign true, push.gpgSign if-asked`;
    lines.push(key.how === 'created' ? `created ${key.path} (ed25519, no passphrase) and ${configured}` : `reused ${key.path}: ${key.why}; ${configured}`);
  }
  const key = await signingKey(repo, options.env, options.cwd);
  const format = options.format ?? (key.format === 'openpgp' ? 'openpgp' : 'ssh');
  lines.push(`team: ${team}`);
  if (!key.configured) {
    lines.push('signing key: none configured in this clone (git config user.signingkey is not set)', await toFix());
    if (format === 'openpgp') lines.push(`with OpenPGP: git config gpg.format openpgp && git config user.signingkey KEYID, then ${pgpExportCommand('KEYID', team)}`);
    return { text: lines.join('\n') + '\n', ok: false };
  }
  if (format === 'openpgp' && key.format === 'openpgp') {
    lines.push(`signing key: OpenPGP ${key.configured} (git config gpg.format ${key.format}, user.signingkey)`);
    lines.push('the architect commits your public key to the protected branch:', `  ${pgpExportCommand(key.configured, team)}`);
    const asc = signers?.pgp.get(team);
    if (!signers) lines.push('listed: cannot tell (no protected branch in this clone; git fetch first)');
    else if (!asc) lines.push(`listed: no, ${OPENPGP_DIR}/${team}.asc is not on ${signers.source} yet`);
    else {
      const { fingerprintsOf } = await import('../trust/openpgp');
      const [mine, listed] = await Promise.all([userPgpFingerprints(key.configured, options.env), fingerprintsOf(asc, options.env)]);
      const hit = mine.some((fpr) => listed.includes(fpr));
      lines.push(hit ? `listed: yes, ${OPENPGP_DIR}/${team}.asc on ${signers.source} holds this key`
        : `listed: no, ${OPENPGP_DIR}/${team}.asc on ${signers.source} holds ${listed.join(', ') || 'no key'}${mine.length ? `, not ${mine.join(', ')}` : ' (gpg does not know your key here)'}`);
    }
    return { text: lines.join('\n') + '\n', ok: true };
  }
  if (key.format !== 'ssh') {
    lines.push(`signing key: ${key.configured} with gpg.format ${key.format}; round tags need SSH or OpenPGP signatures`, await toFix());
    return { text: lines.join('\n') + '\n', ok: false };
  }
  lines.push(`signing key: SSH ${key.path ?? key.configured} (git config gpg.format ssh, user.signingkey ${key.configured})`);
  if (key.problem || !key.publicKey) {
    lines.push(`problem: ${key.problem ?? 'cannot read the public key'}`, await toFix());
    return { text: lines.join('\n') + '\n', ok: false };
  }
  lines.push(`public key: ${key.publicKey}`, '', `the architect adds this line to ${signers?.file ?? '.coord/allowed_signers'} on the protected branch:`, `  ${allowedSignersLine(team, key.publicKey)}`, '');
  if (!signers) lines.push('listed: cannot tell (no protected branch in this clone; git fetch first)');
  else if (isListedFor(signers.ssh, key.publicKey, team)) lines.push(`listed: yes, for ${team} in the signers file on ${signers.source}`);
  else {
    const others = principalsOfKey(signers.ssh, key.publicKey);
    lines.push(`listed: no, not for ${team} in the signers file on ${signers.source}${others.length ? ` (it is listed for ${others.join(', ')})` : ''}`);
  }
  return { text: lines.join('\n') + '\n', ok: true };
}
