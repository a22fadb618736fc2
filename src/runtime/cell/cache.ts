// A directory cache shared by the cells of an experiment (and by concurrent cell processes): an entry is
// built once under an exclusive lock and published by rename, so readers never see a half-written entry.
import { processAlive } from '../../util/process-alive.js';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';


const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/**
 * Returns `<root>/<key>`, building it with `build(tmpDir)` first if it does not exist. Another process
 * building the same key is waited for; a lock left by a dead process is taken over.
 */
export async function cachedDir(root: string, key: string, build: (dir: string) => Promise<void> | void, onWait?: () => void): Promise<string> {
  const dir = join(root, key);
  if (existsSync(join(dir, 'COMPLETE'))) return dir;
  mkdirSync(root, { recursive: true });
  const lock = join(root, `${key}.lock`);
  let waited = false;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (existsSync(join(dir, 'COMPLETE'))) return dir;
      const owner = Number(readFileSafe(join(lock, 'pid')));
      if (owner > 0 && !processAlive(owner)) { rmSync(lock, { recursive: true, force: true }); continue; }
      if (!waited) { onWait?.(); waited = true; }
      await sleep(1000);
    }
  }
  try {
    if (existsSync(join(dir, 'COMPLETE'))) return dir;
    const tmp = join(root, `${key}.tmp-${process.pid}`);
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    await build(tmp);
    writeFileSync(join(tmp, 'COMPLETE'), '');
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    return dir;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
