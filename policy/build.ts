/**
 * Builds the policy from every CLAUDE.md of a tree (work tree or git tree): parse each
 * front-matter, read it with the per-file rules (policy/rules.ts), then check the rules that span
 * files. Collects every problem; returns a policy only when there are none.
 */
import { accountClashes } from './accounts';
import { parseFrontMatter } from './frontmatter';
import { overlapWarnings } from './overlap';
import { sortProblems } from './problems';
import { defaultCoord, readPolicyFile } from './rules';
import type { TeamDecl } from './rules';
import type { CoordSettings, Policy, PolicyFile, PolicyProblem, SourcePos } from './types';

export interface BuildResult {
  policy?: Policy;
  problems: PolicyProblem[];
  warnings: PolicyProblem[];
}

const ROOT_FILE = 'CLAUDE.md';

export function buildPolicy(files: PolicyFile[]): BuildResult {
  const problems: PolicyProblem[] = [];
  const warnings: PolicyProblem[] = [];
  const decls: TeamDecl[] = [];
  const policyFiles: string[] = [];
  let coord: CoordSettings = defaultCoord();
  for (const file of [...files].sort((a, b) => compare(a.path, b.path))) {
    const fm = parseFrontMatter(file);
    if (!fm) {
      const hint = policyWithoutFrontMatter(file);
      if (hint) warnings.push(hint);
      continue;
    }
    policyFiles.push(file.path);
    if (fm.problems.length === 0) {
      const decl = readPolicyFile(fm, file.path === ROOT_FILE);
      if (decl.team) decls.push(decl.team);
      if (decl.coord) coord = decl.coord;
    }
    problems.push(...fm.problems);
    warnings.push(...fm.warnings);
  }
  for (const rule of CROSS_FILE_RULES) rule(decls, coord, problems, warnings);
  problems.push(...accountClashes(decls.map((decl) => decl.team), coord));
  if (!policyFiles.includes(coord.signers)) policyFiles.push(coord.signers);
  const result = { problems: sortProblems(problems), warnings: sortProblems(warnings) };
  if (problems.length > 0) return result;
  const teams = decls.map((decl) => decl.team).sort((a, b) => compare(a.name, b.name));
  return { ...result, policy: { teams, coord, policyFiles: policyFiles.sort(compare) } };
}

/** A key line of a team or root file, where only front-matter would make it policy. */
const POLICY_LINE = /^(?:scope|coord)[ \t]*:(?:\s|$)|^[ \t]+write[ \t]*:[ \t]*\[/;
const MARKER_LINE = /^\s*---[ \t]*\r?$/;

/**
 * A CLAUDE.md without front-matter is notes, not policy; one that looks like a team file (a "scope:"
 * or "coord:" line, an indented "write: [") would silently drop its team. The warning is at the line
 * that looks like policy, or at a "---" block that does not start on line 1.
 */
function policyWithoutFrontMatter(file: PolicyFile): PolicyProblem | null {
  const lines = file.text.split('\n');
  const index = lines.findIndex((line) => POLICY_LINE.test(line));
  if (index < 0) return null;
  const marker = lines.slice(0, index).findIndex((line) => MARKER_LINE.test(line));
  const key = lines[index].trim().split(':')[0];
  if (marker >= 0) {
    return { file: file.path, line: marker + 1, col: 1,
      message: `this CLAUDE.md has no front-matter: its "---" block starts on line ${marker + 1}, not line 1, so the "${key}:" on line ${index + 1} is not read and the file declares nothing`,
      fix: 'move the "---" block to the very top: line 1 must be "---" (nothing before it, not even a title or a blank line).' };
  }
  return { file: file.path, line: index + 1, col: 1,
    message: `this CLAUDE.md has no front-matter (line 1 is not "---"), so "${key}:" on line ${index + 1} is not read and the file declares nothing`,
    fix: 'put the policy between a "---" line at the very top of the file and a closing "---" line; if the file is only notes, reword that line.' };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function at(pos: SourcePos): string {
  return `${pos.file}:${pos.line}:${pos.col}`;
}

type CrossFileRule = (decls: TeamDecl[], coord: CoordSettings, problems: PolicyProblem[], warnings: PolicyProblem[]) => void;

/** Two files declaring one team name: an error at each, naming the others. */
const uniqueTeamNames: CrossFileRule = (decls, _coord, problems) => {
  const byName = groupBy(decls, (decl) => decl.team.name);
  for (const [name, group] of byName) {
    if (group.length < 2) continue;
    for (const decl of group) {
      const others = group.filter((other) => other !== decl).map((other) => at(other.team.pos)).join(', ');
      problems.push({ ...decl.team.pos, message: `team "${name}" is also declared at ${others}`,
        fix: `give one of them another name with "team: <name>" so that every team name is unique.` });
    }
  }
};

/** A host user acting for two teams would make `pusher` identity ambiguous. */
const uniqueMembers: CrossFileRule = (decls, _coord, problems) => {
  const seen = new Map<string, { team: string; pos: SourcePos }>();
  for (const decl of decls) {
    decl.team.members.forEach((member, index) => {
      const pos = decl.memberPos[index];
      const first = seen.get(member);
      if (!first) seen.set(member, { team: decl.team.name, pos });
      else if (first.team !== decl.team.name) {
        problems.push({ ...pos, message: `host user "${member}" already acts for team "${first.team}" (${at(first.pos)})`,
          fix: `list "${member}" in the members of one team only (a team's members default to its own name).` });
      }
    });
  }
};

/** refs/heads/main and refs/heads/main/… cannot both exist: a team may not be named like a protected branch. */
const teamsDoNotShadowBranches: CrossFileRule = (decls, coord, problems, warnings) => {
  for (const decl of decls) {
    const name = decl.team.name;
    for (const branch of coord.protected) {
      if (branch === name) {
        problems.push({ ...decl.team.pos, message: `team "${name}" has the name of the protected branch "${branch}": git cannot hold both refs/heads/${branch} and refs/heads/${name}/…`,
          fix: `rename the team with "team: <name>" (or change coord.protected).` });
      } else if (branch.startsWith(`${name}/`)) {
        warnings.push({ ...(coord.pos ?? decl.team.pos), message: `protected branch "${branch}" lies in team "${name}"'s namespace; only the architect may update it`,
          fix: `move the protected branch out of refs/heads/${name}/ if the team should own it.` });
      }
    }
  }
};

/** Two teams' write patterns where one contains the other (policy/overlap.ts): warnings, not errors. */
const overlappingScopes: CrossFileRule = (decls, _coord, _problems, warnings) => {
  warnings.push(...overlapWarnings(decls.map((decl) => decl.team)));
};

const CROSS_FILE_RULES: CrossFileRule[] = [uniqueTeamNames, uniqueMembers, teamsDoNotShadowBranches, overlappingScopes];

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) out.set(key(item), [...(out.get(key(item)) ?? []), item]);
  return out;
}
