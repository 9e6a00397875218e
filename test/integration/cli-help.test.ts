/**
 * Help is one text per command, however it is asked for: `coord-hooks help X` prints exactly what
 * `coord-hooks X --help` prints, on stdout, exit 0; and each command's stated exit codes are the ones it
 * returns (status never says "1" because it never exits 1).
 */
import { join } from 'path';
import { runCommand } from '../../fixtures/cli';
import { makeSetup, type Setup } from '../../fixtures/server';
import { packageInfo } from '../../core/package-info';
import { runProcess } from '../../core/process';
import { tempDir } from '../../fixtures/repo';
import { COMMANDS } from '../../cli/registry';

let setup: Setup;
beforeAll(async () => { setup = await makeSetup(); });

const run = (cwd: string, ...argv: string[]) => runCommand(argv, { cwd, env: setup.env });

/** The codes an "Exit codes:" line names ("0 …· 1 …· 2 …"). */
function statedCodes(help: string): number[] {
  const line = /^Exit codes: (.*)$/m.exec(help)?.[1] ?? '';
  return line.split('·').map((part) => /^\s*(\d+)\b/.exec(part)?.[1]).filter((code): code is string => code !== undefined).map(Number);
}

test('`help X` prints what `X --help` prints, on stdout with exit 0, for every command', async () => {
  for (const name of Object.keys(COMMANDS)) {
    const viaFlag = await run(setup.architect.dir, name, '--help');
    const viaHelp = await run(setup.architect.dir, 'help', name);
    expect({ name, ...viaHelp }).toEqual({ name, ...viaFlag });
    expect(viaFlag.code).toBe(0);
    expect(viaFlag.stderr).toBe('');
    expect(viaFlag.stdout).toContain(`Usage: coord-hooks ${name}`);
    // Every command states its own exit codes (sandbox: CMD's own, then 2), never a generic default that may not fit.
    expect(statedCodes(viaFlag.stdout)).toContain(2);
  }
});

test('the compiled CLI: `coord-hooks help install` is install\'s help; unknown topics and no command are usage errors on stderr', async () => {
  const cli = join(packageInfo().root, 'dist', 'cli', 'main.js');
  const cwd = tempDir('coord-hooks-help-');
  const help = await runProcess(process.execPath, [cli, 'help', 'install'], { env: setup.env, cwd });
  expect(help.code).toBe(0);
  expect(help.stdout).toContain('Usage: coord-hooks install');
  expect(help.stdout).toContain('--server');
  const flag = await runProcess(process.execPath, [cli, 'install', '--help'], { env: setup.env, cwd });
  expect(help.stdout).toBe(flag.stdout);
  const unknown = await runProcess(process.execPath, [cli, 'help', 'nosuch'], { env: setup.env, cwd });
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain('unknown command "nosuch"');
  const bare = await runProcess(process.execPath, [cli], { env: setup.env, cwd });
  expect(bare.code).toBe(2);
  expect(bare.stdout).toBe('');
  expect(bare.stderr).toContain('Usage: coord-hooks <command>');
  const main = await runProcess(process.execPath, [cli, 'help'], { env: setup.env, cwd });
  expect(main.code).toBe(0);
  expect(main.stdout).toContain('coord-hooks help <command>');
});

test('status: its help names the exit codes it returns (0 printed, 2 error), and it returns them', async () => {
  const help = await run(setup.architect.dir, 'status', '--help');
  expect(statedCodes(help.stdout)).toEqual([0, 2]);
  // A round waiting for teams is not an error: 0.
  const announced = await run(setup.architect.dir, 'announce', '--team', 'fw', '--round', '1', '-m', 'go');
  expect(announced.code).toBe(0);
  const status = await run(setup.architect.dir, 'status');
  expect(status.stdout).toMatch(/round 1: open/);
  expect(status.code).toBe(0);
  const outside = await run(tempDir('coord-hooks-help-'), 'status');
  expect(outside.code).toBe(2);
});

test('announce and check state the verdict code 1 they return', async () => {
  for (const name of ['announce', 'check', 'wait-for', 'signal-done', 'keys', 'reply', 'explain']) {
    const help = await run(setup.architect.dir, name, '--help');
    expect({ name, codes: statedCodes(help.stdout) }).toEqual({ name, codes: [0, 1, 2] });
  }
});
