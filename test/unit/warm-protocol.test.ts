/** The warm protocol's request parser: a request is taken only when it is whole and its counts add up. */
import { coldAnswer, encodeRequest, MAGIC, okAnswer, parseRequest, type WarmRequest } from '../../warm/protocol';

const request: WarmRequest = {
  node: '/usr/bin/node', cli: '/x/dist/cli/main.js', cwd: '/repo', isTTY: false, argv: ['pre-receive', ''],
  env: { GIT_DIR: '.', GIT_QUARANTINE_PATH: '/repo/objects/tmp_objdir-incoming-x', EMPTY: '', 'WITH=EQUALS': undefined },
  stdin: Buffer.from('old new refs/heads/fw/x\n\0binary after a NUL'),
};

test('a request round-trips: arguments (an empty one too), environment, raw input after the end of the environment', () => {
  const parsed = parseRequest(encodeRequest(request));
  expect(parsed).toEqual({ ...request, env: { GIT_DIR: '.', GIT_QUARANTINE_PATH: '/repo/objects/tmp_objdir-incoming-x', EMPTY: '' } });
});

test('anything else is not a request: wrong magic, cut short anywhere before the input, counts that do not add up', () => {
  const bytes = encodeRequest(request);
  expect(parseRequest(Buffer.concat([Buffer.from('coord-hooks-warm 2'), bytes.subarray(MAGIC.length)]))).toBeNull();
  const endOfEnv = bytes.indexOf(Buffer.from('\0\0old'));
  for (let cut = 0; cut <= endOfEnv; cut += 7) expect(parseRequest(bytes.subarray(0, cut))).toBeNull();
  expect(parseRequest(encodeRequest({ ...request, argv: [] }))).toBeNull();
  expect(parseRequest(Buffer.from([MAGIC, 'n', 'c', '/', 'x', '1', 'hook', '', ''].join('\0')))).toBeNull(); // tty flag not 0/1
});

test('answers: exact lengths in bytes (not characters), and cold answers name their reason', () => {
  const answer = okAnswer(1, 'é\n', 'refused\n').toString('utf8');
  expect(answer).toBe(`${MAGIC} ok 1 3 8\né\nrefused\n`);
  expect(coldAnswer('stale').toString()).toBe(`${MAGIC} cold stale\n`);
});
