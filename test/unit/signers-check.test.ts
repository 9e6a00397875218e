/**
 * trust/signers-check.ts against ssh-keygen itself: a line the checker accepts must be one ssh-keygen
 * reads (it finds the line's principal for a signature made with that key), and a damaged line the
 * checker flags must be one ssh-keygen skips. A false problem would block a legitimate policy update;
 * a missed one would let an architect lose their key without a word.
 */
import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { runProcess } from '../../core/process';
import { foreignEnv } from '../../git/run';
import { tempDir } from '../../fixtures/repo';
import { checkSignersFile } from '../../trust/signers-check';

const dir = tempDir('coord-hooks-signers-check-');
const KEYS: [string, string[]][] = [
  ['ed25519', ['-t', 'ed25519']],
  ['ecdsa256', ['-t', 'ecdsa', '-b', '256']],
  ['ecdsa384', ['-t', 'ecdsa', '-b', '384']],
  ['ecdsa521', ['-t', 'ecdsa', '-b', '521']],
  ['rsa', ['-t', 'rsa', '-b', '2048']],
];
const publicKeys = new Map<string, string>();

async function sshKeygen(args: string[], input?: string) {
  return runProcess('ssh-keygen', args, { env: foreignEnv(), input, cwd: dir });
}

beforeAll(async () => {
  for (const [name, args] of KEYS) {
    const path = join(dir, name);
    const made = await sshKeygen(['-q', ...args, '-N', '', '-C', name, '-f', path]);
    if (made.code !== 0) throw new Error(made.stderr);
    writeFileSync(join(dir, `message-${name}`), 'signed\n');
    const signed = await sshKeygen(['-Y', 'sign', '-q', '-f', path, '-n', 'git', join(dir, `message-${name}`)]);
    if (signed.code !== 0) throw new Error(signed.stderr);
    publicKeys.set(name, readFileSync(`${path}.pub`, 'utf8').trim());
  }
}, 60000);

/** Does ssh-keygen read `line`: does it find the line's principal for the signature made with `key`? */
async function readsFor(line: string, key: string): Promise<boolean> {
  const file = join(dir, `allowed-${key}`);
  writeFileSync(file, line + '\n');
  const found = await sshKeygen(['-Y', 'find-principals', '-f', file, '-s', join(dir, `message-${key}.sig`)]);
  return found.code === 0;
}

function damaged(line: string): string[] {
  const parts = line.split(' ');
  const keyIndex = parts.findIndex((part) => part.startsWith('AAAA'));
  const key = parts[keyIndex];
  const withKey = (replacement: string) => parts.map((part, index) => (index === keyIndex ? replacement : part)).join(' ');
  return [
    withKey(key.slice(0, 20) + key.slice(21)), // a character lost
    withKey(key.slice(0, 20) + 'A' + key.slice(20)), // a character added
    withKey(key.slice(0, -8)), // truncated
    line.replace(/ (ssh-|ecdsa-)/, ' x$1'), // a misspelt type
    line.replace('namespaces="git"', 'namespace="git"'), // a misspelt option
  ];
}

test.each(KEYS.map(([name]) => name))('%s: well-formed lines have no problems, and ssh-keygen reads each', async (name) => {
  const key = publicKeys.get(name)!;
  const lines = [
    `architect namespaces="git" ${key}`,
    `architect,fw namespaces="git",valid-after="20200101" ${key}`,
    `"architect" ${key}`,
    `architect valid-before="20991231Z" ${key}`,
  ];
  for (const line of lines) {
    expect({ line, problems: checkSignersFile('signers', line).problems }).toEqual({ line, problems: [] });
    expect({ line, read: await readsFor(line, name) }).toEqual({ line, read: true });
  }
  const comments = `# the architect\n\n${lines[0]}\r\n`;
  expect(checkSignersFile('signers', comments).problems).toEqual([]);
  expect([...checkSignersFile('signers', comments).principals]).toEqual(['architect']);
}, 60000);

test.each(KEYS.map(([name]) => name))('%s: every damaged line is flagged by the checker and skipped by ssh-keygen', async (name) => {
  const line = `architect namespaces="git" ${publicKeys.get(name)!}`;
  for (const bad of damaged(line)) {
    const flagged = checkSignersFile('signers', bad).problems.length > 0;
    const read = await readsFor(bad, name);
    expect({ bad, flagged }).toEqual({ bad, flagged: true });
    expect({ bad, read }).toEqual({ bad, read: false });
  }
}, 60000);

test('the problems carry line and column', () => {
  const key = 'AAAAC3NzaC1lZDI1NTE5AAAAIA';
  const { problems } = checkSignersFile('.coord/allowed_signers', `# c\narchitect ssh-ed25519 ${key}\nfw nothing\n`);
  expect(problems.map((problem) => `${problem.line}:${problem.col}`)).toEqual(['2:23', '3:1']);
});
