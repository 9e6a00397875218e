import { CoordError, ExitCode, usageError } from '../core/errors';
import { GitRepo } from '../git/repo';
import { signatureProof } from '../gate/commits';
import { ANNOTATION_LIMIT, formatGithubAnnotations } from '../gate/annotations';
import { formatViolations, shownCommits } from '../gate/messages';
import { roundOfBranch } from '../policy/round-names';
import { judgeRange, resolveRange } from '../gate/range';
import { locatePolicy, protectedTips, resolveTeam } from '../policy/locate';
import { defineCommand } from './command';

const FORMATS = ['text', 'json', 'github'] as const;
type Format = typeof FORMATS[number];

export default defineCommand<{ team?: string; json?: boolean; format?: string; 'policy-from'?: string }>({
  name: 'check',
  summary: 'Judge every commit in RANGE, and the range\'s net change, against a team\'s write scope: the server gate\'s verdict, computed locally.',
  positionals: '[RANGE]',
  options: {
    team: { type: 'string', description: 'team to judge as (default: this clone\'s team, else the branch name <team>/…)' },
    json: { type: 'boolean', description: 'print {"ok", "team", "range", "commits", "violations": [{commit, path, team, reason, detail?}]} (same as --format json)' },
    format: { type: 'string', valueName: 'text|json|github', description: 'output: text (default), json, or github (GitHub Actions ::error annotations, one per violation up to the 10 GitHub shows per step, and a summary line)' },
    'policy-from': { type: 'string', valueName: 'REF|worktree', description: 'read the policy from REF or the work tree (default: the protected branch, as the server does)' },
  },
  details: `RANGE is A..B, or a single revision B meaning the commits of B that are not on the protected
branch (default: HEAD). Each commit's own writes are judged (both sides of renames, mode changes,
deletions, a merge's own changes, symlink targets), and so is the net change from the merge-base.
On the team's round branch <team>/round-N (RANGE's tip, or the current branch when the tip is HEAD),
the same exceptions as on the server apply: the team's rounds/N/<team>/REPLY.md, and an
ANNOUNCEMENT.md in commits signed by an architect key.`,
  exitCodes: '0 no violations · 1 violations (listed) · 2 usage, policy or environment error',
  async run({ values, positionals }, io) {
    if (positionals.length > 1) throw new CoordError('check takes at most one RANGE', { hint: 'run `coord-hooks check --help`' });
    if (values.format !== undefined && !(FORMATS as readonly string[]).includes(values.format)) {
      throw usageError(`--format ${values.format}: not one of ${FORMATS.join(', ')}`, 'run `coord-hooks check --help`');
    }
    if (values.json && values.format !== undefined && values.format !== 'json') throw usageError(`--json and --format ${values.format} contradict each other`, 'pass one of them');
    const format: Format = values.json ? 'json' : (values.format as Format | undefined) ?? 'text';
    const repo = new GitRepo(io.cwd, io.env);
    try {
      const { policy, source, commit } = await locatePolicy(repo, values['policy-from']);
      const team = await resolveTeam(repo, policy, values.team);
      const range = await resolveRange(repo, positionals[0] ?? 'HEAD', await protectedTips(repo));
      // The branch whose round exceptions apply: the range's tip, or the current branch when that is HEAD.
      const tipName = positionals[0] ? positionals[0].split('..').pop()! : '';
      const branch = tipName && tipName !== 'HEAD' ? tipName : await repo.currentBranch();
      const verdict = await judgeRange(repo, policy, team, range, {
        round: roundOfBranch(branch ?? '', team.name) ?? undefined,
        byArchitect: signatureProof(repo, policy, commit, io.env),
      });
      const ok = verdict.violations.length === 0;
      if (format === 'github') {
        const subjects = await repo.subjects(shownCommits(verdict.violations, ANNOTATION_LIMIT));
        const summary = { ok, team: team.name, range: verdict.range, source, commits: verdict.commits };
        io.out(formatGithubAnnotations(policy, summary, verdict.violations, subjects).join('\n') + '\n');
      } else if (format === 'json') {
        io.out(JSON.stringify({ ok, team: team.name, range: verdict.range, policy: source, commits: verdict.commits, violations: verdict.violations }, null, 2) + '\n');
      } else if (ok) {
        io.out(`ok: ${verdict.commits} commit(s) in ${verdict.range} stay inside team ${team.name}'s scope (policy from ${source})\n`);
      } else {
        const subjects = await repo.subjects(shownCommits(verdict.violations));
        io.out(`${verdict.violations.length} violation(s) in ${verdict.range} for team ${team.name} (policy from ${source}):\n`);
        io.out(formatViolations(policy, verdict.violations, { subjects }).join('\n') + '\n');
      }
      if (!ok) throw new ExitCode(1);
      return 0;
    } finally {
      repo.close();
    }
  },
});
