import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from './io.js';

/** Reads a spec file as UTF-8. Invalid bytes become U+FFFD, which the lexer reports at their place. */
export function readSource(file: string, cwd = process.cwd()): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(resolve(cwd, file));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `cannot read '${file}': no such file` : code === 'EISDIR' ? `cannot read '${file}': it is a directory` : `cannot read '${file}': ${(e as Error).message}`);
  }
  return new TextDecoder('utf-8', { fatal: false, ignoreBOM: false }).decode(bytes);
}
