/** The write plan from a team's patterns, and the Claude Code settings made of it (pure functions). */
import { buildPolicy } from '../../policy/build';
import type { Policy } from '../../policy/types';
import { teamClaude, ROOT_CLAUDE } from '../../fixtures/policies';
import { claudeSandboxSettings } from '../../sandbox/claude-settings';
import { orderMounts } from '../../sandbox/layout';
import { pathOfPattern, writePlan, type SandboxPlan } from '../../sandbox/plan';

const TOP = '/work/repo';
const GIT = { gitDir: `${TOP}/.git`, commonDir: `${TOP}/.git`, hooksDir: `${TOP}/.git/hooks` };

function policyWith(write: string[]): Policy {
  const files = { 'CLAUDE.md': ROOT_CLAUDE, 'fw/CLAUDE.md': teamClaude(write), 'pm/CLAUDE.md': teamClaude(['pm/']) };
  const { policy, problems } = buildPolicy(Object.entries(files).map(([path, text]) => ({ path, text })));
  if (!policy || problems.length) throw new Error(`policy: ${JSON.stringify(problems)}`);
  return policy;
}

function planFor(write: string[], tree: Record<string, string[]> = {}): SandboxPlan {
  const policy = policyWith(write);
  const team = policy.teams.find((candidate) => candidate.name === 'fw')!;
  return writePlan(policy, team, TOP, GIT, { listDir: (dir) => tree[dir] ?? [] });
}

describe('pathOfPattern', () => {
  test.each([
    ['fw/', { path: 'fw', dir: true }],
    ['fw', { path: 'fw', dir: false }],
    ['docs/plan.md', { path: 'docs/plan.md', dir: false }],
    ['./fw/../pm/', { path: 'pm', dir: true }],
    [':(literal)a*b', { path: 'a*b', dir: false }],
    [':/fw/', { path: 'fw', dir: true }],
    ['fw/*', { path: 'fw', dir: true }],
    [':(glob)fw/**', { path: 'fw', dir: true }],
    ['*', { path: '', dir: true }],
    ['.', { path: '', dir: true }],
    [':(icase)123/', { path: '123', dir: true }],
  ])('%s is the path %j', (pattern, expected) => {
    expect(pathOfPattern(pattern)).toEqual(expected);
  });

  test.each(['*.md', ':(glob)src/**/*.ts', ':(glob)fw/*', 'fw*', 'fw/a?c', ':(icase)Docs/', 'fw/[ab]/'])('%s has no path', (pattern) => {
    expect(pathOfPattern(pattern)).toHaveProperty('why');
  });
});

describe('writePlan', () => {
  test('plain directories become writable; policy files, .claude/, .coord/ and git\'s hooks and config stay read-only', () => {
    const plan = planFor(['fw/', 'experiments/x/', 'docs/plan.md'], { [TOP]: ['.git', 'CLAUDE.md', 'docs', 'experiments', 'fw', 'pm', 'shared'], [`${TOP}/docs`]: ['plan.md', 'other.md'] });
    expect(plan.writable).toEqual([`${TOP}/fw`, `${TOP}/experiments/x`, `${TOP}/docs/plan.md`]);
    expect(plan.createDirs).toEqual([`${TOP}/fw`, `${TOP}/experiments/x`]);
    expect(plan.readOnly).toEqual(expect.arrayContaining([
      `${TOP}/fw/CLAUDE.md`, `${TOP}/pm/CLAUDE.md`, `${TOP}/CLAUDE.md`, `${TOP}/.coord/allowed_signers`, `${TOP}/.coord`, `${TOP}/.claude`,
      `${TOP}/.git/hooks`, `${TOP}/.git/config`, `${TOP}/.git/config.worktree`, `${TOP}/.git/info`, `${TOP}/.git/modules`,
    ]));
    expect(plan.gitWritable).toEqual([`${TOP}/.git`]);
    expect(plan.inexpressible).toEqual([]);
    // Claude's sandbox makes the working directory writable: what holds nothing of the team's is listed.
    expect(plan.outsideScope).toEqual([`${TOP}/CLAUDE.md`, `${TOP}/docs/other.md`, `${TOP}/pm`, `${TOP}/shared`]);
  });

  test('globs and case-insensitive patterns are inexpressible: stricter for positives, looser for excludes', () => {
    const plan = planFor(['fw/', ':(glob)shared/**/*.fw.ts', '*.md', ':(icase)Notes/', ':!:(glob)fw/**/*.gen.ts']);
    expect(plan.writable).toEqual([`${TOP}/fw`]);
    expect(plan.inexpressible.map((entry) => entry.pattern)).toEqual([':(glob)shared/**/*.fw.ts', '*.md', ':(icase)Notes/', ':!:(glob)fw/**/*.gen.ts']);
    expect(plan.inexpressible[0].why).toMatch(/cannot write what it selects/);
    expect(plan.inexpressible[3].why).toMatch(/may still write what it excludes.*guard and the git hooks/);
  });

  test('a plain exclude inside a writable directory is read-only and wins over a deeper writable path', () => {
    const plan = planFor(['fw/', ':!fw/vendor/', 'fw/vendor/keep/', ':!elsewhere/']);
    expect(plan.writable).toEqual([`${TOP}/fw`]);
    expect(plan.readOnly).toContain(`${TOP}/fw/vendor`);
    expect(plan.readOnly).not.toContain(`${TOP}/elsewhere`);
  });

  test('only excludes: everything but them, the top included; nothing is outside the scope', () => {
    const plan = planFor([':!secret/'], { [TOP]: ['fw', 'secret'] });
    expect(plan.writable).toEqual([TOP]);
    expect(plan.createDirs).toEqual([]);
    expect(plan.readOnly).toContain(`${TOP}/secret`);
    expect(plan.outsideScope).toEqual([]);
  });

  test('a policy file or the git directory is never writable, whatever the patterns say', () => {
    const plan = planFor(['fw/', 'CLAUDE.md', '.coord/', '.git/']);
    expect(plan.writable).toEqual([`${TOP}/fw`]);
  });

  test('a linked worktree: both git directories are writable, the worktree\'s commondir and gitdir are not', () => {
    const policy = policyWith(['fw/']);
    const plan = writePlan(policy, policy.teams.find((team) => team.name === 'fw')!, '/wt', { gitDir: `${TOP}/.git/worktrees/wt`, commonDir: `${TOP}/.git` }, { listDir: () => [] });
    expect(plan.gitWritable).toEqual([`${TOP}/.git/worktrees/wt`, `${TOP}/.git`]);
    expect(plan.readOnly).toEqual(expect.arrayContaining([`${TOP}/.git/worktrees/wt/commondir`, `${TOP}/.git/worktrees/wt/gitdir`, `${TOP}/.git/hooks`, `${TOP}/.git/worktrees/wt/config.worktree`]));
  });
});

