// The VS Code extension: the language client for `mlp lsp` (the server is bundled beside it
// as dist/server.js; the `mlp.server.command` setting runs another, e.g. a project's own
// `npx mlp lsp`), and a command that opens the node-graph editor on the current file in a
// webview, kept in step with the text both ways.
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import * as vscode from "vscode";
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from "vscode-languageclient/node";
import { isWorkerScript, webviewHtml } from "./webview";

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const command = vscode.workspace.getConfiguration("mlp").get<string[]>("server.command") ?? [];
  // vscode-languageclient adds --stdio to either.
  const server: ServerOptions = command.length
    ? { command: command[0]!, args: command.slice(1).filter((a) => a !== "--stdio"), transport: TransportKind.stdio }
    : { module: context.asAbsolutePath(join("dist", "server.js")), transport: TransportKind.stdio };
  const options: LanguageClientOptions = { documentSelector: [{ language: "mlp" }] };
  client = new LanguageClient("mlp", "mlp", server, options);
  context.subscriptions.push(vscode.commands.registerCommand("mlp.openGraph", () => openGraph(context)));
  await client.start();
}

export function deactivate(): Thenable<void> | undefined {
  return client?.stop();
}

/** The .mlp files of the document's folder and below (its imports among them), by path relative to the folder. */
async function siblings(doc: vscode.TextDocument): Promise<Record<string, string>> {
  const folder = dirname(doc.uri.fsPath);
  const found = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, "**/*.mlp"), "**/node_modules/**", 200);
  const files: Record<string, string> = {};
  for (const uri of found) {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    files[relative(folder, uri.fsPath).split("\\").join("/")] = open ? open.getText() : readFileSync(uri.fsPath, "utf8");
  }
  files[basename(doc.uri.fsPath)] = doc.getText();
  return files;
}

function openGraph(context: vscode.ExtensionContext): void {
  const doc = vscode.window.activeTextEditor?.document;
  if (!doc || doc.languageId !== "mlp") {
    void vscode.window.showInformationMessage("mlp: open a .mlp file first, then run this command");
    return;
  }
  const root = vscode.Uri.joinPath(context.extensionUri, "graph");
  const panel = vscode.window.createWebviewPanel("mlp.graph", `Graph: ${basename(doc.uri.fsPath)}`, vscode.ViewColumn.Beside, {
    enableScripts: true,
    retainContextWhenHidden: true,
    localResourceRoots: [root],
  });
  const web = panel.webview;
  const assets = join(root.fsPath, "assets");
  const workers = Object.fromEntries(readdirSync(assets).filter(isWorkerScript).map((f) => [f, readFileSync(join(assets, f), "utf8")]));
  web.html = webviewHtml(readFileSync(join(root.fsPath, "index.html"), "utf8"), {
    assetUri: (rel) => web.asWebviewUri(vscode.Uri.joinPath(root, rel)).toString(),
    cspSource: web.cspSource,
    nonce: randomBytes(18).toString("base64"),
    workers,
  });
  const name = basename(doc.uri.fsPath);
  let last = doc.getText();
  web.onDidReceiveMessage(async (m: { type: string; path?: string; text?: string }) => {
    if (m.type === "mlp.ready") void web.postMessage({ type: "mlp.open", active: name, files: await siblings(doc) });
    // An edit made on the graph: the document takes it (one undoable edit in the text editor).
    if (m.type === "mlp.edit" && m.path === name && typeof m.text === "string" && m.text !== doc.getText()) {
      last = m.text;
      const edit = new vscode.WorkspaceEdit();
      edit.replace(doc.uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), m.text);
      await vscode.workspace.applyEdit(edit);
    }
  });
  const typed = vscode.workspace.onDidChangeTextDocument((e) => {
    if (e.document !== doc || doc.getText() === last) return;
    last = doc.getText();
    void web.postMessage({ type: "mlp.text", path: name, text: last });
  });
  panel.onDidDispose(() => typed.dispose());
}
