import { buildPolicy } from '../../policy/build';
import type { BuildResult } from '../../policy/build';
import { formatProblems, PolicyError, suggestKey } from '../../policy/problems';
import { CoordError, EXIT_USAGE } from '../../core/errors';

function build(files: Record<string, string>): BuildResult {
  return buildPolicy(Object.entries(files).map(([path, text]) => ({ path, text })));
}

/** Every problem as `file:line:col: message` plus its fix line. */
function report(files: Record<string, string>): string {
  return formatProblems(build(files).problems);
}

const fm = (yaml: string, body = '# Notes for the agent\n') => `---\n${yaml}---\n${body}`;
const FW = fm('scope:\n  write: ["fw/"]\n');

describe('buildPolicy: valid policies', () => {
  it('builds teams sorted by name with defaults, ignoring CLAUDE.md files without front-matter', () => {
    const result = build({
      'pm/CLAUDE.md': fm('scope:\n  write: ["pm/", "docs/plan.md"]\n'),
      'fw/CLAUDE.md': fm('team: fw\nscope:\n  write: ["fw/", ":(glob)src/**/*.ts", ":!fw/vendor/"]\n  read: ["fw/", "docs/"]\nmembers: [alice, ci-fw]\n'),
      'teams/qa/CLAUDE.md': fm('scope: {write: ["test/"]}\n'),
      'docs/CLAUDE.md': '# Docs\n\nNo front-matter: not policy.\n',
      'CLAUDE.md': '# Repository notes\n',
    });
    expect(result.problems).toEqual([]);
    const policy = result.policy!;
    expect(policy.teams.map((team) => team.name)).toEqual(['fw', 'pm', 'qa']);
    const [fw, pm, qa] = policy.teams;
    expect(fw.write.map((pattern) => pattern.text)).toEqual(['fw/', ':(glob)src/**/*.ts', ':!fw/vendor/']);
    expect(fw.write[2].spec.exclude).toBe(true);
    expect(fw.write[1].pos).toEqual({ file: 'fw/CLAUDE.md', line: 4, col: 18 });
    expect(fw.read.map((pattern) => pattern.text)).toEqual(['fw/', 'docs/']);
    expect(fw.members).toEqual(['alice', 'ci-fw']);
    expect(fw.pos).toEqual({ file: 'fw/CLAUDE.md', line: 2, col: 7 });
    expect(pm).toMatchObject({ name: 'pm', file: 'pm/CLAUDE.md', members: ['pm'] });
    expect(pm.read.map((pattern) => pattern.text)).toEqual(['*']);
    expect(qa.file).toBe('teams/qa/CLAUDE.md');
    expect(policy.coord).toEqual({ protected: ['main'], architects: ['architect'], signers: '.coord/allowed_signers', identity: 'ref',
      onRoundComplete: [], extraBranches: [], extraRefs: [], deleteBranch: 'team', otherTags: 'architect' });
    expect(policy.policyFiles).toEqual(['.coord/allowed_signers', 'fw/CLAUDE.md', 'pm/CLAUDE.md', 'teams/qa/CLAUDE.md']);
  });

  it('reads the coord block of the root CLAUDE.md (kebab-case keys)', () => {
    const result = build({
      'CLAUDE.md': fm([
        'coord:',
        '  protected: [main, release]',
        '  architects: [lead, lead-bot]',
        '  signers: .keys/signers',
        '  identity: signature',
        '  on-round-complete: ["make notify", "./scripts/next-round.sh"]',
        '  extra-branches: ["scratch/", ":(glob)exp-*"]',
        '  extra-refs: ["refs/notes/", ":(glob)refs/ci/*/status"]',
        '  delete-branch: architect',
        '  other-tags: anyone',
        '  agent: ./scripts/agent.sh',
        'team: core',
        'scope:',
        '  write: ["core/"]',
        '',
      ].join('\n')),
      'fw/CLAUDE.md': FW,
    });
    expect(result.problems).toEqual([]);
    expect(result.policy!.coord).toEqual({ protected: ['main', 'release'], architects: ['lead', 'lead-bot'], signers: '.keys/signers',
      identity: 'signature', onRoundComplete: ['make notify', './scripts/next-round.sh'], extraBranches: ['scratch/', ':(glob)exp-*'],
      extraRefs: ['refs/notes/', ':(glob)refs/ci/*/status'], deleteBranch: 'architect', otherTags: 'anyone', agent: './scripts/agent.sh', pos: { file: 'CLAUDE.md', line: 2, col: 1 } });
    expect(result.policy!.teams.map((team) => team.name)).toEqual(['core', 'fw']);
    expect(result.policy!.policyFiles).toEqual(['.keys/signers', 'CLAUDE.md', 'fw/CLAUDE.md']);
  });

  it('keeps positions right in a file with a BOM and CRLF line endings', () => {
    const result = build({ 'fw/CLAUDE.md': '\uFEFF---\r\nscope:\r\n  write:\r\n    - fw/\r\n---\r\n' });
    expect(result.problems).toEqual([]);
    expect(result.policy!.teams[0].write[0].pos).toEqual({ file: 'fw/CLAUDE.md', line: 4, col: 7 });
  });

  it('treats empty front-matter as an (architect-only) policy file with a warning', () => {
    const result = build({ 'notes/CLAUDE.md': '---\n---\n# Notes\n' });
    expect(result.problems).toEqual([]);
    expect(result.policy!.teams).toEqual([]);
    expect(result.policy!.policyFiles).toContain('notes/CLAUDE.md');
    expect(formatProblems(result.warnings)).toContain('notes/CLAUDE.md:2:1: front-matter is empty');
  });

  it('warns when a write list has only exclude patterns', () => {
    const result = build({ 'fw/CLAUDE.md': fm('scope:\n  write: [":!secret/"]\n') });
    expect(result.policy).toBeDefined();
    expect(formatProblems(result.warnings)).toContain('fw/CLAUDE.md:3:3: scope.write has only exclude patterns');
  });

  it('accepts every kind of pattern the contract names', () => {
    const result = build({ 'fw/CLAUDE.md': fm('scope:\n  write: ["fw/", "*", ":(glob)src/**/*.ts", ":(exclude)fw/gen/", ":!fw/tmp/", ":(icase)Docs/"]\n') });
    expect(result.problems).toEqual([]);
  });
});

