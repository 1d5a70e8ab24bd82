// `mlp lsp`: the Language Server Protocol over stdio, for any editor, on the same parser and
// checker as the CLI. Open documents are checked as you type (debounced; a change re-checks
// every open document, since any of them may import the changed one); requests are answered
// by the language service (language/service/) from the last check of that document, checked
// again first when its text has changed since. A failing request is answered with an error
// and logged; it never takes the server down.
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  CodeActionKind,
  CompletionItemKind,
  createConnection,
  DiagnosticSeverity,
  ErrorCodes,
  ProposedFeatures,
  ResponseError,
  StreamMessageReader,
  StreamMessageWriter,
  SymbolKind,
  TextDocuments,
  TextDocumentSyncKind,
  type CodeAction,
  type CompletionItem,
  type Diagnostic as LspDiagnostic,
  type DocumentSymbol,
  type Location,
  type Range,
  type TextEdit,
} from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import { CheckSession } from "../../language/checker/program";
import type { CheckedProgram, FileLoader } from "../../language/checker/model";
import type { Diagnostic } from "../../language/diagnostics/diagnostic";
import { format } from "../../language/formatter";
import { parse } from "../../language/parser";
import { definition, fileOf, hover, references, rename, symbols, type DocSymbol, type Place } from "../../language/service/answers";
import { complete, type Completion } from "../../language/service/complete";
import { semanticTokens, TOKEN_MODIFIERS, TOKEN_TYPES } from "../../language/service/tokens";
import type { Span } from "../../language/span";
import { explanation } from "../tooling/explain";
import { jsonEncoder, sentAgain } from "./encoder";

declare const MLP_VERSION: string;

/** Quiet time after an edit before the open documents are checked again. */
const DEBOUNCE_MS = 150;

const toPath = (uri: string): string => (uri.startsWith("file:") ? fileURLToPath(uri) : uri);
const toUri = (path: string): string => (path.includes(":") && !path.startsWith("/") ? path : pathToFileURL(path).href);
const range = (s: Span): Range => ({ start: { line: s.line - 1, character: s.col - 1 }, end: { line: s.endLine - 1, character: s.endCol - 1 } });
const location = (p: Place): Location => ({ uri: toUri(p.file), range: range(p.span) });

