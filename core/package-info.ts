/** The package's own manifest and root directory, found from this file whether it runs from dist/ or from source. */
import { existsSync, readFileSync } from 'fs';
import { dirname, join } from 'path';

export interface PackageInfo {
  root: string;
  name: string;
  version: string;
}

let cached: PackageInfo | null = null;

export function packageInfo(): PackageInfo {
  if (cached) return cached;
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; version: string };
  cached = { root: dir, name: manifest.name, version: manifest.version };
  return cached;
}
