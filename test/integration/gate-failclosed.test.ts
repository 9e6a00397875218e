/** Bootstrap of an empty repository, and the gate failing closed: bad policy, missing objects, timeout, bypass. */
import { existsSync, rmSync } from 'fs';
import { join } from 'path';
import { makeSetup, push, writeServerHooks, configureSigning } from '../../fixtures/server';
import { STANDARD_POLICY } from '../../fixtures/policies';
import { cloneRepo, initRepo } from '../../fixtures/repo';
import { signersLine } from '../../fixtures/keys';
import { readAudit } from '../../core/audit';

describe('bootstrap', () => {
  test('an empty repository accepts the first signed push of main with a valid policy', async () => {
    const setup = await makeSetup();
    expect(setup.server.git(['rev-parse', 'main'])).toBe(setup.architect.head());
  });

  test('an empty repository rejects a first push with an invalid policy, naming file and line', async () => {
    const setup = await makeSetup({ gate: false });
    const server = initRepo(join(setup.root, 'empty.git'), setup.env, { bare: true });
    writeServerHooks(server.dir);
    const architect = cloneRepo(server.dir, join(setup.root, 'arch2'), setup.env);
    configureSigning(architect, setup.architectKey);
    architect.commit('bad policy', {
      ...STANDARD_POLICY,
      'pm/CLAUDE.md': '---\nscope:\n  wirte: ["pm/"]\n---\n',
      '.coord/allowed_signers': signersLine('architect', setup.architectKey) + '\n',
    });
    const result = push(architect, ['main']);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/pm\/CLAUDE\.md:3:\d+/);
    expect(server.tryGit(['rev-parse', '--verify', 'main']).code).not.toBe(0);
  });

  test('an empty repository rejects a first push that is not the protected branch', async () => {
    const setup = await makeSetup({ gate: false });
    const server = initRepo(join(setup.root, 'empty2.git'), setup.env, { bare: true });
    writeServerHooks(server.dir);
    const fw = cloneRepo(server.dir, join(setup.root, 'fw2'), setup.env);
    fw.git(['checkout', '-q', '-b', 'fw/x']);
    fw.commit('fw', { 'fw/a': 'a\n' });
    const result = push(fw, ['fw/x']);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('has no main branch yet');
  });
});

describe('fail closed', () => {
  test('a missing policy object rejects every push with the fix', async () => {
    const setup = await makeSetup();
    const fw = setup.clone('fw');
    const blob = setup.server.git(['rev-parse', 'main:fw/CLAUDE.md']);
    const loose = join(setup.server.dir, 'objects', blob.slice(0, 2), blob.slice(2));
    expect(existsSync(loose)).toBe(true);
    rmSync(loose);
    fw.git(['checkout', '-q', '-b', 'fw/x']);
    fw.commit('in scope', { 'fw/a.txt': 'a\n' });
    const refs = () => setup.server.git(['for-each-ref']); // objects cannot be listed: one is missing
    const before = refs();
    const result = push(fw, ['fw/x']);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('cannot read fw/CLAUDE.md');
    expect(result.output).toContain('git fsck');
    expect(refs()).toBe(before);
  });

  test('a timeout rejects the push', async () => {
    const setup = await makeSetup();
    setup.server.git(['config', 'coord-hooks.timeout', '0.001']);
    const fw = setup.clone('fw');
    fw.git(['checkout', '-q', '-b', 'fw/x']);
    fw.commit('in scope', { 'fw/a.txt': 'a\n' });
    const result = push(fw, ['fw/x']);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('took longer than 0.001s');
  });

  test('the server-side bypass is the only bypass, and it is logged', async () => {
    const setup = await makeSetup();
    const fw = setup.clone('fw');
    fw.git(['checkout', '-q', '-b', 'fw/x']);
    fw.commit('out of scope', { 'pm/a.txt': 'a\n' });
    // Neither the pusher's -c nor a push option turns the gate off. The server advertises push options,
    // so git sends the option and the gate sees it (GIT_PUSH_OPTION_0): without that, git itself refuses
    // the push before any hook runs and this would prove nothing.
    setup.server.git(['config', 'receive.advertisePushOptions', 'true']);
    const attempt = fw.tryGit(['-c', 'coord-hooks.bypass=true', 'push', '-o', 'coord-hooks.bypass=true', 'origin', 'fw/x']);
    expect(attempt.stderr).not.toContain('does not support push options');
    expect(attempt.stderr).toContain('coord-hooks: push rejected');
    expect(attempt.stderr).toContain("outside team fw's write scope");
    expect(attempt.stderr).not.toContain('the gate is bypassed');
    expect(attempt.code).not.toBe(0);
    expect(setup.server.tryGit(['rev-parse', '--verify', 'refs/heads/fw/x']).code).not.toBe(0);
    setup.server.git(['config', 'coord-hooks.bypass', 'true']);
    const result = push(fw, ['fw/x']);
    expect(result.code).toBe(0);
    expect(result.output).toContain('the gate is bypassed');
    expect(readAudit(setup.server.dir).some((record) => record.event === 'bypassed')).toBe(true);
  });

  test('GL-HOOK-ERR: prefix on every message line when configured', async () => {
    const setup = await makeSetup();
    setup.server.git(['config', 'coord-hooks.messagePrefix', 'GL-HOOK-ERR: ']);
    const fw = setup.clone('fw');
    fw.git(['checkout', '-q', '-b', 'fw/x']);
    fw.commit('out of scope', { 'pm/a.txt': 'a\n' });
    const result = push(fw, ['fw/x']);
    const remoteLines = result.output.split('\n').filter((line) => line.startsWith('remote: '));
    expect(remoteLines.length).toBeGreaterThan(3);
    for (const line of remoteLines) expect(line).toMatch(/^remote: GL-HOOK-ERR: /);
  });
});
