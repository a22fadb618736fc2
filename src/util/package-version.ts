import { readFileSync } from 'node:fs';

/** The rlvrc package version (src/util and dist/util are both two levels below package.json). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
