// The VS Code client: starts `rlvrc lsp --stdio` for .rlvr files and hands the editor to it. The
// server does all the work; this file only finds the executable and passes the settings.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { workspace, type ExtensionContext } from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

let client: LanguageClient | undefined;

/** The configured rlvrc, else the workspace's own (npm install rlvrc), else rlvrc on PATH. */
function serverCommand(): string {
  const configured = workspace.getConfiguration('rlvr').get<string>('server.command', '');
  if (configured) return configured;
  for (const folder of workspace.workspaceFolders ?? []) {
    const local = join(folder.uri.fsPath, 'node_modules', '.bin', process.platform === 'win32' ? 'rlvrc.cmd' : 'rlvrc');
    if (existsSync(local)) return local;
  }
  return 'rlvrc';
}

export async function activate(context: ExtensionContext): Promise<void> {
  const command = serverCommand();
  // The client appends --stdio: the server runs as `rlvrc lsp --stdio`. Windows needs a shell for rlvrc.cmd.
  const run = { command, args: ['lsp'], transport: TransportKind.stdio, options: { shell: process.platform === 'win32' } };
  const serverOptions: ServerOptions = { run, debug: run };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'rlvr' }],
    initializationOptions: { debounceMs: workspace.getConfiguration('rlvr').get<number>('server.debounceMs', 200) },
    // Imports can change on disk: the server re-checks open specs when a .rlvr file changes.
    synchronize: { fileEvents: workspace.createFileSystemWatcher('**/*.rlvr') },
  };
  client = new LanguageClient('rlvr', 'RLVR language server', serverOptions, clientOptions);
  context.subscriptions.push(client);
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