describe('orderMounts', () => {
  test('outer paths first; read-only wins at the same path', () => {
    expect(orderMounts([
      { path: '/r/fw/CLAUDE.md', mode: 'ro' }, { path: '/r/fw', mode: 'rw' }, { path: '/r', mode: 'ro' },
      { path: '/r/.git', mode: 'rw' }, { path: '/r/.git/hooks', mode: 'rw' }, { path: '/r/.git/hooks', mode: 'ro' },
    ])).toEqual([
      { path: '/r', mode: 'ro' }, { path: '/r/.git', mode: 'rw' }, { path: '/r/fw', mode: 'rw' },
      { path: '/r/.git/hooks', mode: 'ro' }, { path: '/r/fw/CLAUDE.md', mode: 'ro' },
    ]);
  });
});

describe('claudeSandboxSettings', () => {
  test('the sandbox block, absolute //paths, and Edit denials for policy files and .claude/', () => {
    const plan = planFor(['fw/', ':(glob)shared/**/*.fw.ts'], { [TOP]: ['.git', 'CLAUDE.md', 'fw', 'pm'] });
    const { settings, notes } = claudeSandboxSettings(plan);
    expect(settings.sandbox).toMatchObject({ enabled: true, failIfUnavailable: true, allowUnsandboxedCommands: false });
    const filesystem = settings.sandbox.filesystem as { allowWrite: string[]; denyWrite: string[] };
    expect(filesystem.allowWrite).toEqual([`/${TOP}/fw`, `/${TOP}/.git`]);
    expect(filesystem.denyWrite).toEqual(expect.arrayContaining([`/${TOP}/CLAUDE.md`, `/${TOP}/pm`, `/${TOP}/fw/CLAUDE.md`, `/${TOP}/.claude`, `/${TOP}/.git/hooks`, `/${TOP}/.git/config`]));
    expect(filesystem.denyWrite.every((path) => path.startsWith('//'))).toBe(true);
    expect(settings.permissions.deny).toEqual(expect.arrayContaining([
      `Edit(/${TOP}/fw/CLAUDE.md)`, `Edit(/${TOP}/.claude/**)`, `Edit(/${TOP}/.coord/**)`, `Edit(/${TOP}/.git/hooks/**)`,
    ]));
    // Outside-scope paths stay with the guard (it knows globs); only never-writable paths are denied here.
    expect(settings.permissions.deny).not.toContain(`Edit(/${TOP}/pm/**)`);
    expect(notes.join('\n')).toMatch(/working directory/);
    expect(notes.join('\n')).toMatch(/shared\/\*\*\/\*\.fw\.ts/);
  });
});
