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
import { CoordError } from '../core/errors';
import type { GitRepo } from '../git/repo';
import { firstLine } from '../git/run';
import { loadPolicyFromTree } from '../policy/load-tree';
import { policyBranch } from '../policy/locate';
import { checkRemote, gitFailure } from './context';
import { hasSigningKey } from './keys';
import { announcementPath, roundBranch, startTagName } from '../policy/round-names';

export interface AnnounceOptions {
  teams: string[];
  round: number;
  message: string;
  /** Teams the round waits for (default: every team of the policy). */
  expect?: string[];
  remote: string;
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
  const signed = await hasSigningKey(repo);
  if (!signed && policy.coord.identity !== 'pusher') {
    throw new CoordError('announcing needs an architect signing key: the server accepts ANNOUNCEMENT.md on a team branch, and the round-N/start tag, only when signed by an architect', {
      hint: `configure one (git config gpg.format ssh && git config user.signingkey ~/.ssh/id_ed25519.pub) and list its public key for "${policy.coord.architects[0]}" in ${policy.coord.signers}`,
    });
  }

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
      const stderr = (error as { stderr?: string }).stderr ?? String(error);
      throw new CoordError(`the push of the announcement was rejected:\n${stderr.trim()}`, { exitCode: 1, hint: 'nothing was announced (the push is atomic); fix what the server says and announce again' });
    }
  }
  return { branches, startTag, signed };
}
