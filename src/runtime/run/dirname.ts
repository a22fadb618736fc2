// Cell id → directory name under --out. Cell ids are readable (`grid/model=a,reward=b,seed=1`) and
// the checker already %-escapes anything unusual inside values, so the mapping changes little:
//   - '/' (the grid prefix separator) becomes '__', so every cell is one directory below --out;
//   - any other character outside [A-Za-z0-9._()+=,~%-] becomes %XX (its UTF-8 bytes), and so does a
//     leading '.', so a name is never hidden, '.' or '..';
//   - a name longer than 200 bytes keeps its first 180 characters, then '~' and 16 hex digits of the
//     id's sha256.
// The mapping is not reversible in general ('a/b' and 'a__b' meet), so the id itself is kept in
// manifest.json and readers (rlvrc report) take ids from manifests, never from directory names.
// runProgram refuses a program whose cells map to the same directory.
import { createHash } from 'node:crypto';

const KEEP = /[A-Za-z0-9._()+=,~%-]/;

export function cellDirName(id: string): string {
  if (id.length === 0) throw new Error('a cell id cannot be empty');
  let out = '';
  for (const ch of id.replaceAll('/', '__')) {
    if (KEEP.test(ch) && !(out.length === 0 && ch === '.')) out += ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (Buffer.byteLength(out) <= 200) return out;
  return `${out.slice(0, 180)}~${createHash('sha256').update(id).digest('hex').slice(0, 16)}`;
}
