/**
 * The server post-receive script logs an accepted push without starting node when no round tag is in
 * it; its line must be the JSON that gate/audit.ts reads, whatever the ref and pusher names hold.
 */
import { chmodSync, writeFileSync } from 'fs';
import { join } from 'path';
import { runProcess } from '../../core/process';
import { readAudit } from '../../core/audit';
import { renderHookScript } from '../../hooks/template';
import { tempDir } from '../../fixtures/repo';

const zero = '0'.repeat(40);
const one = '1'.repeat(40);

test('quotes, backslashes, control characters and non-ASCII survive as JSON; node is not needed', async () => {
  const dir = tempDir();
  const script = join(dir, 'post-receive');
  // The recorded node and CLI do not exist: the fast path must not need them.
  writeFileSync(script, renderHookScript({ hook: 'post-receive', side: 'server', nodePath: join(dir, 'no-node'), cliPath: join(dir, 'no-cli.js') }));
  chmodSync(script, 0o755);
  const input = `${zero} ${one} refs/heads/fw/a"b\n${one} ${zero} refs/heads/pm/é日本`; // the last line without its newline
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', GIT_DIR: dir, REMOTE_USER: 'bo"b\\x\u0007' };
  const result = await runProcess(script, [], { env, cwd: dir, input });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const [record] = readAudit(dir);
  expect(record).toMatchObject({
    event: 'accepted',
    pusher: 'bo"b\\x',
    refs: [{ ref: 'refs/heads/fw/a"b', old: zero, new: one }, { ref: 'refs/heads/pm/é日本', old: one, new: zero }],
  });
  expect(Date.parse(record.time)).not.toBeNaN();
});

test('a push with a round tag goes to node (here: reported missing, as it really is)', async () => {
  const dir = tempDir();
  const script = join(dir, 'post-receive');
  writeFileSync(script, renderHookScript({ hook: 'post-receive', side: 'server', nodePath: join(dir, 'no-node'), cliPath: join(dir, 'no-cli.js') }));
  chmodSync(script, 0o755);
  const result = await runProcess(script, [], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', GIT_DIR: dir }, cwd: dir, input: `${zero} ${one} refs/tags/round-1/done/fw\n` });
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('node is missing');
  expect(readAudit(dir)).toEqual([]);
});
