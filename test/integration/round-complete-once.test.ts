/**
 * The server reports a round complete exactly once, even when two pushes land its last two done-tags
 * at the same moment and both post-receive hooks find it complete (the conductor soak hit this: round
 * 30 logged twice). The race is replayed deterministically: the second hook read the audit log before
 * the first appended to it, which is what truncating the log between the two calls reproduces.
 */
import { existsSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { announceCompletion } from '../../gate/round-complete';
import type { Policy } from '../../policy/types';
import { defaultCoord } from '../../policy/rules';
import { removeDir, tempDir } from '../../fixtures/repo';

test('two post-receive hooks finding the same round complete: logged once, the command started once', async () => {
  const gitDir = tempDir('coord-hooks-round-once-');
  try {
    const log = join(gitDir, 'command.log');
    const policy = { teams: [], policyFiles: [], coord: { ...defaultCoord(), onRoundComplete: [`echo "round $ROUND" >> '${log}'`] } } as unknown as Policy;
    const warnings: string[] = [];
    const err = (text: string) => { warnings.push(text); };
    announceCompletion(gitDir, policy, [{ round: 7, teams: ['fw', 'pm'] }], process.env, err);
    // The second hook read the audit log before the first one's line was there.
    writeFileSync(join(gitDir, 'coord-hooks', 'audit.jsonl'), '');
    announceCompletion(gitDir, policy, [{ round: 7, teams: ['fw', 'pm'] }], process.env, err);
    const deadline = Date.now() + 10000;
    while (!existsSync(log) && Date.now() < deadline) await new Promise((done) => setTimeout(done, 50));
    await new Promise((done) => setTimeout(done, 500));
    expect(readFileSync(log, 'utf8')).toBe('round 7\n');
    expect(warnings.filter((text) => text.includes('round 7 complete'))).toHaveLength(1);
  } finally {
    removeDir(gitDir);
  }
});
