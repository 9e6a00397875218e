/**
 * The Claude Code PreToolUse guard, run as Claude Code runs it: the compiled CLI in a fresh process,
 * the tool call as JSON on stdin, in real clones. Exit 2 blocks (reason on stderr); 0 allows silently.
 */
import { mkdirSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { guardTool, preToolUse, runGuard } from '../../fixtures/client-hooks';
import { STANDARD_POLICY } from '../../fixtures/policies';
import { bashWrites } from '../../hooks/guard-bash';
import { initRepo, removeDir, type Repo } from '../../fixtures/repo';
import { makeSetup, type Setup } from '../../fixtures/server';

let setup: Setup;
let fw: Repo;
let ops: Repo;

const OPS_CLAUDE = '---\nscope:\n  write: ["ops/"]\n  read: ["ops/", "shared/"]\n---\n# ops\n';

beforeAll(async () => {
  setup = await makeSetup({ policy: { ...STANDARD_POLICY, 'ops/CLAUDE.md': OPS_CLAUDE } });
  fw = setup.clone('fw');
  fw.git(['config', 'coord-hooks.team', 'fw']);
  ops = setup.clone('ops');
  ops.git(['checkout', '-q', '-b', 'ops/round-1']); // team from the branch name
});

afterAll(() => removeDir(setup.root));

async function expectBlocked(repo: Repo, tool: string, input: Record<string, unknown>, ...expected: (string | RegExp)[]) {
  const result = await guardTool(repo, tool, input);
  expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 2, stdout: '' });
  for (const text of expected) expect(result.stderr).toMatch(text);
  return result.stderr;
}

async function expectAllowed(repo: Repo, tool: string, input: Record<string, unknown>, cwd?: string) {
  const result = await guardTool(repo, tool, input, cwd);
  expect({ code: result.code, stdout: result.stdout, stderr: result.stderr }).toEqual({ code: 0, stdout: '', stderr: '' });
}

