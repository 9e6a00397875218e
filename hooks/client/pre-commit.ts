/**
 * The pre-commit hook: judges the staged changes against this clone's team scope with the gate's own
 * verdict code (gate/scope.ts judgeWrite) and the gate's policy (the protected branch). Early
 * feedback only: the server gate is the guarantee.
 *
 * Runs on every commit, so it stays lean: two git calls decide whether there is a team at all
 * (the architect's clone on main pays nothing more), one `git diff --cached` (started alongside)
 * lists the staged writes, and the policy modules are loaded only when there is a team.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import type { CommandIO } from '../../core/io';
import { GitRepo } from '../../git/repo';
import { splitZ } from '../../git/run';
import type { Write } from '../../gate/scope';
import { cloneTeam, failureLines, skipHint, teamHints } from './clone';

export const REFUSED = 'commit refused by coord-hooks pre-commit (the server would reject it too)';

/** Label of staged writes in messages (where the gate names a commit). */
export const STAGED_LABEL = 'staged';

const DIFF_STAGED = ['diff', '--cached', '--raw', '-z', '--no-renames', '--no-abbrev', '--no-ext-diff', '--no-textconv', '--ignore-submodules=none'];

function parseRaw(stdout: Buffer): Write[] {
  const parts = splitZ(stdout);
  const writes: Write[] = [];
  for (let index = 0; index + 1 < parts.length; index += 2) {
    // ":<src mode> <dst mode> <src oid> <dst oid> <status>" then the path
    const [, dstMode, , dstOid] = parts[index].slice(1).split(' ');
    writes.push({ commit: STAGED_LABEL, path: parts[index + 1], mode: dstMode, oid: dstOid });
  }
  return writes;
}

/**
 * The staged changes as writes, from ONE `git diff --cached --raw -z --no-renames` (both sides of a
 * rename, deletions as mode 000000, mode changes, symlinks with their index blob). GIT_INDEX_FILE in
 * the hook's environment is honoured, so `git commit -a` and `git commit PATH` are judged correctly.
 * While a merge is being concluded (`mergeHead`), only paths that differ from BOTH parents are the
 * merge's own writes, as the gate judges merges (`diff-tree -c`): what the merged branch brings is not.
 */
export async function stagedWrites(repo: GitRepo, mergeHead: string | null = null): Promise<Write[]> {
  const [againstHead, againstMerged] = await Promise.all([
    repo.run(DIFF_STAGED), mergeHead ? repo.run([...DIFF_STAGED, mergeHead]) : Promise.resolve(null),
  ]);
  const writes = parseRaw(againstHead.stdout);
  if (!againstMerged) return writes;
  const changedFromMerged = new Set(parseRaw(againstMerged.stdout).map((write) => write.path));
  return writes.filter((write) => changedFromMerged.has(write.path));
}

/** The commit being merged when a merge is concluded (MERGE_HEAD's first line), read from the git dir. */
function mergeHead(gitDir: string): string | null {
  try {
    const first = readFileSync(join(gitDir, 'MERGE_HEAD'), 'utf8').split('\n')[0].trim();
    return /^[0-9a-f]{40,64}$/.test(first) ? first : null;
  } catch {
    return null;
  }
}

/** How to unstage: `git restore --staged`, or `git rm --cached` before the first commit (no HEAD to restore from). */
function unstageHint(paths: string[], firstCommit: boolean): string {
  const shown = paths.slice(0, 5).map((path) => (/^[\w./@+-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`));
  const command = firstCommit ? 'git rm -q --cached' : 'git restore --staged';
  return `  unstage: ${command} -- ${shown.join(' ')}${paths.length > shown.length ? ' …' : ''}  (your edits stay in the work tree)`;
}

export async function runPreCommit(_args: string[], io: CommandIO): Promise<number> {
  const repo = new GitRepo(io.cwd, io.env);
  try {
    // The git calls run side by side; the policy modules load while the first ones are out.
    const staged = repo.whereAmI().then(({ gitDir }) => stagedWrites(repo, mergeHead(gitDir)));
    staged.catch(() => undefined); // awaited below, unless there is no team to judge for
    const hints = await teamHints(repo);
    // With a team possible, the policy's for-each-ref runs beside `git diff --cached` instead of after it.
    const located = hints.possible ? import('../../policy/locate').then(({ locatePolicy }) => locatePolicy(repo)) : null;
    located?.catch(() => undefined); // awaited below when there are staged writes
    // A policy that does not validate is refused in every clone (the architect's first): on the
    // protected branch it would lock every push out. Costs nothing unless a CLAUDE.md is staged.
    const check = await import('./policy-check');
    if ((await staged).some((write) => check.isPolicyPath(write.path))) {
      const { policyProblems, problemLines } = check;
      const tree = await repo.indexTree();
      const problems = await policyProblems(repo, tree);
      if (problems.length) {
        io.err([...problemLines('the staged policy', problems), REFUSED].join('\n') + '\n');
        return 1;
      }
      const warnings = await check.policyWarningLines(repo, tree);
      if (warnings.length) io.err(warnings.join('\n') + '\n');
    }
    if (!hints.possible) return 0; // no team (e.g. the architect on main): client hooks are advisory
    const [{ judgeWrite }, { judgeContext }, { formatViolations }] = await Promise.all([
      import('../../gate/scope'), import('../../gate/commits'), import('../../gate/messages'),
    ]);
    const writes = await staged;
    if (writes.length === 0) return 0;
    const { policy, source } = await located!;
    const team = await cloneTeam(policy, hints.configured, hints.branch);
    if (!team) return 0;
    const context = judgeContext(repo, policy);
    // On the team's round branch its REPLY.md is allowed; staged changes are never the architect's.
    const { roundOfBranch } = await import('../../policy/round-names');
    const round = hints.branch ? roundOfBranch(hints.branch, team.name) ?? undefined : undefined;
    const actor = { kind: 'team' as const, team, round };
    const violations = [];
    for (const write of writes) {
      const violation = await judgeWrite(context, actor, write);
      if (violation) violations.push(violation);
    }
    if (violations.length === 0) return 0;

    const count = violations.length === 1 ? '1 staged change' : `${violations.length} staged changes`;
    io.err([
      `coord-hooks: ${count} break${violations.length === 1 ? 's' : ''} team ${team.name}'s write scope (policy from ${source}):`,
      ...formatViolations(policy, violations),
      unstageHint([...new Set(violations.map((violation) => violation.path))], (await repo.resolve('HEAD')) === null),
      REFUSED,
    ].join('\n') + '\n');
    return 1;
  } catch (error) {
    io.err([...failureLines('pre-commit', error),
      'coord-hooks: the commit was stopped because the check could not run (client hooks fail closed);',
      `  ${skipHint('commit')}`].join('\n') + '\n');
    return 1;
  } finally {
    repo.close();
  }
}
