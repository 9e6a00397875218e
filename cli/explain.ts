import { CoordError } from '../core/errors';
import { GitRepo } from '../git/repo';
import { explainPath } from '../policy/explain';
import { findTeam, locatePolicy } from '../policy/locate';
import { defineCommand } from './command';

export default defineCommand<{ team?: string; json?: boolean; 'policy-from'?: string }>({
  name: 'explain',
  summary: 'Show which teams may write PATH (repository-relative), and which pattern in which file decides it.',
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
      const { policy, source } = await locatePolicy(repo, values['policy-from']);
      const explanation = explainPath(policy, path);
      const decisions = values.team ? explanation.decisions.filter((decision) => decision.team.name === findTeam(policy, values.team!).name) : explanation.decisions;
      if (values.json) {
        io.out(JSON.stringify({
          path, policyFile: explanation.policyFile, policy: source,
          teams: decisions.map((decision) => ({
            team: decision.team.name, allowed: decision.allowed && !explanation.policyFile,
            pattern: decision.by?.text, excludedBy: decision.excludedBy?.text,
            at: decision.by ? `${decision.by.pos.file}:${decision.by.pos.line}:${decision.by.pos.col}` : undefined,
          })),
        }, null, 2) + '\n');
      } else {
        io.out(`${path} (policy from ${source})\n`);
        if (explanation.policyFile) io.out('  policy file: only the architect may write it\n');
        for (const decision of decisions) {
          const at = (pattern: { pos: { file: string; line: number; col: number } }) => `${pattern.pos.file}:${pattern.pos.line}:${pattern.pos.col}`;
          if (decision.allowed) io.out(`  ${decision.team.name}: may write, by "${decision.by!.text}" (${at(decision.by!)})\n`);
          else if (decision.excludedBy) io.out(`  ${decision.team.name}: may not, excluded by "${decision.excludedBy.text}" (${at(decision.excludedBy)})\n`);
          else io.out(`  ${decision.team.name}: may not (no pattern in ${decision.team.file} matches)\n`);
        }
        if (!decisions.some((decision) => decision.allowed)) io.out('  no team may write it: only the architect\n');
      }
      const denied = values.team !== undefined && (explanation.policyFile || !decisions.some((decision) => decision.allowed));
      return denied ? 1 : 0;
    } finally {
      repo.close();
    }
  },
});