describe('buildPolicy: every problem names file, line and column', () => {
  it('bad YAML, at the position YAML reports', () => {
    expect(report({ 'fw/CLAUDE.md': fm('scope:\n  write: ["fw/"]\n  read: [docs/\n') })).toMatch(/^fw\/CLAUDE\.md:5:1: YAML: /m);
    expect(report({ 'fw/CLAUDE.md': fm('scope:\n  write: [*]\n') })).toContain('fw/CLAUDE.md:3:11: YAML: Alias cannot be an empty string');
  });

  it('unclosed front-matter', () => {
    expect(report({ 'fw/CLAUDE.md': '---\nscope:\n  write: [fw/]\n# Notes\n' })).toContain('fw/CLAUDE.md:1:1: front-matter opened by "---" on line 1 is never closed');
  });

  it('front-matter that is not a map', () => {
    const text = report({ 'fw/CLAUDE.md': fm('- fw/\n- docs/\n') });
    expect(text).toContain('fw/CLAUDE.md:2:1: front-matter must be a map of keys, found a list');
    expect(report({ 'fw/CLAUDE.md': fm('just some text\n') })).toContain('fw/CLAUDE.md:2:1: front-matter must be a map of keys, found a string');
  });

  it('unknown keys, with the closest known key', () => {
    const text = report({ 'fw/CLAUDE.md': fm('scope:\n  write: ["fw/"]\n  wirte: ["docs/"]\nmemebers: [a]\nowner: bob\n') });
    expect(text).toContain('fw/CLAUDE.md:4:3: unknown key "wirte" in scope; did you mean "write"?\n    fix: rename "wirte" to "write".');
    expect(text).toContain('fw/CLAUDE.md:5:1: unknown key "memebers" in front-matter; did you mean "members"?');
    expect(text).toContain('fw/CLAUDE.md:6:1: unknown key "owner" in front-matter\n    fix: remove "owner" (known keys in front-matter: team, scope, members, accounts, coord).');
  });

  it('keys at the wrong level say where they belong', () => {
    const text = report({ 'fw/CLAUDE.md': fm('write: ["fw/"]\n'), 'CLAUDE.md': fm('identity: pusher\n') });
    expect(text).toContain('fw/CLAUDE.md:2:1: unknown key "write" in front-matter');
    expect(text).toContain('fix: move "write" under "scope:"');
    expect(text).toContain('CLAUDE.md:2:1: unknown key "identity" in front-matter');
    expect(text).toContain('fix: move "identity" under "coord:" in the root CLAUDE.md front-matter.');
  });

  it('unknown coord keys in another spelling suggest the kebab-case key', () => {
    const text = report({ 'CLAUDE.md': fm('coord:\n  onRoundComplete: ["make notify"]\n  delete_branch: team\n') });
    expect(text).toContain('CLAUDE.md:3:3: unknown key "onRoundComplete" in coord; did you mean "on-round-complete"?');
    expect(text).toContain('CLAUDE.md:4:3: unknown key "delete_branch" in coord; did you mean "delete-branch"?');
  });

  it('duplicate team names: an error at both places, each naming the other', () => {
    const result = build({ 'fw/CLAUDE.md': FW, 'framework/CLAUDE.md': fm('\nteam: fw\nscope:\n  write: ["framework/"]\n') });
    const text = formatProblems(result.problems);
    expect(result.policy).toBeUndefined();
    expect(text).toContain('framework/CLAUDE.md:3:7: team "fw" is also declared at fw/CLAUDE.md:2:1');
    expect(text).toContain('fw/CLAUDE.md:2:1: team "fw" is also declared at framework/CLAUDE.md:3:7');
  });

  it('a scope without write, or with an empty write list', () => {
    expect(report({ 'fw/CLAUDE.md': fm('scope:\n  read: ["*"]\n') })).toContain('fw/CLAUDE.md:2:1: scope has no "write" list');
    expect(report({ 'fw/CLAUDE.md': fm('scope:\n  write: []\n') })).toContain('fw/CLAUDE.md:3:10: scope.write is empty');
    expect(report({ 'fw/CLAUDE.md': fm('scope:\n  write:\n') })).toMatch(/fw\/CLAUDE\.md:3:\d+: scope\.write must be a list of strings, found nothing \(null\)/);
  });

  it('scope that is not a map, and write that is not a list', () => {
    expect(report({ 'fw/CLAUDE.md': fm('scope: fw/\n') })).toContain('fw/CLAUDE.md:2:8: scope must be a map of keys, found a string ("fw/")');
    expect(report({ 'fw/CLAUDE.md': fm('scope:\n  write: fw/\n') })).toContain('fw/CLAUDE.md:3:10: scope.write must be a list of strings, found a string ("fw/")');
  });

  it('non-string entries: a number, null, a nested list, a map', () => {
    const text = report({ 'fw/CLAUDE.md': fm('scope:\n  write:\n    - "fw/"\n    - 42\n    - null\n    - [a, b]\n    - key: value\n') });
    expect(text).toContain('fw/CLAUDE.md:5:7: scope.write[1] must be a string, found a number (42)\n    fix: put the value in quotes so it is a string: "42".');
    expect(text).toContain('fw/CLAUDE.md:6:7: scope.write[2] must be a string, found nothing (null)');
    expect(text).toContain('fw/CLAUDE.md:7:7: scope.write[3] must be a string, found a list');
    expect(text).toContain('fw/CLAUDE.md:8:7: scope.write[4] must be a string, found a map');
    expect(report({ 'fw/CLAUDE.md': fm('team: 007\nscope: {write: [fw/]}\n') })).toContain('fw/CLAUDE.md:2:7: team must be a string, found a number (7)\n    fix: put the value in quotes so it is a string: "007".');
  });

  it('a pattern that is not a valid pathspec, with the parser\'s message', () => {
    const text = report({ 'fw/CLAUDE.md': fm('scope:\n  write: ["fw/", ":(foo)src/"]\n  read: [":(glob"]\n') });
    expect(text).toMatch(/fw\/CLAUDE\.md:3:18: scope\.write pattern ":\(foo\)src\/" is not a valid git pathspec: \S/);
    expect(text).toMatch(/fw\/CLAUDE\.md:4:10: scope\.read pattern ":\(glob" is not a valid git pathspec: \S/);
    expect(report({ 'CLAUDE.md': fm('coord:\n  extra-branches: [":(nope)x"]\n') })).toMatch(/CLAUDE\.md:3:20: coord\.extra-branches pattern ":\(nope\)x" is not a valid git pathspec/);
  });

  it('extra-refs may not cover branches, tags or replace refs, nor everything under refs/', () => {
    const text = report({ 'CLAUDE.md': fm('coord:\n  extra-refs: ["refs/replace/", "refs/heads/x/", ":(icase)REFS/TAGS/", "refs/", "refs/*", "notes/", "refs/n*/", "refs/notes/"]\n') });
    for (const bad of ['refs/replace/', 'refs/heads/x/', ':(icase)REFS/TAGS/', 'refs/', 'refs/*', 'notes/', 'refs/n*/']) {
      expect(text).toContain(`coord.extra-refs entry "${bad}"`);
    }
    expect(text).not.toContain('entry "refs/notes/"');
    expect(text).toMatch(/CLAUDE\.md:3:16: coord\.extra-refs entry "refs\/replace\/" covers refs\/replace\//);
    expect(report({ 'CLAUDE.md': fm('coord:\n  extra-refs: [":(exclude)refs/private/"]\n') })).toContain('coord.extra-refs has only exclude patterns');
    expect(build({ 'CLAUDE.md': fm('coord:\n  extra-refs: ["refs/notes/", ":(exclude)refs/notes/private/"]\n') }).problems).toEqual([]);
  });

  it('bad team names, explicit or taken from the directory, and the reserved name', () => {
    expect(report({ 'fw/CLAUDE.md': fm('team: Fw Team\nscope: {write: [fw/]}\n') })).toContain('fw/CLAUDE.md:2:7: team name "Fw Team" is not valid');
    const fromDir = report({ 'Web UI/CLAUDE.md': fm('scope: {write: ["Web UI/"]}\n') });
    expect(fromDir).toContain('Web UI/CLAUDE.md:2:1: team name "Web UI" (taken from the directory name) is not valid');
    expect(fromDir).toContain('fix: add "team:" with a valid name, e.g. "team: web-ui".');
    expect(report({ 'architect/CLAUDE.md': fm('scope: {write: [architect/]}\n') })).toContain('architect/CLAUDE.md:2:1: team name "architect" (taken from the directory name) is reserved');
    expect(report({ 'x/CLAUDE.md': fm('team: a..b\nscope: {write: [x/]}\n') })).toContain('x/CLAUDE.md:2:7: team name "a..b" is not valid');
  });

  it('a root CLAUDE.md scope without a team name', () => {
    expect(report({ 'CLAUDE.md': fm('scope:\n  write: ["src/"]\n') })).toContain('CLAUDE.md:2:1: the root CLAUDE.md declares a scope but no team name');
  });

  it('team or members without a scope', () => {
    const text = report({ 'fw/CLAUDE.md': fm('team: fw\nmembers: [alice]\n') });
    expect(text).toContain('fw/CLAUDE.md:2:1: "team" is set but there is no "scope"');
    expect(text).toContain('fw/CLAUDE.md:3:1: "members" is set but there is no "scope"');
  });

  it('bad enum values', () => {
    const text = report({ 'CLAUDE.md': fm('coord:\n  identity: user\n  delete-branch: anyone\n  other-tags: nobody\n') });
    expect(text).toContain('CLAUDE.md:3:13: coord.identity "user" is not one of: ref, pusher, signature\n    fix: set "identity:" to one of "ref", "pusher", "signature".');
    expect(text).toContain('CLAUDE.md:4:18: coord.delete-branch "anyone" is not one of: team, architect');
    expect(text).toContain('CLAUDE.md:5:15: coord.other-tags "nobody" is not one of: architect, anyone');
  });

  it('coord.agent: a non-empty string (the command `up` runs per team)', () => {
    const text = report({ 'CLAUDE.md': fm('coord:\n  agent: ["claude"]\n') });
    expect(text).toContain('CLAUDE.md:3:10: coord.agent');
    expect(report({ 'CLAUDE.md': fm('coord:\n  agent: "  "\n') })).toContain('CLAUDE.md:3:10: coord.agent is an empty string');
  });

  it('other coord values: protected branch names, architects, signers path', () => {
    const text = report({ 'CLAUDE.md': fm('coord:\n  protected: ["refs/heads/ma in", main]\n  architects: []\n  signers: ../keys\n') });
    expect(text).toContain('CLAUDE.md:3:15: coord.protected entry "refs/heads/ma in" is not a valid branch name');
    expect(text).toContain('CLAUDE.md:4:15: coord.architects is empty');
    expect(text).toContain('CLAUDE.md:5:12: coord.signers "../keys" is not a repository-relative file path');
    expect(report({ 'CLAUDE.md': fm('coord: [main]\n') })).toContain('CLAUDE.md:2:8: coord must be a map of keys, found a list');
  });

  it('coord outside the root CLAUDE.md', () => {
    expect(report({ 'fw/CLAUDE.md': fm('scope:\n  write: ["fw/"]\ncoord:\n  identity: pusher\n') }))
      .toContain('fw/CLAUDE.md:4:1: "coord" is only allowed in the root CLAUDE.md');
  });

  it('duplicate YAML keys, naming the first', () => {
    const text = report({ 'fw/CLAUDE.md': fm('scope:\n  write: ["fw/"]\n  write: ["docs/"]\n') });
    expect(text).toContain('fw/CLAUDE.md:4:3: duplicate key "write" in scope (first at fw/CLAUDE.md:3:3)');
  });

  it('a host user acting for two teams', () => {
    const text = report({ 'fw/CLAUDE.md': fm('scope: {write: [fw/]}\nmembers: [alice]\n'), 'pm/CLAUDE.md': fm('scope: {write: [pm/]}\nmembers: [bob, alice]\n') });
    expect(text).toContain('pm/CLAUDE.md:3:16: host user "alice" already acts for team "fw" (fw/CLAUDE.md:3:11)');
  });

  it('a team named like a protected branch', () => {
    expect(report({ 'main/CLAUDE.md': fm('scope: {write: [main/]}\n') })).toContain('main/CLAUDE.md:2:1: team "main" has the name of the protected branch "main"');
  });

  it('collects every problem of every file, sorted, and returns no policy', () => {
    const result = build({
      'fw/CLAUDE.md': fm('scope:\n  wirte: [fw/]\n'),
      'pm/CLAUDE.md': fm('scope: [pm/]\nteam: PM\n'),
      'qa/CLAUDE.md': fm('scope:\n  write: [1, 2]\n'),
      'CLAUDE.md': fm('coord:\n  identity: users\n'),
    });
    expect(result.policy).toBeUndefined();
    const where = result.problems.map((p) => `${p.file}:${p.line}:${p.col}`);
    expect(where).toEqual(expect.arrayContaining(['CLAUDE.md:3:13', 'fw/CLAUDE.md:2:1', 'fw/CLAUDE.md:3:3', 'pm/CLAUDE.md:2:8', 'pm/CLAUDE.md:3:7', 'qa/CLAUDE.md:3:11', 'qa/CLAUDE.md:3:14']));
    expect(where).toEqual([...where].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })));
    for (const problem of result.problems) expect(problem.fix).toMatch(/\.$/);
  });
});

