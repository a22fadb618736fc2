// The open documents, as the client last sent them. Incremental changes are applied in version order; a
// change whose version is not newer than the document's (a client or transport that reorders messages)
// is dropped instead of corrupting the text, and the client gets the current text back on the next edit.
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';

export class Documents {
  private readonly docs = new Map<string, TextDocument>();

  open(uri: string, text: string, version: number): TextDocument {
    const doc = TextDocument.create(uri, 'rlvr', version, text);
    this.docs.set(uri, doc);
    return doc;
  }

  /** Applies the changes; returns the updated document, or undefined when the document is not open or the version is stale. */
  change(uri: string, version: number | null, changes: TextDocumentContentChangeEvent[]): TextDocument | undefined {
    const doc = this.docs.get(uri);
    if (!doc) return undefined;
    if (version !== null && version <= doc.version) return undefined;
    const next = TextDocument.update(doc, changes, version ?? doc.version + 1);
    this.docs.set(uri, next);
    return next;
  }

  close(uri: string): void {
    this.docs.delete(uri);
  }

  get(uri: string): TextDocument | undefined {
    return this.docs.get(uri);
  }

  all(): TextDocument[] {
    return [...this.docs.values()];
  }
}