describe('writes', () => {
  test('out-of-scope Write is blocked with the scope, the owner and what to do', async () => {
    const stderr = await expectBlocked(fw, 'Write', { file_path: join(fw.dir, 'pm/plan.md'), content: 'x' },
      'blocked Write to pm/plan.md', "outside team fw's write scope; it belongs to team pm", 'team fw may write: fw/, experiments/x/',
      'write inside fw/… or experiments/x/… instead, or ask the architect: coord-hooks reply');
    expect(stderr).toContain('policy from origin/main');
  });

  test('in-scope Edit and MultiEdit are allowed, relative paths against cwd', async () => {
    await expectAllowed(fw, 'Edit', { file_path: join(fw.dir, 'fw/README.md'), old_string: 'a', new_string: 'b' });
    await expectAllowed(fw, 'MultiEdit', { file_path: '../experiments/x/new.txt', edits: [] }, join(fw.dir, 'fw'));
  });

  test('`..` is normalised before judging: fw/../pm/x is pm/x', async () => {
    await expectBlocked(fw, 'Write', { file_path: join(fw.dir, 'fw/../pm/x'), content: '' }, 'blocked Write to pm/x');
    await expectBlocked(fw, 'Write', { file_path: 'fw/../../ops/x' }, 'inside another git repository');
  });

  test('a write through a symlinked directory in scope that points outside it is blocked', async () => {
    fw.symlink('fw/pm-link', '../pm');
    fw.symlink('fw/dangling', '../qa/new-dir/file.txt');
    await expectBlocked(fw, 'Write', { file_path: join(fw.dir, 'fw/pm-link/sneaky.md') }, 'blocked Write to pm/sneaky.md', 'it belongs to team pm');
    await expectBlocked(fw, 'Write', { file_path: join(fw.dir, 'fw/dangling') }, 'blocked Write to qa/new-dir/file.txt');
  });

  test('policy files, the agent config, the git directory and the hooks are blocked', async () => {
    await expectBlocked(fw, 'Edit', { file_path: join(fw.dir, 'fw/CLAUDE.md') }, 'policy file', 'REPLY.md');
    await expectBlocked(fw, 'Write', { file_path: join(fw.dir, 'fw/sub/CLAUDE.md') }, 'policy file');
    await expectBlocked(fw, 'Write', { file_path: join(fw.dir, '.coord/allowed_signers') }, 'policy file');
    await expectBlocked(fw, 'Write', { file_path: join(fw.dir, '.claude/settings.json') }, 'blocked Write to .claude/settings.json', 'configures the agent');
    await expectBlocked(fw, 'Write', { file_path: join(fw.dir, '.git/hooks/pre-commit') }, 'git directory');
    await expectBlocked(fw, 'Write', { file_path: join(fw.dir, '.git/config') }, 'git directory');
  });

  test('a path outside the repository is blocked for writes; inside another clone too', async () => {
    await expectBlocked(fw, 'Write', { file_path: '/opt/coord-hooks-guard-test.txt' }, 'outside the repository');
    await expectBlocked(fw, 'Write', { file_path: join(ops.dir, 'pm', 'x.md') }, 'inside another git repository');
    await expectBlocked(fw, 'Edit', { file_path: join(setup.server.dir, 'hooks', 'pre-receive') }, 'inside another git repository');
  });

  test('Claude Code\'s own files (~/.claude: plans, memory) and the temp directory are not the repository\'s business', async () => {
    await expectAllowed(fw, 'Write', { file_path: join(fw.env.HOME!, '.claude', 'plans', 'plan.md'), content: 'x' });
    await expectAllowed(fw, 'Edit', { file_path: join(fw.env.HOME!, '.claude', 'projects', 'p', 'memory', 'MEMORY.md') });
    await expectAllowed(fw, 'Write', { file_path: join(tmpdir(), 'coord-hooks-scratch', 'notes.txt') });
    await expectAllowed(fw, 'Write', { file_path: join(setup.root, 'scratch.txt') });
    await expectBlocked(fw, 'Write', { file_path: join(fw.env.HOME!, '.claude', 'settings.json'), content: '{"disableAllHooks": true}' }, 'configures the agent and this guard');
    await expectBlocked(fw, 'Write', { file_path: join(fw.env.HOME!, '.claude', 'plugins', 'p', 'hooks.json') }, 'configures the agent');
    await expectBlocked(fw, 'Bash', { command: `echo '{}' > ${join(fw.env.HOME!, '.claude', 'settings.local.json')}` }, 'configures the agent');
    const custom = await runGuard(fw.dir, preToolUse(fw.dir, 'Write', { file_path: '/opt/claude-config/plans/x.md' }), { ...fw.env, CLAUDE_CONFIG_DIR: '/opt/claude-config' });
    expect(custom.code).toBe(0);
  });

  test('NotebookEdit is judged by notebook_path, both ways', async () => {
    await expectAllowed(fw, 'NotebookEdit', { notebook_path: join(fw.dir, 'fw/analysis.ipynb'), new_source: '' });
    await expectBlocked(fw, 'NotebookEdit', { notebook_path: join(fw.dir, 'pm/analysis.ipynb'), new_source: '' }, 'blocked NotebookEdit to pm/analysis.ipynb');
  });

  test('before anything is committed, the policy comes from the work tree', async () => {
    const fresh = initRepo(join(setup.root, 'fresh'), setup.env);
    for (const [path, content] of Object.entries(STANDARD_POLICY)) fresh.write(path, content);
    const env = { ...fresh.env, COORD_HOOKS_TEAM: 'pm' };
    const blocked = await runGuard(fresh.dir, preToolUse(fresh.dir, 'Write', { file_path: 'fw/x' }), env);
    expect(blocked.code).toBe(2);
    expect(blocked.stderr).toContain('policy from work tree');
    expect((await runGuard(fresh.dir, preToolUse(fresh.dir, 'Write', { file_path: 'pm/x' }), env)).code).toBe(0);
  });

  test('REPLY.md: allowed on the team\'s own round branch only, as the gate allows it', async () => {
    await expectAllowed(ops, 'Write', { file_path: 'rounds/1/ops/REPLY.md', content: 'done' });
    await expectBlocked(ops, 'Write', { file_path: 'rounds/2/ops/REPLY.md', content: 'x' }, /outside team ops's write scope/);
    await expectBlocked(ops, 'Write', { file_path: 'rounds/1/fw/REPLY.md', content: 'x' }, /outside team ops's write scope/);
    await expectBlocked(ops, 'Write', { file_path: 'rounds/1/ops/ANNOUNCEMENT.md', content: 'x' }, /outside team ops's write scope/);
    await expectBlocked(fw, 'Write', { file_path: 'rounds/1/fw/REPLY.md', content: 'x' }, /outside team fw's write scope/); // fw is on main
  });

  test('tools without path-like input are allowed', async () => {
    await expectAllowed(fw, 'WebFetch', { url: 'https://example.invalid' });
    await expectAllowed(fw, 'TodoWrite', { todos: [{ content: 'write pm/x', status: 'pending' }] });
    await expectAllowed(fw, 'mcp__github__create_issue', { title: 'x', body: 'pm/ is wrong', repo: 'o/r' });
  });
});

describe('MCP tools and other tools with path-like input', () => {
  test('a writing MCP tool is judged by every path-like key, nested ones too', async () => {
    await expectBlocked(fw, 'mcp__filesystem__write_file', { path: join(fw.dir, 'pm/x.md'), content: 'x' },
      'blocked mcp__filesystem__write_file to pm/x.md (input "path", judged as a write)', 'it belongs to team pm');
    await expectBlocked(fw, 'mcp__fs__move_file', { source: join(fw.dir, 'fw/a'), destination: 'qa/a' }, 'blocked mcp__fs__move_file to qa/a (input "destination"');
    await expectBlocked(fw, 'mcp__fs__move_file', { source: join(fw.dir, 'pm/README.md'), destination: 'fw/a' }, 'to pm/README.md (input "source"');
    await expectBlocked(fw, 'mcp__fs__edit', { edits: [{ filePath: 'fw/ok.txt' }, { filePath: 'fw/CLAUDE.md' }] }, 'input "edits[1].filePath"', 'policy file');
    await expectBlocked(fw, 'mcp__fs__write_many', { paths: ['fw/a', `file://${fw.dir}/pm/b`] }, 'blocked mcp__fs__write_many to pm/b (input "paths[1]"');
    await expectBlocked(fw, 'mcp__fs__write_file', { filename: '/opt/x' }, 'outside the repository');
    await expectAllowed(fw, 'mcp__filesystem__write_file', { path: join(fw.dir, 'fw/x.md'), content: 'x' });
    await expectAllowed(fw, 'mcp__fs__create_directory', { path: 'experiments/x/sub', url: 'https://example.invalid/pm/x' });
  });

  test('an MCP tool named for reading is judged as a read: free with read scope "*", checked with a narrow one', async () => {
    await expectAllowed(fw, 'mcp__filesystem__read_file', { path: join(fw.dir, 'pm/README.md') });
    await expectAllowed(fw, 'mcp__fs__list_directory', { path: '/etc' });
    await expectBlocked(ops, 'mcp__filesystem__read_file', { path: 'pm/README.md' }, 'blocked mcp__filesystem__read_file of pm/README.md (input "path", judged as a read)');
    await expectAllowed(ops, 'mcp__filesystem__get_file_info', { path: 'shared/config.txt' });
    // A reading verb first, a writing word after it: judged as a write.
    await expectBlocked(fw, 'mcp__fs__read_and_write_file', { path: join(fw.dir, 'pm/README.md') }, 'judged as a write');
    await expectBlocked(fw, 'mcp__fs__getOrCreateFile', { path: 'pm/new.md' }, 'judged as a write');
  });

  test('a call that names an attached machine cannot be judged here: blocked', async () => {
    await expectBlocked(fw, 'Write', { file_path: join(fw.dir, 'fw/x'), content: 'x', _host: 'buildbox' }, 'attached machine "buildbox"', 'cannot check this Write call');
  });
});

describe('reads', () => {
  test('with read scope "*" every read is allowed, even outside the repository', async () => {
    await expectAllowed(fw, 'Read', { file_path: join(fw.dir, 'pm/README.md') });
    await expectAllowed(fw, 'Read', { file_path: '/etc/hostname' });
    await expectAllowed(fw, 'Grep', { pattern: 'x' });
  });

  test('with a narrow read scope, reads outside it are blocked; inside, and policy files, allowed', async () => {
    await expectBlocked(ops, 'Read', { file_path: join(ops.dir, 'pm/README.md') }, 'blocked Read of pm/README.md', "outside team ops's read scope", 'team ops may read: ops/, shared/');
    await expectBlocked(ops, 'Read', { file_path: '/etc/hostname' }, 'outside the repository');
    await expectBlocked(ops, 'Read', { file_path: join(setup.root, 'fw', 'pm', 'README.md') }, 'inside another git repository');
    await expectBlocked(ops, 'Grep', { pattern: 'x' }, 'blocked Grep of');
    await expectBlocked(ops, 'Glob', { pattern: 'pm/**/*.md' }, 'blocked Glob of pm');
    await expectAllowed(ops, 'Read', { file_path: join(ops.dir, 'shared/config.txt') });
    await expectAllowed(ops, 'Glob', { pattern: '**/*.txt', path: join(ops.dir, 'shared') });
    await expectAllowed(ops, 'Grep', { pattern: 'x', path: 'ops' });
    await expectAllowed(ops, 'Read', { file_path: join(ops.dir, 'CLAUDE.md') });
    await expectAllowed(ops, 'Read', { file_path: join(ops.env.HOME!, '.claude', 'plans', 'plan.md') });
  });

  test('LSP is a read of its filePath', async () => {
    await expectBlocked(ops, 'LSP', { operation: 'hover', filePath: join(ops.dir, 'pm/main.ts'), line: 1, character: 1 }, 'blocked LSP of pm/main.ts');
    await expectAllowed(ops, 'LSP', { operation: 'documentSymbol', filePath: join(ops.dir, 'ops/main.ts'), line: 1, character: 1 });
    await expectAllowed(ops, 'LSP', { operation: 'workspaceSymbol', query: 'x' });
    await expectAllowed(fw, 'LSP', { operation: 'hover', filePath: join(fw.dir, 'pm/main.ts'), line: 1, character: 1 });
  });
});

describe('Bash (advisory)', () => {
  test('a redirection into another team\'s directory is flagged, with the advisory label', async () => {
    await expectBlocked(fw, 'Bash', { command: 'echo x > pm/a' }, 'advisory', 'the server gate catches what this misses', 'writes pm/a (`>` redirection)');
  });

  test('tee, mv/cp destinations, rm, sed -i, touch, after cd', async () => {
    await expectBlocked(fw, 'Bash', { command: 'date | tee -a fw/log qa/log' }, 'writes qa/log (tee)');
    await expectBlocked(fw, 'Bash', { command: 'cp fw/README.md pm/copy.md' }, 'writes pm/copy.md (cp)');
    await expectBlocked(fw, 'Bash', { command: 'mv -f fw/a.txt "shared/b c.txt"' }, 'writes shared/b c.txt (mv)', 'no team may write it');
    await expectBlocked(fw, 'Bash', { command: 'rm -rf qa/' }, 'writes qa (rm)');
    await expectBlocked(fw, 'Bash', { command: "sed -i 's/a/b/' pm/README.md" }, 'writes pm/README.md (sed -i)');
    await expectBlocked(fw, 'Bash', { command: 'cd pm && touch x' }, 'writes pm/x (touch)');
    await expectBlocked(fw, 'Bash', { command: 'cat > fw/CLAUDE.md <<EOF\n---\nscope: {}\nEOF' }, 'writes fw/CLAUDE.md', 'policy file');
  });

  test('reading commands, in-scope writes and scratch files outside the repository pass', async () => {
    await expectAllowed(fw, 'Bash', { command: 'ls' });
    await expectAllowed(fw, 'Bash', { command: 'grep -r x pm/ 2>/dev/null | head > fw/out.txt' });
    await expectAllowed(fw, 'Bash', { command: "echo '> pm/a' && sed 's/a/b/' pm/README.md > /tmp/coord-hooks-scratch" });
    await expectAllowed(fw, 'Bash', { command: 'cp pm/README.md fw/ && echo "$X" > "$OUT"' });
    await expectAllowed(fw, 'Bash', { command: 'mkdir -p fw && rm -rf fw/tmp/ experiments/x && cp -r pm/README.md qa/README.md fw' });
  });

  test('Monitor commands are looked at like Bash; a WebSocket monitor is allowed', async () => {
    await expectBlocked(fw, 'Monitor', { description: 'log', timeout_ms: 1000, command: 'tail -f fw/log | tee pm/copy.log' }, 'this Monitor command', 'writes pm/copy.log (tee)');
    await expectAllowed(fw, 'Monitor', { description: 'log', timeout_ms: 1000, command: 'tail -f fw/log' });
    await expectAllowed(fw, 'Monitor', { description: 'ws', timeout_ms: 1000, ws: { url: 'ws://127.0.0.1:1' } });
  });

  test('PowerShell: redirections and the cmdlets that write, with their aliases', async () => {
    await expectBlocked(fw, 'PowerShell', { command: 'Set-Content -Path pm\\notes.md -Value x' }, 'this PowerShell command', 'writes pm/notes.md (Set-Content)');
    await expectBlocked(fw, 'PowerShell', { command: 'Get-Date > qa/date.txt' }, 'writes qa/date.txt (`>` redirection)');
    await expectBlocked(fw, 'PowerShell', { command: "Copy-Item fw/a.txt -Destination 'pm/b.txt'" }, 'writes pm/b.txt (Copy-Item)');
    await expectBlocked(fw, 'PowerShell', { command: 'Set-Location pm; ni new.txt' }, 'writes pm/new.txt (New-Item)');
    await expectBlocked(fw, 'PowerShell', { command: 'Remove-Item -Recurse -Force qa' }, 'writes qa (Remove-Item)');
    await expectBlocked(fw, 'PowerShell', { command: '"x" | Out-File fw/CLAUDE.md' }, 'policy file');
    await expectBlocked(fw, 'PowerShell', { command: "$env:COORD_HOOKS = '0'; git push" }, '$env:COORD_HOOKS = 0');
    await expectAllowed(fw, 'PowerShell', { command: 'Get-ChildItem pm; Get-Content pm/README.md | Out-File fw/copy.md' });
    await expectAllowed(fw, 'PowerShell', { command: 'Set-Content -Path "$env:TEMP/x" -Value 1; Add-Content fw/log.txt x' });
  });

  test('skipping the client hooks is flagged', async () => {
    await expectBlocked(fw, 'Bash', { command: 'git commit --no-verify -m x' }, 'git --no-verify', 'server gate rejects');
    await expectBlocked(fw, 'Bash', { command: 'COORD_HOOKS=0 git push origin fw/x' }, 'COORD_HOOKS=0');
  });
});

describe('fails closed', () => {
  const run = (input: string, repo = fw) => runGuard(repo.dir, input, repo.env);

  test('garbage and empty stdin are blocked with a message', async () => {
    for (const input of ['{not json', '', '[1,2]', '"Write"']) {
      const result = await run(input);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/coord-hooks guard: cannot check this tool call, so it is blocked/);
    }
  });

  test('missing fields are blocked', async () => {
    const noPath = await run(preToolUse(fw.dir, 'Write', { content: 'x' }));
    expect(noPath.code).toBe(2);
    expect(noPath.stderr).toContain('tool_input.file_path is missing');
    const noCwd = await run(JSON.stringify({ hook_event_name: 'PreToolUse', tool_name: 'Write', tool_input: { file_path: 'fw/x' } }));
    expect(noCwd.code).toBe(2);
    expect(noCwd.stderr).toContain('no "cwd"');
  });

  test('an unknown team, or no team at all, is blocked', async () => {
    const stranger = setup.clone('stranger');
    stranger.git(['config', 'coord-hooks.team', 'nosuch']);
    await expectBlocked(stranger, 'Write', { file_path: join(stranger.dir, 'fw/x') }, 'no team "nosuch" in the policy', 'teams are: fw, ops, pm, qa');
    const nobody = setup.clone('nobody');
    await expectBlocked(nobody, 'Edit', { file_path: join(nobody.dir, 'fw/x') }, 'cannot tell which team', 'coord-hooks install --team T');
    const envTeam = await runGuard(nobody.dir, preToolUse(nobody.dir, 'Edit', { file_path: 'fw/x' }), { ...nobody.env, COORD_HOOKS_TEAM: 'fw' });
    expect(envTeam.code).toBe(0);
  });

  test('a cwd outside any repository is blocked', async () => {
    const outside = join(setup.root, 'not-a-repo');
    mkdirSync(outside, { recursive: true });
    const result = await runGuard(outside, preToolUse(outside, 'Write', { file_path: 'x' }), fw.env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is not inside a git work tree');
  });

  test('a timeout blocks', async () => {
    const result = await runGuard(fw.dir, preToolUse(fw.dir, 'Write', { file_path: 'fw/x' }), { ...fw.env, COORD_HOOKS_GUARD_TIMEOUT_MS: '1' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('took longer than 0.001 s');
  });

  test('a stalled check blocks at the deadline, and the environment cannot stretch it past 6 s', async () => {
    const started = Date.now();
    const result = await runGuard(fw.dir, preToolUse(fw.dir, 'Write', { file_path: 'fw/x' }),
      { ...fw.env, COORD_HOOKS_GUARD_TIMEOUT_MS: '3600000', COORD_HOOKS_GUARD_TEST_DELAY_MS: '3600000' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('took longer than 6 s, so this Write call is blocked');
    expect(Date.now() - started).toBeLessThan(10000);
  });

  test('a broken policy on the protected branch is blocked with the problems', async () => {
    const broken = setup.clone('broken');
    broken.git(['config', 'coord-hooks.team', 'fw']);
    broken.commit('break the policy locally', { 'fw/CLAUDE.md': '---\nscope:\n  wirte: ["fw/"]\n---\n' });
    broken.git(['update-ref', 'refs/remotes/origin/main', 'HEAD']);
    await expectBlocked(broken, 'Write', { file_path: join(broken.dir, 'fw/x') }, 'unknown key "wirte"', /hint: .*problem/);
  });
});

describe('bashWrites (the command text alone)', () => {
  const noDirs = () => false;
  const paths = (command: string) => bashWrites(command, '/r', noDirs).writes.map((write) => `${write.path} ${write.how}`);

  test('redirections: >, >>, 2>, &>, >| are writes; fd duplications and input are not', () => {
    expect(paths('a > x; b >> y 2>z &>w >|v')).toEqual(['/r/x `>` redirection', '/r/y `>>` redirection', '/r/z `2>` redirection', '/r/w `&>` redirection', '/r/v `>|` redirection']);
    expect(paths('a 2>&1 >&2 < in.txt <<< word')).toEqual([]);
    expect(paths('echo a>b')).toEqual(['/r/b `>` redirection']);
  });

  test('quotes, comments, heredoc bodies and dynamic words', () => {
    expect(paths("echo '> q' \"> d\" # > comment")).toEqual([]);
    expect(paths('cat <<EOF > out\nrm -rf /r/pm\n> also-body\nEOF\ntouch after')).toEqual(['/r/out `>` redirection', '/r/after touch']);
    expect(paths('echo x > "$HOME/f" > `pwd`/g > ~/h')).toEqual([]);
    expect(paths("touch 'a b' c\\ d")).toEqual(['/r/a b touch', '/r/c d touch']);
  });

  test('commands: tee, cp/mv (-t), rm, sed -i, touch, mkdir; cd and prefixes are followed', () => {
    expect(paths('tee -a x y')).toEqual(['/r/x tee', '/r/y tee']);
    expect(paths('cp -r a b c; mv -t dest s')).toEqual(['/r/c cp', '/r/dest mv']);
    expect(paths('sed -i.bak -e s/a/b/ f1 f2; sed s/a/b/ f3; sed -i s/a/b/ f4')).toEqual(['/r/f1 sed -i', '/r/f2 sed -i', '/r/f4 sed -i']);
    expect(paths('cd sub && sudo -n rm -f x && env A=1 touch -d now y')).toEqual(['/r/sub/x rm', '/r/sub/y touch']);
    expect(paths('ls; cat a | grep b; git status')).toEqual([]);
  });

  test('hook skips', () => {
    expect(bashWrites('git commit --no-verify -m x', '/r').skipsHooks).toBe('git --no-verify');
    expect(bashWrites('COORD_HOOKS=0 git push', '/r').skipsHooks).toBe('COORD_HOOKS=0');
    expect(bashWrites('export COORD_HOOKS=0', '/r').skipsHooks).toBe('COORD_HOOKS=0');
    expect(bashWrites('git push -n origin x', '/r').skipsHooks).toBeNull();
  });
});
