// String literal decoding. Plain strings understand a few escapes; triple-quoted strings are verbatim
// text with the common indentation removed (so prompts can be indented with the code around them).

export interface DecodedString {
  value: string;
  /** Offsets are relative to the start of the literal's raw text, quotes included. */
  invalidEscapes: Array<{ index: number; text: string }>;
}

const simpleEscapes: Record<string, string> = { '"': '"', '\\': '\\', n: '\n', t: '\t', r: '\r', '0': '\0' };

export function decodeString(raw: string, triple: boolean): DecodedString {
  if (triple) return { value: dedent(raw.slice(3, -3)), invalidEscapes: [] };
  const body = raw.slice(1, -1);
  const invalidEscapes: DecodedString['invalidEscapes'] = [];
  let value = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== '\\') { value += ch; continue; }
    const next = body[i + 1] ?? '';
    if (next in simpleEscapes) { value += simpleEscapes[next]; i++; continue; }
    const unicode = /^u\{([0-9a-fA-F]{1,6})\}/.exec(body.slice(i + 1));
    if (unicode) {
      const cp = parseInt(unicode[1]!, 16);
      if (cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff)) {
        value += String.fromCodePoint(cp);
        i += unicode[0].length;
        continue;
      }
    }
    const bad = next === 'u' ? '\\' + (/^u(\{[^}]*\}?)?/.exec(body.slice(i + 1))?.[0] ?? 'u') : '\\' + next;
    invalidEscapes.push({ index: i + 1, text: bad });
    value += bad;
    i += bad.length - 1;
  }
  return { value, invalidEscapes };
}

/** Drops a first line that is blank, a last line that is only indentation, and the indentation common to the rest. */
export function dedent(text: string): string {
  let lines = text.split(/\r\n|\n|\r/);
  if (lines.length > 1 && lines[0]!.trim() === '') lines = lines.slice(1);
  if (lines.length > 1 && lines[lines.length - 1]!.trim() === '') lines = lines.slice(0, -1);
  const indents = lines.filter(l => l.trim() !== '').map(l => /^[ \t]*/.exec(l)![0].length);
  const common = indents.length > 0 ? Math.min(...indents) : 0;
  return lines.map(l => l.slice(Math.min(common, /^[ \t]*/.exec(l)![0].length))).join('\n');
}

/** A plain string literal (with quotes) whose decoding is `value`. */
export function encodeString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (cp < 0x20 || cp === 0x7f) out += `\\u{${cp.toString(16)}}`;
    else out += ch;
  }
  return out + '"';
}
