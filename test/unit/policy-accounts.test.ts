/**
 * Host accounts in the policy (policy/accounts.ts): `accounts:` in a team's front-matter and
 * `coord.architect-accounts`, validated with file:line:col problems, and the lookup the GitHub Action
 * and the GitLab job use to find a pull request author's team.
 */
import { accountOwner, mapsAccounts } from '../../policy/accounts';
import { buildPolicy, type BuildResult } from '../../policy/build';
import { formatProblems } from '../../policy/problems';

const fm = (yaml: string) => `---\n${yaml}---\n# notes\n`;

function build(files: Record<string, string>): BuildResult {
  return buildPolicy(Object.entries(files).map(([path, text]) => ({ path, text })));
}

const VALID = {
  'CLAUDE.md': fm('coord:\n  architect-accounts:\n    github: [carol]\n'),
  'fw/CLAUDE.md': fm('scope:\n  write: ["fw/"]\naccounts:\n  github: [alice, "@Alice-2", "renovate[bot]"]\n  gitlab: [alice.smith]\n'),
  'pm/CLAUDE.md': fm('scope:\n  write: ["pm/"]\n'),
};

describe('policy accounts', () => {
  test('team accounts and architect accounts are read with their positions; lookups ignore case and a leading @', () => {
    const result = build(VALID);
    expect(result.problems).toEqual([]);
    const policy = result.policy!;
    const fw = policy.teams.find((team) => team.name === 'fw')!;
    expect(fw.accounts?.github?.map((account) => account.login)).toEqual(['alice', 'Alice-2', 'renovate[bot]']);
    expect(fw.accounts?.github?.[0].pos).toEqual({ file: 'fw/CLAUDE.md', line: 5, col: 12 });
    expect(accountOwner(policy, 'github', 'ALICE')).toMatchObject({ kind: 'team', team: { name: 'fw' } });
    expect(accountOwner(policy, 'github', 'alice-2')).toMatchObject({ kind: 'team', team: { name: 'fw' } });
    expect(accountOwner(policy, 'gitlab', 'alice.smith')).toMatchObject({ kind: 'team', team: { name: 'fw' } });
    expect(accountOwner(policy, 'github', 'Carol')).toMatchObject({ kind: 'architect' });
    // A GitLab username is not a GitHub login, and a team's name is no account.
    expect(accountOwner(policy, 'gitlab', 'alice')).toBeNull();
    expect(accountOwner(policy, 'github', 'pm')).toBeNull();
    expect(mapsAccounts(policy, 'github')).toBe(true);
    expect(mapsAccounts(build({ 'pm/CLAUDE.md': VALID['pm/CLAUDE.md'] }).policy!, 'github')).toBe(false);
  });

  test('one account for two teams, or for a team and the architect, is an error at each later listing', () => {
    const result = build({
      ...VALID,
      'pm/CLAUDE.md': fm('scope:\n  write: ["pm/"]\naccounts:\n  github: [Alice, carol]\n'),
    });
    expect(result.policy).toBeUndefined();
    expect(formatProblems(result.problems)).toContain('pm/CLAUDE.md:5:12: github account "Alice" already acts for team "fw" (fw/CLAUDE.md:5:12)');
    expect(formatProblems(result.problems)).toContain('pm/CLAUDE.md:5:19: github account "carol" already acts for the architect (CLAUDE.md:4:14)');
  });

  test('bad shapes and names are reported with file:line:col and a fix', () => {
    const result = build({
      'CLAUDE.md': fm('coord:\n  architect-accounts: [carol]\n'),
      'fw/CLAUDE.md': fm('scope:\n  write: ["fw/"]\naccounts:\n  github: alice\n  bitbucket: [x]\n'),
      'pm/CLAUDE.md': fm('scope:\n  write: ["pm/"]\naccounts:\n  github: ["-bad", "has space"]\n  gitlab: [".dot"]\n'),
      'qa/CLAUDE.md': fm('accounts:\n  github: [qa-person]\n'),
    });
    const text = formatProblems(result.problems);
    expect(result.policy).toBeUndefined();
    expect(text).toContain('CLAUDE.md:3:23: coord.architect-accounts must be a map of keys, found a list');
    expect(text).toContain('fw/CLAUDE.md:5:11: accounts.github must be a list of strings, found a string');
    expect(text).toContain('fw/CLAUDE.md:6:3: unknown key "bitbucket" in accounts');
    expect(text).toContain('pm/CLAUDE.md:5:12: accounts.github entry "-bad" is not a github username');
    expect(text).toContain('pm/CLAUDE.md:5:20: accounts.github entry "has space" is not a github username');
    expect(text).toContain('pm/CLAUDE.md:6:12: accounts.gitlab entry ".dot" is not a gitlab username');
    expect(text).toContain('qa/CLAUDE.md:2:1: "accounts" is set but there is no "scope"');
  });
});