describe('formatProblems and PolicyError', () => {
  const problems = [{ file: 'fw/CLAUDE.md', line: 4, col: 5, message: 'scope.write is empty', fix: 'list at least one pattern.' }];

  it('prints file:line:col: message and an indented fix line', () => {
    expect(formatProblems(problems)).toBe('fw/CLAUDE.md:4:5: scope.write is empty\n    fix: list at least one pattern.');
  });

  it('PolicyError is a CoordError with exit code 2, the list as message and a hint to docs/policy.md', () => {
    const error = new PolicyError(problems, 'the policy on main');
    expect(error).toBeInstanceOf(CoordError);
    expect(error.exitCode).toBe(EXIT_USAGE);
    expect(error.message).toBe(formatProblems(problems));
    expect(error.problems).toBe(problems);
    expect(error.hint).toContain('docs/policy.md');
    expect(error.hint).toContain('the policy on main');
  });

  it('suggestKey finds typos and other spellings, and nothing for unrelated words', () => {
    expect(suggestKey('wirte', ['write', 'read'])).toBe('write');
    expect(suggestKey('Write', ['write', 'read'])).toBe('write');
    expect(suggestKey('extra_branches', ['extra-branches'])).toBe('extra-branches');
    expect(suggestKey('owner', ['team', 'scope', 'members', 'coord'])).toBeUndefined();
  });
});
