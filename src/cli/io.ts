// What a command needs from the outside world, so commands can run in-process in tests.
export interface CliIO {
  stdout(s: string): void;
  stderr(s: string): void;
  /** Whether stderr is a terminal that understands colors. */
  color?: boolean;
  cwd?: string;
}

/** Thrown for bad command lines and unreadable inputs: exit code 2 with this message. */
export class UsageError extends Error {}

export interface ParsedArgs { positional: string[]; flags: Map<string, string | true> }

/** A small argv parser: `--flag`, `--key value`, `--key=value`; `valued` lists the flags that take a value. */
export function parseArgs(args: string[], allowed: { boolean?: string[]; valued?: string[] }): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  const booleans = new Set(allowed.boolean ?? []);
  const valued = new Set(allowed.valued ?? []);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') { positional.push(...args.slice(i + 1)); break; }
    if (!a.startsWith('--') || a === '-') { positional.push(a); continue; }
    const eq = a.indexOf('=');
    const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
    if (booleans.has(name) && eq < 0) { flags.set(name, true); continue; }
    if (valued.has(name)) {
      const value = eq >= 0 ? a.slice(eq + 1) : args[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      flags.set(name, value);
      continue;
    }
    throw new UsageError(`unknown option '${a}'`);
  }
  return { positional, flags };
}
