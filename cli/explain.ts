import { CoordError } from '../core/errors';
import { GitRepo } from '../git/repo';
import { explainPath, type Explanation, type TeamDecision } from '../policy/explain';
import { findTeam, locatePolicy, policyWarnings } from '../policy/locate';
import { formatProblems } from '../policy/problems';
import type { Pattern } from '../policy/types';
import { defineCommand } from './command';

const at = (pattern: Pattern) => `${pattern.pos.file}:${pattern.pos.line}:${pattern.pos.col}`;

/** One line per team: may write (by which pattern), or may not (excluded by which pattern, or no pattern). */
function decisionLine(decision: TeamDecision): string {
  const { team } = decision;
  if (decision.allowed && decision.by) return `  ${team.name}: may write, by "${decision.by.text}" (${at(decision.by)})`;
  // A list of only excludes selects everything but them (git's rule): no positive pattern decides.
  if (decision.allowed) return `  ${team.name}: may write: its patterns in ${team.file} are all excludes, which select everything but them, and none excludes this path`;
  if (decision.excludedBy) return `  ${team.name}: may not, excluded by "${decision.excludedBy.text}" (${at(decision.excludedBy)})`;
  return `  ${team.name}: may not (no pattern in ${team.file} matches)`;
}

/** The text view; `shown` are the decisions asked for (one team with --team), judged against every team's. */
function explainText(explanation: Explanation, shown: TeamDecision[], source: string): string {
  const lines = [`${explanation.path} (policy from ${source})`];
  if (explanation.policyFile) lines.push('  policy file: only the architect may write it');
  lines.push(...shown.map(decisionLine));
  const writers = explanation.decisions.filter((decision) => decision.allowed).map((decision) => decision.team.name);
  const hidden = writers.filter((name) => !shown.some((decision) => decision.team.name === name));
  if (explanation.policyFile) {
    // Already said: only the architect.
  } else if (writers.length === 0) lines.push('  no team may write it: only the architect');
  else if (hidden.length > 0) lines.push(`  it belongs to ${hidden.map((name) => `team ${name}`).join(', ')}`);
  return lines.join('\n') + '\n';
}

export default defineCommand<{ team?: string; json?: boolean; 'policy-from'?: string }>({
  name: 'explain',
  summary: 'Show which teams may write PATH (repository-relative), and which pattern in which file decides it; warnings about the policy go to stderr.',
  positionals: 'PATH',
  options: {
    team: { type: 'string', description: 'only this team\'s verdict; exit 1 when it may not write PATH' },
    json: { type: 'boolean', description: 'machine-readable output' },
    'policy-from': { type: 'string', valueName: 'REF|worktree', description: 'read the policy from REF or the work tree (default: the protected branch)' },
  },
  exitCodes: '0 explained (with --team: the team may write PATH) · 1 with --team: it may not · 2 usage, policy or environment error',
  async run({ values, positionals }, io) {
    if (positionals.length !== 1) throw new CoordError('explain takes exactly one PATH', { hint: 'run `coord-hooks explain --help`' });
    const path = positionals[0].replace(/^\.\//, '');
    const repo = new GitRepo(io.cwd, io.env);
    try {
      const located = await locatePolicy(repo, values['policy-from']);
      const { policy, source } = located;
      const warnings = await policyWarnings(repo, located);
      const explanation = explainPath(policy, path);
      const decisions = values.team ? explanation.decisions.filter((decision) => decision.team.name === findTeam(policy, values.team!).name) : explanation.decisions;
      if (values.json) {
        io.out(JSON.stringify({
          path, policyFile: explanation.policyFile, policy: source,
          warnings: warnings.map((warning) => ({ at: `${warning.file}:${warning.line}:${warning.col}`, message: warning.message, fix: warning.fix })),
          teams: decisions.map((decision) => ({
            team: decision.team.name, allowed: decision.allowed && !explanation.policyFile,
            pattern: decision.by?.text, excludedBy: decision.excludedBy?.text,
            at: decision.by ? at(decision.by) : undefined,
          })),
        }, null, 2) + '\n');
      } else {
        io.out(explainText(explanation, decisions, source));
        if (warnings.length > 0) io.err(`${warnings.length === 1 ? '1 warning' : `${warnings.length} warnings`} about the policy (from ${source}; see docs/policy.md, Errors and warnings):\n${formatProblems(warnings)}\n`);
      }
      const denied = values.team !== undefined && (explanation.policyFile || !decisions.some((decision) => decision.allowed));
      return denied ? 1 : 0;
    } finally {
      repo.close();
    }
  },
});
