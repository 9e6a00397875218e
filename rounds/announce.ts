/**
 * The architect announces round N to teams: for each team, one commit on `<team>/round-N` (created from
 * the protected branch, or on top of the existing branch) that writes rounds/N/<team>/ANNOUNCEMENT.md,
 * signed when the architect has a key; plus, once, the signed annotated tag `round-N/start` whose
 * `expect:` line says which teams the round waits for. Everything goes out in one atomic push.
 * Commits are built with plumbing and a temporary index: the architect's work tree is never touched.
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { CoordError, EXIT_VERDICT } from '../core/errors';
import type { GitRepo } from '../git/repo';
import { firstLine } from '../git/run';
import { loadPolicyFromTree } from '../policy/load-tree';
import { policyBranch } from '../policy/locate';
import { checkRemote, gitFailure } from './context';
import { hasSigningKey, principalsOfKey, signingKey } from './keys';
import { loadSigners } from '../trust/signers';
import type { Policy } from '../policy/types';
import { announcementPath, roundBranch, startTagName } from '../policy/round-names';

export interface AnnounceOptions {
  teams: string[];
  round: number;
  message: string;
  /** Teams the round waits for (default: every team of the policy). */
  expect?: string[];
  remote: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface AnnounceResult {
  branches: { team: string; branch: string; commit: string; changed: boolean }[];
  startTag: 'created' | 'exists';
  signed: boolean;
}

