/** What install and uninstall print: one line per hook, then the recorded paths and notes. */
import type { HookFileResult, InstallAction, UninstallAction } from './chain';
import type { InstallSummary, UninstallSummary } from './install';
import { describeSetting, type SettingResult } from './repo-config';
import { CHAINED_SUFFIX } from './template';

function describeInstall(result: HookFileResult<InstallAction>): string {
  const chained = `${result.hook}${CHAINED_SUFFIX}`;
  const base = {
    installed: 'installed',
    updated: 'updated',
    unchanged: 'already up to date',
    chained: `installed; the hook that was there is kept as ${chained}`,
  }[result.action];
  const runs = result.chainedPath ? `; runs ${chained} first` : '';
  return `${base}${runs}${result.note ? ` (${result.note})` : ''}`;
}

function describeUninstall(result: HookFileResult<UninstallAction>): string {
  const base = {
    removed: 'removed',
    restored: `removed; the original hook is back (from ${result.hook}${CHAINED_SUFFIX})`,
    'not-ours': 'left alone: not a coord-hooks script',
    absent: 'not installed',
  }[result.action];
  return `${base}${result.note ? `; ${result.note}` : ''}`;
}

function settingLines(settings: SettingResult[]): string[] {
  if (settings.length === 0) return [];
  const width = Math.max(...settings.map((setting) => setting.key.length)) + 2;
  return ['  git config:', ...settings.map((setting) => `    ${setting.key.padEnd(width)}${describeSetting(setting)}`)];
}

function table<T extends { hook: string }>(results: T[], describe: (result: T) => string): string[] {
  const width = Math.max(...results.map((result) => result.hook.length)) + 2;
  return results.map((result) => `  ${result.hook.padEnd(width)}${describe(result)}`);
}

export function formatInstallSummary(summary: InstallSummary): string {
  const lines = [
    `coord-hooks: ${summary.side} hooks in ${summary.hooksDir}`,
    ...table(summary.hooks, describeInstall),
    `  node: ${summary.nodePath}`,
    `  cli:  ${summary.cliPath}`,
    ...settingLines(summary.settings),
  ];
  if (summary.side === 'client') {
    lines.push(summary.team
      ? `  team: ${summary.team} (git config coord-hooks.team)`
      : '  team: not set; the branch name <team>/… tells (or re-run with --team T)');
  }
  lines.push(...summary.notes.map((note) => `note: ${note}`));
  lines.push(summary.side === 'server'
    ? 'Pushes to this repository are now judged by the gate; COORD_HOOKS=0 does not switch it off.'
    : 'Early feedback only: the server gate decides. Skip these hooks once with COORD_HOOKS=0.');
  return lines.join('\n') + '\n';
}

export function formatUninstallSummary(summary: UninstallSummary): string {
  const lines = [`coord-hooks: ${summary.side} hooks in ${summary.hooksDir}`, ...table(summary.hooks, describeUninstall)];
  if (summary.teamUnset) lines.push(`  team: unset coord-hooks.team (was ${summary.teamUnset})`);
  lines.push(...settingLines(summary.settings));
  if (summary.settings.length === 0) lines.push('  git config: nothing install had set is left to remove; settings made by hand are kept');
  lines.push(...summary.notes.map((note) => `note: ${note}`));
  return lines.join('\n') + '\n';
}
