// Every message rlvrc can print, one named function each, so wording stays consistent and searchable.
// Codes are stable: never reuse or renumber one. 1xxx syntax, 2xxx names, 3xxx types and values,
// 4xxx grid, 5xxx rules across fields, 6xxx files and imports.
import type { Message, Severity } from './diagnostic.js';

function error(code: string, summary: string, more: { detail?: string; fix?: string; label?: string } = {}): Message {
  return { code, severity: 'error' as Severity, summary, ...more };
}
function warning(code: string, summary: string, more: { detail?: string; fix?: string; label?: string } = {}): Message {
  return { code, severity: 'warning' as Severity, summary, ...more };
}

const unexpected = (ch: string): string => {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp < 0xa0)) return `unexpected control character U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return `unexpected character '${ch}'`;
};

// ---- 1xxx: syntax -------------------------------------------------------------------------------------

export const syntax = {
  unexpectedCharacter: (ch: string) =>
    error('RLVR1001', unexpected(ch), {
      label: 'not part of the language',
      detail: 'Outside strings and comments, .rlvr files use names, numbers, strings and the punctuation { } ( ) [ ] , ; . = and operators.',
      fix: 'delete it, or put text inside a "string"',
    }),
  invalidUtf8: () =>
    error('RLVR1007', 'invalid UTF-8 in the file', {
      label: 'these bytes are not UTF-8',
      detail: '.rlvr files are UTF-8 text.',
      fix: 're-save the file as UTF-8, or remove the stray bytes',
    }),
  unterminatedString: () =>
    error('RLVR1002', 'unterminated string', {
      label: 'this string has no closing quote on its line',
      fix: 'add the closing " (use """...""" for text that spans lines)',
    }),
  unterminatedBlockComment: () =>
    error('RLVR1003', 'unterminated block comment', { label: 'no closing */', fix: 'close the comment with */' }),
  unterminatedTripleString: () =>
    error('RLVR1004', 'unterminated triple-quoted string', { label: 'no closing """', fix: 'close the text with """' }),
  invalidEscape: (seq: string) =>
    error('RLVR1005', `invalid escape sequence '${seq}'`, {
      label: 'unknown escape',
      detail: 'Strings understand \\" \\\\ \\n \\t \\r and \\u{XXXX}.',
      fix: 'write \\\\ for a literal backslash',
    }),
  numberOutOfRange: (raw: string) =>
    error('RLVR1006', `number ${raw} is too large`, {
      detail: 'Integers must be below 2^53 and floats finite.',
      fix: 'use a smaller number',
    }),
  mismatchedToken: (message: string) => error('RLVR1010', message),
  noViableAlternative: (message: string) => error('RLVR1011', message),
  trailingInput: (message: string) =>
    error('RLVR1012', message, { fix: "a file holds imports, then 'experiment NAME { ... }' blocks and declarations" }),
  missingRepetition: (message: string) => error('RLVR1013', message),
  importAfterDeclaration: () =>
    error('RLVR1014', "'import' must come before every declaration", { fix: 'move this import to the top of the file' }),
} as const;

/** Every message group, for tools and for the test that every code has a golden case. */
export const catalogue = { syntax } as const;

/** All codes in the catalogue (each message function called with placeholder arguments). */
export function allCodes(): string[] {
  const codes = new Set<string>();
  for (const group of Object.values(catalogue)) {
    for (const make of Object.values(group) as Array<(...args: string[]) => Message>) codes.add(make('x', 'x', 'x', 'x').code);
  }
  return [...codes].sort();
}
