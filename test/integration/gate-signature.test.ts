/** `signature` identity mode: every new team commit must carry a signature by a key listed for the team. */
import { makeSshKey, signersLine, type SshKey } from '../../fixtures/keys';
import { ROOT_CLAUDE, STANDARD_POLICY } from '../../fixtures/policies';
import { configureSigning, makeSetup, push, snapshot, type Setup } from '../../fixtures/server';

let setup: Setup;
let fwKey: SshKey;
let pmKey: SshKey;

beforeAll(async () => {
  const keys = (await import('../../fixtures/repo')).tempDir('coord-hooks-keys-');
  fwKey = await makeSshKey(keys, 'fw');
  pmKey = await makeSshKey(keys, 'pm');
  setup = await makeSetup({
    policy: { ...STANDARD_POLICY, 'CLAUDE.md': ROOT_CLAUDE.replace('architects: [architect]', 'architects: [architect]\n  identity: signature') },
    signers: [signersLine('fw,alice', fwKey), signersLine('pm', pmKey)],
  });
});

test('commits signed by a key of the owning team are accepted', () => {
  const fw = setup.clone('fw-signed');
  configureSigning(fw, fwKey);
  fw.git(['checkout', '-q', '-b', 'fw/signed']);
  fw.commit('one', { 'fw/1': '1\n' });
  fw.commit('two', { 'fw/2': '2\n' });
  const result = push(fw, ['fw/signed']);
  expect(result.output).not.toContain('rejected');
  expect(result.code).toBe(0);
});

test('an unsigned commit among signed ones is rejected', () => {
  const fw = setup.clone('fw-mixed');
  configureSigning(fw, fwKey);
  fw.git(['checkout', '-q', '-b', 'fw/mixed']);
  fw.commit('signed', { 'fw/1': '1\n' });
  fw.git(['-c', 'commit.gpgsign=false', 'commit', '-q', '--allow-empty', '-m', 'unsigned']);
  const before = snapshot(setup.server);
  const result = push(fw, ['fw/mixed']);
  expect(result.code).not.toBe(0);
  expect(result.output).toContain('is not signed by a key of team fw');
  expect(snapshot(setup.server)).toBe(before);
});

test('another team\'s key does not sign for fw', () => {
  const pmAsFw = setup.clone('pm-as-fw');
  configureSigning(pmAsFw, pmKey);
  pmAsFw.git(['checkout', '-q', '-b', 'fw/impostor']);
  pmAsFw.commit('looks like fw', { 'fw/x': 'x\n' });
  const result = push(pmAsFw, ['fw/impostor']);
  expect(result.code).not.toBe(0);
  expect(result.output).toContain('is not signed by a key of team fw');
});
