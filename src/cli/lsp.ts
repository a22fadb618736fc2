// `rlvrc lsp [--stdio]`: the language server, speaking LSP over stdin/stdout until the client says exit.
// Editors' clients append --stdio; it is the only transport, so it is accepted and changes nothing.
import type { CliIO } from './io.js';
import { parseArgs, UsageError } from './io.js';

export async function lspCommand(args: string[], _io: CliIO): Promise<number> {
  const { positional } = parseArgs(args, { boolean: ['stdio'] });
  if (positional.length > 0) throw new UsageError(`lsp takes no files (the editor opens them): '${positional[0]}'`);
  const { startServer } = await import('../lsp/server.js');
  // The connection ends the process on the client's exit notification; a client that closes stdin ends it too.
  const code = await startServer(process.stdin, process.stdout).closed;
  // Exit now rather than when the event loop empties: vscode-languageserver watches the client's processId
  // (from initialize) with an interval, which kept an orphaned server alive as long as its parent lived.
  // stdout is a pipe or socket here, written synchronously on Linux, so nothing is lost.
  process.exit(code);
}