export function startLanguageServer(input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stdout): void {
  const writer = new StreamMessageWriter(output, { charset: "utf-8", contentTypeEncoder: jsonEncoder(output === process.stdout) });
  const connection = createConnection(ProposedFeatures.all, new StreamMessageReader(input), writer);
  const documents = new TextDocuments(TextDocument);
  const checked = new Map<string, { version: number; program: CheckedProgram | undefined }>();
  // One session for every document: an edit parses again only the declarations it touched,
  // and steps it did not affect keep their checked results.
  const session = new CheckSession();
  // The outline is asked for again and again (on focus, scrolling, breadcrumbs) while the text
  // stays the same: one answer per document version, encoded to JSON once (see ./encoder).
  const outlines = new Map<string, { version: number; symbols: DocumentSymbol[] }>();

  const loader: FileLoader = {
    read(path) {
      const open = documents.get(toUri(path));
      if (open) return open.getText();
      try {
        return readFileSync(path, "utf8");
      } catch {
        return undefined;
      }
    },
  };

  /** The program of a document as its text is now: checked again when it changed since. */
  const programOf = (uri: string): CheckedProgram | undefined => {
    const doc = documents.get(uri);
    if (!doc) return undefined;
    const hit = checked.get(uri);
    if (hit && hit.version === doc.version) return hit.program;
    let program: CheckedProgram | undefined;
    try {
      program = session.check(toPath(uri), loader, doc.getText());
    } catch (e) {
      connection.console.error(`mlp: checking ${uri} failed: ${(e as Error).stack ?? String(e)}`);
    }
    checked.set(uri, { version: doc.version, program });
    return program;
  };

  const publish = (uri: string) => {
    const program = programOf(uri);
    if (!program) return;
    const path = toPath(uri);
    const diagnostics = program.diagnostics.filter((d) => d.file === path).map(toLsp);
    void connection.sendDiagnostics({ uri, diagnostics });
  };

  let timer: ReturnType<typeof setTimeout> | undefined;
  const recheckAll = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      for (const d of documents.all()) publish(d.uri);
    }, DEBOUNCE_MS);
  };
  // A document's check is stale when any file it read changed, not only when it did.
  const changed = (uri: string) => {
    const path = toPath(uri);
    for (const [u, hit] of checked) if (u === uri || hit.program?.files.some((f) => f.path === path)) checked.delete(u);
    recheckAll();
  };
  documents.onDidOpen((e) => changed(e.document.uri));
  documents.onDidChangeContent((e) => changed(e.document.uri));
  documents.onDidClose((e) => {
    // Importers now read the file from disk instead of the closed buffer.
    outlines.delete(e.document.uri);
    changed(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  /** Runs a request; an exception is logged and answered as an error, and the server goes on. */
  const safe =
    <P, R>(name: string, f: (p: P) => R) =>
    (p: P): R | ResponseError<void> => {
      try {
        return f(p);
      } catch (e) {
        if (e instanceof ResponseError) return e as ResponseError<void>;
        connection.console.error(`mlp: ${name} failed: ${(e as Error).stack ?? String(e)}`);
        return new ResponseError(ErrorCodes.InternalError, `mlp: ${name} failed: ${(e as Error).message}`);
      }
    };

  const offsetOf = (uri: string, position: { line: number; character: number }) => documents.get(uri)?.offsetAt(position) ?? 0;

  connection.onInitialize(() => ({
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      hoverProvider: true,
      definitionProvider: true,
      referencesProvider: true,
      renameProvider: true,
      documentSymbolProvider: true,
      documentFormattingProvider: true,
      completionProvider: { triggerCharacters: ["(", ",", "=", " "] },
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      semanticTokensProvider: { legend: { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] }, full: true },
    },
    serverInfo: { name: "mlp", version: typeof MLP_VERSION === "string" ? MLP_VERSION : "dev" },
  }));

  connection.onHover(
    safe("hover", (p) => {
      const program = programOf(p.textDocument.uri);
      if (!program) return null;
      const path = toPath(p.textDocument.uri);
      const at = offsetOf(p.textDocument.uri, p.position);
      const h = hover(program, path, at);
      // What the diagnostics here mean: the reference's explanation of their codes.
      const codes = [...new Set(program.diagnostics.filter((d) => d.file === path && d.span.start <= at && at <= d.span.end).map((d) => d.code))];
      const explained = codes.map((c) => `**${c}**: ${summaryOf(c)}`).join("\n\n");
      if (!h && !explained) return null;
      const value = [h?.text, explained].filter(Boolean).join("\n\n---\n\n");
      return h ? { contents: { kind: "markdown" as const, value }, range: range(h.span) } : { contents: { kind: "markdown" as const, value } };
    }),
  );

  connection.onDefinition(
    safe("definition", (p) => {
      const program = programOf(p.textDocument.uri);
      const place = program && definition(program, toPath(p.textDocument.uri), offsetOf(p.textDocument.uri, p.position));
      return place ? location(place) : null;
    }),
  );

  /** The document's program, then those of the other open documents that read it (a library's importers). */
  const programsSeeing = (uri: string): CheckedProgram[] => {
    const own = programOf(uri);
    if (!own) return [];
    const path = toPath(uri);
    const others = documents
      .all()
      .filter((d) => d.uri !== uri)
      .map((d) => programOf(d.uri))
      .filter((p): p is CheckedProgram => !!p && p.files.some((f) => f.path === path));
    return [own, ...others];
  };

  connection.onReferences(
    safe("references", (p) => {
      const program = programOf(p.textDocument.uri);
      const all = program ? references(programsSeeing(p.textDocument.uri), toPath(p.textDocument.uri), offsetOf(p.textDocument.uri, p.position)) : [];
      const self = program && p.context.includeDeclaration ? all : all.filter((r) => !isDeclaration(program!, r));
      return self.map(location);
    }),
  );

  connection.onRenameRequest(
    safe("rename", (p) => {
      const program = programOf(p.textDocument.uri);
      if (!program) return null;
      const r = rename(programsSeeing(p.textDocument.uri), toPath(p.textDocument.uri), offsetOf(p.textDocument.uri, p.position), p.newName);
      if ("refused" in r) throw new RenameRefused(r.refused);
      const changes: Record<string, { range: Range; newText: string }[]> = {};
      for (const e of r.edits) (changes[toUri(e.file)] ??= []).push({ range: range(e.span), newText: e.text });
      return { changes };
    }),
  );

  connection.onDocumentSymbol(
    safe("documentSymbol", (p) => {
      const doc = documents.get(p.textDocument.uri);
      if (!doc) return [];
      const hit = outlines.get(p.textDocument.uri);
      if (hit && hit.version === doc.version) return hit.symbols;
      const program = programOf(p.textDocument.uri);
      const ast = (program && fileOf(program, toPath(p.textDocument.uri))?.ast) ?? parse(doc.getText(), toPath(p.textDocument.uri)).ast;
      const out = sentAgain(symbols(ast).map(toSymbol));
      outlines.set(p.textDocument.uri, { version: doc.version, symbols: out });
      return out;
    }),
  );

  connection.onDocumentFormatting(
    safe("formatting", (p) => {
      const doc = documents.get(p.textDocument.uri);
      if (!doc) return [];
      const text = doc.getText();
      const r = parse(text, toPath(p.textDocument.uri));
      // Text that does not parse is left as it is: the formatter prints trees, and a tree with errors would lose text.
      if (r.diagnostics.some((d) => d.severity === "error")) return [];
      const out = format(r.ast);
      return out === text ? [] : [{ range: { start: { line: 0, character: 0 }, end: doc.positionAt(text.length) }, newText: out }];
    }),
  );

  connection.onCompletion(
    safe("completion", (p) => {
      const doc = documents.get(p.textDocument.uri);
      if (!doc) return [];
      const hit = checked.get(p.textDocument.uri);
      // The last check is enough to know what exists; the text says where the cursor is.
      return complete(hit?.program ?? programOf(p.textDocument.uri), toPath(p.textDocument.uri), doc.getText(), doc.offsetAt(p.position)).map(toItem);
    }),
  );

  connection.languages.semanticTokens.on(
    safe("semanticTokens", (p) => {
      const doc = documents.get(p.textDocument.uri);
      if (!doc) return { data: [] };
      // LSP's encoding: per token, its line and start relative to the previous token's, its length, type and modifiers.
      const data: number[] = [];
      let line = 0;
      let char = 0;
      for (const t of semanticTokens(doc.getText())) {
        data.push(t.line - line, t.line === line ? t.char - char : t.char, t.length, TOKEN_TYPES.indexOf(t.kind), t.declaration ? 1 : 0);
        line = t.line;
        char = t.char;
      }
      return { data };
    }),
  );

  connection.onCodeAction(
    safe("codeAction", (p) => {
      const actions: CodeAction[] = [];
      const doc = documents.get(p.textDocument.uri);
      const path = toPath(p.textDocument.uri);
      const program = programOf(p.textDocument.uri);
      for (const d of p.context.diagnostics) {
        // Fixes the checker attached to the diagnostic (edits in any file of the program).
        const mine = program?.diagnostics.find((x) => x.code === d.code && x.file === path && x.span.line - 1 === d.range.start.line && x.span.col - 1 === d.range.start.character);
        for (const f of mine?.fixes ?? []) {
          const changes: Record<string, TextEdit[]> = {};
          for (const e of f.edits) (changes[toUri(e.file)] ??= []).push({ range: range(e.span), newText: e.text });
          actions.push({ title: f.title, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: true, edit: { changes } });
        }
        // `dedupe` without `keep`: add the `keep` its help names, at the end of the operation's line.
        if (d.code === "MLP0605" && doc) {
          const line = doc.getText({ start: { line: d.range.start.line, character: 0 }, end: { line: d.range.start.line + 1, character: 0 } }).replace(/\r?\n$/, "");
          const end = line.replace(/\s*\/\/.*$/, "").trimEnd().length;
          for (const m of String(d.message).matchAll(/`(keep (?:latest|earliest) [A-Za-z_][A-Za-z0-9_]*)`/g))
            actions.push({
              title: `Add \`${m[1]}\``,
              kind: CodeActionKind.QuickFix,
              diagnostics: [d],
              edit: { changes: { [p.textDocument.uri]: [{ range: { start: { line: d.range.start.line, character: end }, end: { line: d.range.start.line, character: end } }, newText: ` ${m[1]}` }] } },
            });
          continue;
        }
        const m = /did you mean `([^`]+)`\?/.exec(typeof d.message === "string" ? d.message : "");
        if (!m) continue;
        actions.push({
          title: `Change to \`${m[1]}\``,
          kind: CodeActionKind.QuickFix,
          diagnostics: [d],
          isPreferred: true,
          edit: { changes: { [p.textDocument.uri]: [{ range: d.range, newText: m[1]! }] } },
        });
      }
      return actions;
    }),
  );

  documents.listen(connection);
  connection.listen();
}

