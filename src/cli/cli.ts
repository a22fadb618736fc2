// The command dispatcher. Exit codes: 0 success, 1 diagnostics or a failed check, 2 usage or internal error.
import type { CliIO } from './io.js';
import { UsageError } from './io.js';
import { compilerVersion } from './version.js';

type Command = (args: string[], io: CliIO) => Promise<number>;

// Commands are loaded on demand so that `rlvrc check` never pays for ts-morph or tfjs.
const commands: Record<string, { summary: string; usage: string; load: () => Promise<Command> }> = {
  check: {
    summary: 'parse and check spec files; silent when valid',
    usage: 'rlvrc check FILE... [--format json] [--cells] [--engine verl]',
    load: async () => (await import('./check.js')).checkCommand,
  },
  fmt: {
    summary: 'rewrite spec files in the one canonical layout',
    usage: 'rlvrc fmt FILE... [--check] [--diff]',
    load: async () => (await import('./fmt.js')).fmtCommand,
  },
  compile: {
    summary: 'check a spec and write its training program: generated/<name>.ts and .js',
    usage: 'rlvrc compile FILE [--out DIR] [--engine verl] [--only PATTERN]',
    load: async () => (await import('./compile.js')).compileCommand,
  },
  run: {
    summary: 'compile a spec and run its program (flags after FILE go to the program)',
    usage: 'rlvrc run FILE [--cell ID] [--jobs N] [--set path=value] [program flags]',
    load: async () => (await import('./compile.js')).runCommand,
  },
  grid: {
    summary: 'compile a spec and print a cluster job script that runs one cell per array task',
    usage: 'rlvrc grid FILE --emit slurm [--partition P] [--time T] [--cpus C] [--mem M] [--out DIR] [--parallel N] [--engine verl --profile FILE] [--only PATTERN]',
    load: async () => (await import('./grid.js')).gridCommand,
  },
  report: {
    summary: 'results tables (Markdown, CSV), figures (SVG, PNG) and one report.html from a runs directory',
    usage: 'rlvrc report DIR [--metric NAME]... [--gain] [--facet AXIS[,AXIS]] [--color AXIS] [--no-png] [--out DIR]',
    load: async () => (await import('./report.js')).reportCommand,
  },
  explain: {
    summary: 'print a cell\'s resolved configuration and the exact objective it optimises',
    usage: 'rlvrc explain FILE [--cell ID] [--engine verl]',
    load: async () => (await import('./explain.js')).explainCommand,
  },
  lsp: {
    summary: 'the language server for editors (LSP over stdin/stdout)',
    usage: 'rlvrc lsp [--stdio]',
    load: async () => (await import('./lsp.js')).lspCommand,
  },
  grade: {
    summary: 'grade model outputs (JSONL) against labels with the paper\'s grader or Math-Verify\'s',
    usage: 'rlvrc grade FILE.jsonl [--summary] [--grader paper|math_verify] [--compare]',
    load: async () => (await import('./grade.js')).gradeCommand,
  },
};

export function helpText(): string {
  const width = Math.max(...Object.keys(commands).map(c => c.length));
  const lines = [
    `rlvrc ${compilerVersion()} — a compiler for .rlvr experiment specs`,
    '',
    'Usage: rlvrc <command> [options]',
    '',
    'Commands:',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    `  ${'help'.padEnd(width)}  show this help, or a command's usage: rlvrc help <command>`,
    '',
    'Options:',
    '  --version  print the version',
    '  --help     show this help',
    '',
    'Exit codes: 0 success, 1 diagnostics or a failed check, 2 usage or internal error.',
  ];
  return lines.join('\n') + '\n';
}

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' ? rest[0] : undefined;
    if (topic !== undefined) {
      const c = commands[topic];
      if (!c) { io.stderr(`rlvrc: unknown command '${topic}'\n`); return 2; }
      io.stdout(`${c.usage}\n\n${c.summary}\n`);
      return 0;
    }
    io.stdout(helpText());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    io.stdout(`rlvrc ${compilerVersion()}\n`);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    io.stderr(`rlvrc: unknown command '${name}'\nRun 'rlvrc help' for the list of commands.\n`);
    return 2;
  }
  try {
    const run = await command.load();
    return await run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`rlvrc ${name}: ${e.message}\nusage: ${command.usage}\n`);
      return 2;
    }
    io.stderr(`rlvrc ${name}: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\nThis is a bug in rlvrc; please report it with the input that caused it.\n`);
    return 2;
  }
}
