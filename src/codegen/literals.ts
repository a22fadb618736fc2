// Every value from a spec reaches generated code through these two functions: JSON literals (valid
// TypeScript, quotes and backslashes escaped) and comment text that cannot close or break its comment.

export function literal(value: unknown): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot emit the number ${value}`);
    // Parenthesised so that `a - -1` never prints as `a --1`.
    return value < 0 || Object.is(value, -0) ? `(${JSON.stringify(value)})` : JSON.stringify(value);
  }
  const text = JSON.stringify(value);
  if (text === undefined) throw new Error(`cannot emit ${String(value)}`);
  return text;
}

/** Text safe inside `//` and `/* *\/` comments: one line, no comment terminator. */
export function commentText(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).replace(/\*\//g, '*\\/');
}

/** A TypeScript identifier built from a spec name: other characters become `_`; a leading digit gets `_`. */
export function identifier(prefix: string, name: string): string {
  const body = name.replace(/[^A-Za-z0-9_]/g, '_').replace(/_+/g, '_').replace(/^_|_$/g, '');
  return `${prefix}_${body || 'x'}`;
}

/** Hands out the program's top-level names: each distinct, whatever spec names sanitise to. */
export class Names {
  private readonly used = new Set<string>();

  /** `identifier(prefix, name)`, with `_2`, `_3`, ... appended while it is taken. */
  take(prefix: string, name: string): string {
    const base = identifier(prefix, name);
    let id = base;
    for (let i = 2; this.used.has(id); i++) id = `${base}_${i}`;
    this.used.add(id);
    return id;
  }
}