/** A commit on `parent` whose tree is parent's tree plus `path` = `content`. */
export async function commitFile(repo: GitRepo, parent: string, path: string, content: string, message: string, sign: boolean): Promise<{ commit: string; changed: boolean }> {
  const dir = mkdtempSync(join(tmpdir(), 'coord-hooks-index-'));
  try {
    const env = { ...(repo.env ?? process.env), GIT_INDEX_FILE: join(dir, 'index') };
    const blob = firstLine((await repo.run(['hash-object', '-w', '--stdin'], { input: content })).stdout);
    await repo.run(['read-tree', parent], { env });
    await repo.run(['update-index', '--add', '--cacheinfo', `100644,${blob},${path}`], { env });
    const tree = firstLine((await repo.run(['write-tree'], { env })).stdout);
    if (tree === (await repo.resolve(`${parent}^{tree}`))) return { commit: parent, changed: false };
    const commit = firstLine((await repo.run(['commit-tree', ...(sign ? ['-S'] : []), '-p', parent, '-m', message, tree])).stdout);
    return { commit, changed: true };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Puts `ref` back to `oid`, or deletes it when it did not exist. */
async function restoreRef(repo: GitRepo, ref: string, oid: string | null): Promise<void> {
  await repo.run(oid ? ['update-ref', '--no-deref', ref, oid] : ['update-ref', '--no-deref', '-d', ref]);
}

/** What someone who is not (or cannot prove to be) the architect should do instead. */
const notArchitectAdvice = (policy: Policy, main: string) =>
  `only an architect (${policy.coord.architects.join(', ')}) may announce. If you are not the architect, ask them to announce (or to widen`
  + ` what you need in the policy). If you are, run announce in your own clone with your architect key configured (git config gpg.format ssh`
  + ` && git config user.signingkey PATH/TO/KEY.pub); its public key must be listed for an architect in ${policy.coord.signers} on ${main}`;

/**
 * In ref and signature modes the gate accepts an announcement only when an architect key signs it: an SSH
 * key that the protected branch lists for team principals only is refused here, before anything is signed.
 */
async function requireArchitectKey(repo: GitRepo, policy: Policy, mainTip: string, main: string, options: AnnounceOptions): Promise<void> {
  if (!(await hasSigningKey(repo))) {
    throw new CoordError('announcing needs an architect\'s signing key, and none is configured in this clone: the server accepts ANNOUNCEMENT.md on a team branch, and the round-N/start tag, only when an architect signed them', {
      hint: notArchitectAdvice(policy, main),
    });
  }
  const key = await signingKey(repo, options.env, options.cwd);
  if (key.format !== 'ssh' || !key.publicKey) return; // OpenPGP, or an unreadable key: the server judges
  const principals = principalsOfKey((await loadSigners(repo, mainTip, policy)).ssh, key.publicKey);
  if (principals.some((principal) => policy.coord.architects.includes(principal))) return;
  const listed = principals.length ? `lists it for ${principals.join(', ')}, not for an architect` : 'does not list it at all';
  throw new CoordError(`this clone signs with ${key.path ?? key.configured}, and ${policy.coord.signers} on ${main} ${listed}: the server would reject the announcement`, {
    exitCode: EXIT_VERDICT, hint: notArchitectAdvice(policy, main),
  });
}

export async function announce(repo: GitRepo, options: AnnounceOptions): Promise<AnnounceResult> {
  const { round, remote } = options;
  await checkRemote(repo, remote);
  const main = await policyBranch(repo);
  const branchRefs = options.teams.map((team) => `refs/heads/${roundBranch(team, round)}`);
  const startRef = `refs/tags/${startTagName(round)}`;
  const existing = await repo.lsRemote(remote, [`refs/heads/${main}`, ...branchRefs, startRef]);
  const mainTip = existing.get(`refs/heads/${main}`);
  if (!mainTip) throw new CoordError(`the remote has no ${main} branch yet`, { hint: `push ${main} with the policy first` });
  const fetchRefs = [`refs/heads/${main}`, ...branchRefs.filter((ref) => existing.has(ref))];
  await repo.run(['fetch', '-q', remote, ...fetchRefs]).catch((error) => { throw new CoordError(`cannot fetch from ${remote}: ${gitFailure(error)}`); });

  const { policy } = await loadPolicyFromTree(repo, mainTip);
  const known = new Set(policy.teams.map((team) => team.name));
  for (const team of [...options.teams, ...(options.expect ?? [])]) {
    if (!known.has(team)) throw new CoordError(`no team "${team}" in the policy`, { hint: `teams are: ${[...known].join(', ')}` });
  }
  if (policy.coord.identity !== 'pusher') await requireArchitectKey(repo, policy, mainTip, main, options);
  const signed = await hasSigningKey(repo);

  const branches: AnnounceResult['branches'] = [];
  for (const [index, team] of options.teams.entries()) {
    const branch = roundBranch(team, round);
    const parent = existing.get(branchRefs[index]) ?? mainTip;
    const { commit, changed } = await commitFile(repo, parent, announcementPath(round, team), options.message.endsWith('\n') ? options.message : `${options.message}\n`,
      `announce round ${round} to ${team}`, signed);
    branches.push({ team, branch, commit, changed });
  }
  const refspecs = branches.filter((entry) => entry.changed).map((entry) => `${entry.commit}:refs/heads/${entry.branch}`);
  let startTag: AnnounceResult['startTag'] = 'exists';
  // A rejected push must leave no local start tag behind (a later `git fetch --tags` would refuse to clobber it).
  const localStart = await repo.resolve(startRef);
  if (!existing.has(startRef)) {
    const expect = options.expect ?? policy.teams.map((team) => team.name);
    await repo.run(['tag', '-f', signed ? '-s' : '-a', '-m', `round ${round}\n\nexpect: ${expect.join(' ')}`, startTagName(round), mainTip]);
    refspecs.push(`${startRef}:${startRef}`);
    startTag = 'created';
  }
  if (refspecs.length) {
    try {
      await repo.run(['push', '--atomic', '-q', remote, ...refspecs], { env: { ...(repo.env ?? process.env), COORD_HOOKS_RUNNING: '1' } });
    } catch (error) {
      if (startTag === 'created') await restoreRef(repo, startRef, localStart);
      const stderr = (error as { stderr?: string }).stderr ?? String(error);
      const undone = startTag === 'created' ? `; the local tag ${startTagName(round)} was ${localStart ? 'put back as it was' : 'deleted'}` : '';
      throw new CoordError(`the push of the announcement was rejected:\n${stderr.trim()}`, { exitCode: EXIT_VERDICT, hint: `nothing was announced (the push is atomic)${undone}; fix what the server says and announce again` });
    }
  }
  return { branches, startTag, signed };
}
