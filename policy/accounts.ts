/**
 * Host accounts → teams, for hosts without server hooks (GitHub.com, GitLab.com): who opened a pull
 * request is the one identity the host proves there, so the policy says which accounts act for which
 * team (`accounts:` in a team's CLAUDE.md) and which act for the architect (`coord.architect-accounts`).
 * Logins compare case-insensitively, as both hosts do. No account maps to anything by default: a
 * login that happens to equal a team's name gets nothing.
 */
import type { Entry, FrontMatter, StringItem } from './frontmatter';
import type { AccountHost, CoordSettings, HostAccounts, Policy, PolicyProblem, SourcePos, Team } from './types';

export const ACCOUNT_HOSTS: readonly AccountHost[] = ['github', 'gitlab'];

/** GitHub: letters, digits, single hyphens, at most 39; apps act as `name[bot]`. GitLab: letters, digits, "_", ".", "-". */
const LOGIN_SYNTAX: Record<AccountHost, { pattern: RegExp; rule: string }> = {
  github: { pattern: /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/, rule: 'letters, digits and "-", at most 39, not starting with "-" (apps: "name[bot]")' },
  gitlab: { pattern: /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}$/, rule: 'letters, digits, "_", "." and "-", not starting with "." or "-"' },
};

/** Reads `accounts:` (a team's) or `coord.architect-accounts:`: a map from host to a list of logins. */
export function readAccounts(fm: FrontMatter, entry: Entry, where: string): HostAccounts | undefined {
  const hosts = fm.entries(entry.value, where, ACCOUNT_HOSTS, entry.keyPos);
  if (!hosts) return undefined;
  const accounts: HostAccounts = {};
  let ok = true;
  for (const [host, value] of hosts) {
    const syntax = LOGIN_SYNTAX[host as AccountHost];
    const items = fm.strings(value.value, `${where}.${host}`, value.keyPos, '["alice", "bob"]');
    if (!items) { ok = false; continue; }
    const good = items.filter((item: StringItem) => {
      const login = item.text.replace(/^@/, '');
      if (syntax.pattern.test(login)) return true;
      fm.error(item.pos, `${where}.${host} entry "${item.text}" is not a ${host} username (${syntax.rule})`,
        `write the account name exactly as ${host} shows it in the URL of the profile, e.g. "alice".`);
      return false;
    });
    if (good.length !== items.length) ok = false;
    accounts[host as AccountHost] = good.map((item) => ({ login: item.text.replace(/^@/, ''), pos: item.pos }));
  }
  return ok ? accounts : undefined;
}

/** Whom an account acts for: a team, the architect, or nobody. */
export type AccountOwner = { kind: 'team'; team: Team; pos: SourcePos } | { kind: 'architect'; pos: SourcePos } | null;

export function accountOwner(policy: Policy, host: AccountHost, login: string): AccountOwner {
  const wanted = login.toLowerCase();
  const find = (accounts: HostAccounts | undefined) => accounts?.[host]?.find((account) => account.login.toLowerCase() === wanted);
  const architect = find(policy.coord.architectAccounts);
  if (architect) return { kind: 'architect', pos: architect.pos };
  for (const team of policy.teams) {
    const account = find(team.accounts);
    if (account) return { kind: 'team', team, pos: account.pos };
  }
  return null;
}

/** Whether the policy maps any account of this host at all. */
export function mapsAccounts(policy: Policy, host: AccountHost): boolean {
  return Boolean(policy.coord.architectAccounts?.[host]?.length || policy.teams.some((team) => team.accounts?.[host]?.length));
}

/** One account listed for two owners (two teams, or a team and the architect) would make a pull request's team ambiguous. */
export function accountClashes(teams: Team[], coord: CoordSettings): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const seen = new Map<string, { owner: string; pos: SourcePos }>();
  const owners: [string, HostAccounts | undefined][] = [['the architect', coord.architectAccounts], ...teams.map((team): [string, HostAccounts | undefined] => [`team "${team.name}"`, team.accounts])];
  for (const [owner, accounts] of owners) {
    for (const host of ACCOUNT_HOSTS) {
      for (const account of accounts?.[host] ?? []) {
        const key = `${host}\0${account.login.toLowerCase()}`;
        const first = seen.get(key);
        if (!first) seen.set(key, { owner, pos: account.pos });
        else if (first.owner !== owner) {
          problems.push({ ...account.pos, message: `${host} account "${account.login}" already acts for ${first.owner} (${first.pos.file}:${first.pos.line}:${first.pos.col})`,
            fix: `list "${account.login}" under ${host} for one owner only: a pull request takes the team of its author's account.` });
        }
      }
    }
  }
  return problems;
}
