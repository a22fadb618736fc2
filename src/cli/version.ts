import { readFileSync } from 'node:fs';

/** The package version, read from package.json (src/cli and dist/cli are both two levels below it). */
export function compilerVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
