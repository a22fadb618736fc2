// Runs the built CLI (dist/, built by `npm test` before the tests) as a child process.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './golden.js';

export interface CliResult { status: number | null; stdout: string; stderr: string }

export function rlvrc(args: string[], opts: { cwd?: string; input?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, [join(REPO, 'dist/cli/main.js'), ...args], {
    cwd: opts.cwd ?? REPO,
    encoding: 'utf8',
    input: opts.input,
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
