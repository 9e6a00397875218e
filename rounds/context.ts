/**
 * What round commands verify against: the policy and the keys of the protected branch, in a clone
 * (the remote-tracking copy first) or fetched from a remote. Also the checks and names shared by the
 * commands that talk to a remote.
 */
import { CoordError } from '../core/errors';
import type { GitRepo } from '../git/repo';
import { loadPolicyFromTree } from '../policy/load-tree';
import { policyBranch, protectedRefs } from '../policy/locate';
import type { Policy } from '../policy/types';
import { loadSigners, type Signers } from '../trust/signers';

export interface RoundContext {
  policy: Policy;
  signers: Signers;
  /** The protected-branch commit policy and keys were read from. */
  commit: string;
  /** For messages: "origin/main", "main". */
  source: string;
}

/** A round number as typed: a positive integer, else a usage error (exit 2). */
export function parseRound(text: string | undefined, command: string): number {
  if (text === undefined) throw new CoordError(`${command} needs --round N`, { hint: `run \`coord-hooks ${command} --help\`` });
  if (!/^[1-9][0-9]{0,8}$/.test(text)) throw new CoordError(`--round must be a positive integer, not "${text}"`, { hint: 'e.g. --round 3' });
  return Number(text);
}

/** A remote is a configured remote name, a URL or a path; anything else is a usage error (a typo would poll forever). */
export async function checkRemote(repo: GitRepo, remote: string): Promise<{ named: boolean }> {
  if (await repo.configGet(`remote.${remote}.url`)) return { named: true };
  if (/[:/\\]/.test(remote) || remote.startsWith('.')) return { named: false };
  const { stdout } = await repo.run(['remote']);
  const known = stdout.toString('utf8').split('\n').filter(Boolean);
  throw new CoordError(`no remote "${remote}" in this clone`, { hint: `remotes are: ${known.join(', ') || '(none)'}; pass --remote NAME|URL` });
}

/** Where a fetch of `remote`'s protected branch is kept: its remote-tracking ref, or a private ref for a URL. */
export async function protectedFetchTarget(repo: GitRepo, remote: string, named: boolean): Promise<{ branch: string; ref: string }> {
  const branch = await policyBranch(repo);
  return { branch, ref: named ? `refs/remotes/${remote}/${branch}` : `refs/coord-hooks/fetched/${branch}` };
}

/** Policy and keys from `ref` (default: the protected branch in this clone). */
export async function loadRoundContext(repo: GitRepo, ref?: string): Promise<RoundContext> {
  const source = ref ?? (await protectedRefs(repo))[0];
  if (!source) {
    throw new CoordError(`no ${await policyBranch(repo)} branch in this clone to read the policy and keys from`, {
      hint: 'fetch it (git fetch origin), or pass --remote R',
    });
  }
  // Through the cat-file batch the policy needs anyway: one process fewer than rev-parse.
  const commit = (await repo.objects().read(`${source}^{commit}`))?.oid;
  if (!commit) throw new CoordError(`${source} does not name a commit`);
  // The compiled-policy cache (by commit) spares the YAML parser: a third of a warm tally's start-up.
  const { policy } = await loadPolicyFromTree(repo, commit, await repo.commonDir());
  const signers = await loadSigners(repo, commit, policy);
  return { policy, signers, commit, source: source.replace(/^refs\/(remotes|heads|coord-hooks\/fetched)\//, '') };
}

/** The first line of a git failure, for one-line messages. */
export function gitFailure(error: unknown): string {
  const stderr = (error as { stderr?: string }).stderr;
  const text = (stderr && stderr.trim()) || (error instanceof Error ? error.message : String(error));
  const lines = text.split('\n').map((line) => line.replace(/^(fatal|error): /, '').trim()).filter(Boolean);
  return lines[0] ?? 'unknown error';
}
