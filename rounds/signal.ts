/**
 * Signalling "round N done": a signed annotated tag `round-N/done/<team>` on the tip of the team branch
 * checked out, pushed with that branch in ONE atomic push so the gate sees the commit and the tag
 * together. Everything that can be checked before signing is: the team, the branch, a signing key, a
 * tag of that name here or on the remote. A rejected push deletes the local tag so a retry starts clean.
 */
import { CoordError, EXIT_USAGE, EXIT_VERDICT } from '../core/errors';
import type { GitRepo } from '../git/repo';
import { locatePolicy, resolveTeam } from '../policy/locate';
import { checkRemote, gitFailure } from './context';
import { hasSigningKey, keyHint, signingKey } from './keys';
import { parseTag } from '../trust/tag';
import { doneTagName } from '../policy/round-names';

export interface SignalOptions {
  round: number;
  team?: string;
  message?: string;
  push: boolean;
  remote: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Progress and warnings. */
  note: (text: string) => void;
}

export interface SignalResult {
  tag: string;
  team: string;
  branch: string;
  target: string;
  pushed: boolean;
  /** The branch went along in the push (it was ahead of, or missing on, the remote). */
  pushedBranch: boolean;
}

/** "by <tagger> on <date>, pointing at <commit>" for an existing tag, or what is known of it. */
async function describeTag(repo: GitRepo, oid: string): Promise<string> {
  const object = await repo.objects().read(oid);
  if (!object) return `(tag object ${oid.slice(0, 10)})`;
  if (object.type !== 'tag') return `(a lightweight tag pointing at ${oid.slice(0, 10)})`;
  const tag = parseTag(object.content);
  const when = tag.time ? new Date(tag.time * 1000).toISOString().replace('.000Z', 'Z') : 'an unknown date';
  return `by ${tag.tagger || 'an unknown tagger'} on ${when}, pointing at ${tag.object.slice(0, 10)}`;
}

async function requireSigningKey(repo: GitRepo, team: string, env: NodeJS.ProcessEnv, cwd: string): Promise<void> {
  if (!(await hasSigningKey(repo))) {
    throw new CoordError('no signing key is configured in this clone; a done-tag must be signed', { exitCode: EXIT_USAGE, hint: await keyHint(repo, team, env) });
  }
  const key = await signingKey(repo, env, cwd);
  if (key.problem) throw new CoordError(key.problem, { exitCode: EXIT_USAGE, hint: await keyHint(repo, team, env) });
}

/** The remote's copy of the branch and the tag, in one ls-remote; null when the remote cannot be reached. */
async function remoteState(repo: GitRepo, remote: string, branch: string, tag: string): Promise<{ branch?: string; tag?: string } | { error: string }> {
  try {
    const refs = await repo.lsRemote(remote, [`refs/heads/${branch}`, `refs/tags/${tag}`]);
    return { branch: refs.get(`refs/heads/${branch}`), tag: refs.get(`refs/tags/${tag}`) };
  } catch (error) {
    return { error: gitFailure(error) };
  }
}

export async function signalDone(repo: GitRepo, options: SignalOptions): Promise<SignalResult> {
  const { round, remote } = options;
  const { policy } = await locatePolicy(repo);
  const current = await repo.currentBranch();
  const team = (await resolveTeam(repo, policy, options.team, current)).name;
  const name = doneTagName(round, team);
  if (!current || !current.startsWith(`${team}/`)) {
    throw new CoordError(`${current ? `the current branch "${current}" is` : 'HEAD is detached, which is'} not one of team ${team}'s branches`, {
      hint: `check out the team's round branch first: git checkout ${team}/round-${round} (the tag goes on its tip)`,
    });
  }
  const target = (await repo.resolve(`refs/heads/${current}^{commit}`))!;
  await requireSigningKey(repo, team, options.env, options.cwd);
  const local = await repo.resolve(`refs/tags/${name}`);
  if (local) {
    throw new CoordError(`${name} already exists here, ${await describeTag(repo, local)}`, {
      exitCode: EXIT_VERDICT,
      hint: `done-tags are never moved. If it was never pushed and is wrong: git tag -d ${name}; to push it as it is: git push --atomic ${remote} ${current} refs/tags/${name}`,
    });
  }
  const state = await checkRemote(repo, remote).then(() => remoteState(repo, remote, current, name), (error: unknown) => {
    if (options.push) throw error;
    return { error: error instanceof Error ? error.message : String(error) };
  });
  if ('error' in state) {
    if (options.push) throw new CoordError(`cannot reach ${remote}: ${state.error}`, { hint: 'retry when the remote is back, or pass --no-push to only create the tag' });
    options.note(`warning: cannot reach ${remote} to check for an existing ${name} (${state.error})\n`);
  } else if (state.tag) {
    await repo.run(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', remote, `refs/tags/${name}`], { okCodes: [1, 128] });
    throw new CoordError(`${name} already exists on ${remote}, ${await describeTag(repo, state.tag)}`, {
      exitCode: EXIT_VERDICT, hint: `a finished round stays finished; fetch it: git fetch ${remote} tag ${name}`,
    });
  }

  const message = options.message ?? `round ${round} done by ${team}`;
  try {
    await repo.run(['tag', '-s', '-m', message, name, target]);
  } catch (error) {
    throw new CoordError(`signing ${name} failed: ${gitFailure(error)}`, { hint: `check the signing key: coord-hooks keys --team ${team}` });
  }
  const result: SignalResult = { tag: name, team, branch: current, target, pushed: false, pushedBranch: false };
  if (!options.push || 'error' in state) return result;

  const remoteTip = state.branch;
  const branchUpToDate = remoteTip !== undefined && (remoteTip === target || (await repo.resolve(`${remoteTip}^{commit}`) !== null && await repo.isAncestor(target, remoteTip)));
  const refspecs = [...(branchUpToDate ? [] : [`refs/heads/${current}:refs/heads/${current}`]), `refs/tags/${name}:refs/tags/${name}`];
  const pushed = await repo.run(['push', '--atomic', '--porcelain', remote, ...refspecs], { okCodes: [1, 128] });
  if (pushed.code !== 0) {
    await repo.run(['tag', '-d', name], { okCodes: [1] });
    const output = (pushed.stderr + pushed.stdout.toString('utf8')).split('\n').map((line) => line.trimEnd()).filter((line) => line && line !== 'Done').join('\n');
    const rejected = /^!\t|\[(remote )?rejected\]|pre-receive hook declined/m.test(output);
    throw new CoordError(`push to ${remote} ${rejected ? 'was rejected' : 'failed'}; the local tag ${name} was deleted so you can retry\n${output}`, {
      exitCode: rejected ? EXIT_VERDICT : EXIT_USAGE,
      hint: rejected ? 'fix what the server says above, then run signal-done again' : 'retry when the remote is reachable',
    });
  }
  return { ...result, pushed: true, pushedBranch: !branchUpToDate };
}
