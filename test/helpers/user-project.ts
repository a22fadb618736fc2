// A user's own folder with rlvrc installed as a dependency (node_modules/rlvrc → this repo), so that
// generated programs import the runtime by package name exactly as they would after `npm install rlvrc`.
import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { tmpdir } from 'node:os';
import { REPO } from './golden.js';

export function userProject(specs: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'rlvrc-user-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(REPO, join(dir, 'node_modules', 'rlvrc'), 'dir');
  for (const s of specs) copyFileSync(s, join(dir, basename(s)));
  return dir;
}
