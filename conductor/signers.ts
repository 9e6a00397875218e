/**
 * The signers lines `up` collects from the team workspaces: every team key the protected branch does
 * not list yet, added in one commit signed by the architect on the protected branch (built with
 * plumbing, as `announce` builds its commits: the architect's work tree is never touched), pushed once.
 */
import { CoordError } from '../core/errors';
import type { GitRepo } from '../git/repo';
import { policyBranch } from '../policy/locate';
import { commitFile } from '../rounds/announce';
import { gitFailure, loadRoundContext } from '../rounds/context';
import { allowedSignersLine, hasSigningKey, isListedFor } from '../rounds/keys';
import type { Workspace } from './workspace';

export interface MissingSigners {
  /** The lines to add, one per team key not listed yet. */
  lines: string[];
  file: string;
}

/** Which workspace keys the remote's protected branch does not list (after one fetch of it). */
export async function missingSigners(architect: GitRepo, remote: string, workspaces: Workspace[]): Promise<MissingSigners> {
  const branch = await policyBranch(architect);
  await architect.run(['fetch', '-q', remote, `+refs/heads/${branch}:refs/remotes/${remote}/${branch}`]).catch((error) => {
    throw new CoordError(`cannot fetch ${branch} from ${remote}: ${gitFailure(error)}`);
  });
  const context = await loadRoundContext(architect, `refs/remotes/${remote}/${branch}`);
  const lines: string[] = [];
  for (const workspace of workspaces) {
    if (!workspace.publicKey) throw new CoordError(`the workspace of ${workspace.team} (${workspace.dir}) has no SSH signing key`, { hint: `run \`coord-hooks keys --team ${workspace.team}\` there to see why` });
    if (!isListedFor(context.signers.ssh, workspace.publicKey, workspace.team)) lines.push(allowedSignersLine(workspace.team, workspace.publicKey));
  }
  return { lines, file: context.policy.coord.signers };
}

/** One architect-signed commit on the protected branch adding the lines to the signers file, pushed. */
export async function addSigners(architect: GitRepo, remote: string, missing: MissingSigners): Promise<string> {
  if (!(await hasSigningKey(architect))) {
    throw new CoordError('adding the teams\' keys needs the architect\'s signing key in this clone', { hint: 'git config gpg.format ssh && git config user.signingkey ~/.ssh/id_ed25519.pub (the key the signers file lists for the architect)' });
  }
  const branch = await policyBranch(architect);
  const tip = `refs/remotes/${remote}/${branch}`;
  const current = (await architect.objects().readBlobText(`${tip}:${missing.file}`)) ?? '';
  const content = `${current}${current && !current.endsWith('\n') ? '\n' : ''}${missing.lines.join('\n')}\n`;
  const teams = missing.lines.map((line) => line.split(' ')[0]);
  const { commit } = await commitFile(architect, await architect.resolve(tip) ?? tip, missing.file, content, `signers: keys of ${teams.join(', ')} (coord-hooks up)`, true);
  try {
    await architect.run(['push', '-q', remote, `${commit}:refs/heads/${branch}`], { env: { ...(architect.env ?? process.env), COORD_HOOKS_RUNNING: '1' } });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    throw new CoordError(`the push of the signers commit to ${branch} was rejected:\n${stderr.trim()}`, { hint: `nothing changed on the server; add the lines to ${missing.file} by hand, or fix what the server says and run up again` });
  }
  await architect.run(['update-ref', tip, commit]);
  return commit;
}
