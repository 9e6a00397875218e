/**
 * git/read-memo.ts on real repositories: the warm process keeps config reads and the where-am-I
 * rev-parse only while every file they come from is unchanged. Each rule is shown by git processes
 * counted through COORD_HOOKS_TRACE (a kept answer starts none) and by the answers themselves, which
 * must always be what git prints now.
 */
import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'fs';
import { join } from 'path';
import { initRepo, isolatedEnv, removeDir, tempDir, type Repo } from '../../fixtures/repo';
import { forgetReads, keepReadsAcrossRuns, readKind } from '../../git/read-memo';
import { GitRepo } from '../../git/repo';

let root: string;
let repo: Repo;
let trace: string;
let env: NodeJS.ProcessEnv;

/** Past the racy window of the memo (2 s): a file written before this is trusted to show a later change. */
const pastRacyWindow = () => new Promise((done) => setTimeout(done, 2100));

const spawned = () => readFileSync(trace, 'utf8').split('\n').filter(Boolean).length;

/** `coord-hooks.team` as a hook reads it, and how many git processes that took. */
async function team(): Promise<{ value: string; processes: number }> {
  const before = spawned();
  const git = new GitRepo(repo.dir, env);
  const { stdout } = await git.run(['config', '--get-regexp', '^coord-hooks\\.'], { okCodes: [1] });
  return { value: stdout.toString('utf8').trim(), processes: spawned() - before };
}

async function where(): Promise<{ branch: string | null; processes: number }> {
  const before = spawned();
  const git = new GitRepo(repo.dir, env);
  const { branch } = await git.whereAmI();
  return { branch, processes: spawned() - before };
}

beforeAll(() => {
  root = tempDir();
  trace = join(root, 'trace');
  writeFileSync(trace, '');
  env = isolatedEnv(join(root, 'home'), { COORD_HOOKS_TRACE: trace });
  repo = initRepo(join(root, 'repo'), env);
  repo.commit('first', { 'a.txt': 'a\n' });
  repo.git(['config', 'coord-hooks.team', 'fw']);
});

afterAll(() => removeDir(root));

test('only the read calls of the list are kept', () => {
  expect(readKind(['config', '--get-regexp', '^coord-hooks\\.'])).toBe('config');
  expect(readKind(['config', '--file', '/x/config', '--get-regexp', '^coord-hooks\\.'])).toBe('config');
  expect(readKind(['config', '--type=bool', '--get', 'coord-hooks.warm'])).toBe('config');
  expect(readKind(['config', '--local', 'coord-hooks.team', 'fw'])).toBeNull();
  expect(readKind(['config', '--unset-all', 'coord-hooks.team'])).toBeNull();
  expect(readKind(['config', '--add', 'x.y', 'z'])).toBeNull();
  expect(readKind(['rev-parse', '--path-format=absolute', '--absolute-git-dir', '--git-common-dir', '--symbolic-full-name', 'HEAD'])).toBe('where');
  expect(readKind(['rev-parse', '--verify', 'HEAD'])).toBeNull();
});

describe('kept across runs (the warm process)', () => {
  beforeAll(() => keepReadsAcrossRuns());
  beforeEach(() => forgetReads());

  test('a config read is answered without git while its files are unchanged, and a change is seen at once', async () => {
    await pastRacyWindow();
    const first = await team();
    expect(first.value).toBe('coord-hooks.team fw');
    expect(first.processes).toBeGreaterThan(0);
    expect(await team()).toEqual({ value: 'coord-hooks.team fw', processes: 0 });
    repo.git(['config', 'coord-hooks.team', 'pm']); // same size, same second
    expect((await team()).value).toBe('coord-hooks.team pm');
  });

  test('a file written within the racy window is asked again each time, until it is older', async () => {
    repo.git(['config', 'coord-hooks.team', 'qa']);
    // Dated a minute ahead, the file stays within the window however slow this machine is.
    const config = join(repo.dir, '.git', 'config');
    const ahead = new Date(Date.now() + 60_000);
    utimesSync(config, ahead, ahead);
    expect((await team())).toMatchObject({ value: 'coord-hooks.team qa' });
    // Not kept: a write in the same clock tick could hide. Asked of git alone meanwhile (no checks again).
    expect((await team()).processes).toBe(1);
    expect((await team()).processes).toBe(1);
    const past = new Date(Date.now() - 60_000);
    utimesSync(config, past, past); // its ctime is now: young for two more seconds
    await pastRacyWindow();
    await team();
    expect((await team()).processes).toBe(0);
  });

  test('the global config counts too', async () => {
    await pastRacyWindow();
    await team();
    expect((await team()).processes).toBe(0);
    mkdirSync(join(root, 'home'), { recursive: true });
    writeFileSync(join(root, 'home', '.gitconfig'), '[coord-hooks]\n\tremote = upstream\n');
    expect((await team()).value).toBe('coord-hooks.remote upstream\ncoord-hooks.team qa');
  });

  test('a setup with includes is asked every time', async () => {
    writeFileSync(join(root, 'included'), '[coord-hooks]\n\tteam = pm\n');
    repo.git(['config', 'include.path', join(root, 'included')]);
    await pastRacyWindow();
    expect((await team()).value).toMatch(/coord-hooks.team pm$/);
    expect((await team()).processes).toBeGreaterThan(0);
    writeFileSync(join(root, 'included'), '[coord-hooks]\n\tteam = fw\n'); // git follows it; the memo would not
    expect((await team()).value).toMatch(/coord-hooks.team fw$/);
    repo.git(['config', '--unset', 'include.path']);
  });

  test('where-am-I follows a checkout', async () => {
    await pastRacyWindow();
    expect((await where()).branch).toBe('main');
    expect(await where()).toEqual({ branch: 'main', processes: 0 });
    repo.commit('second', { 'b.txt': 'b\n' }); // touches .git/ (index, refs, logs) but not what the answer comes from
    expect(await where()).toEqual({ branch: 'main', processes: 0 });
    repo.git(['checkout', '-q', '-b', 'fw/work']);
    expect((await where()).branch).toBe('fw/work');
    repo.git(['checkout', '-q', 'main']);
  });
});