/** The first paragraph of a code's explanation in the reference. */
function summaryOf(code: string): string {
  const text = explanation(code);
  return text ? (text.split("\n\n")[1] ?? "").replace(/^\*(error|warning)\*\. /, "") : "";
}

class RenameRefused extends ResponseError<void> {
  constructor(message: string) {
    super(ErrorCodes.InvalidRequest, message);
  }
}

function isDeclaration(program: CheckedProgram, p: Place): boolean {
  return program.files.some((f) => f.path === p.file && [...f.steps.values(), ...f.schemas.values()].some((x) => x.file === p.file && x.decl.name.span.start === p.span.start));
}

function toLsp(d: Diagnostic): LspDiagnostic {
  const out: LspDiagnostic = {
    range: range(d.span),
    severity: d.severity === "error" ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    code: d.code,
    source: "mlp",
    message: [d.message, d.label && d.label !== d.message ? `(${d.label})` : "", d.help ? `help: ${d.help}` : ""].filter(Boolean).join("\n"),
  };
  if (d.notes?.length) out.relatedInformation = d.notes.map((n) => ({ location: { uri: toUri(n.file), range: range(n.span) }, message: n.message }));
  return out;
}

const SYMBOL_KINDS: Record<DocSymbol["kind"], SymbolKind> = {
  pipeline: SymbolKind.Namespace,
  schema: SymbolKind.Struct,
  field: SymbolKind.Field,
  step: SymbolKind.Function,
  target: SymbolKind.Module,
  variant: SymbolKind.Object,
  import: SymbolKind.Package,
  layout: SymbolKind.Object,
};

function toSymbol(s: DocSymbol): DocumentSymbol {
  const out: DocumentSymbol = { name: s.name, detail: s.detail, kind: SYMBOL_KINDS[s.kind], range: range(s.span), selectionRange: range(s.selection) };
  // No empty lists: a 10,000-step outline is megabytes of JSON, sent whole on every request.
  if (s.children.length) out.children = s.children.map(toSymbol);
  return out;
}

const ITEM_KINDS: Record<Completion["kind"], CompletionItemKind> = {
  keyword: CompletionItemKind.Keyword,
  stepKind: CompletionItemKind.Class,
  setting: CompletionItemKind.Property,
  operation: CompletionItemKind.Keyword,
  value: CompletionItemKind.EnumMember,
  column: CompletionItemKind.Field,
  step: CompletionItemKind.Reference,
  function: CompletionItemKind.Function,
  type: CompletionItemKind.TypeParameter,
};

function toItem(c: Completion): CompletionItem {
  const item: CompletionItem = { label: c.label, kind: ITEM_KINDS[c.kind] };
  if (c.detail) item.detail = c.detail;
  if (c.doc) item.documentation = c.doc;
  if (c.insert) item.insertText = c.insert;
  return item;
}
