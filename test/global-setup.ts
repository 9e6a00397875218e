/** Hook scripts run the compiled CLI: build dist/ once before the tests (incremental, a few seconds). */
import { runProcess } from '../core/process';
import { packageInfo } from '../core/package-info';
import { join } from 'path';

export default async function globalSetup(): Promise<void> {
  if (process.env.COORD_HOOKS_TEST_NO_BUILD === '1') return; // for a developer who just built
  const root = packageInfo().root;
  const result = await runProcess(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { env: process.env, cwd: root });
  if (result.code !== 0) throw new Error(`build failed before tests:\n${result.stdout}${result.stderr}`);
}
