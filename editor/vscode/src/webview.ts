// The graph editor's index.html as a VS Code webview page. Pure (no `vscode` import) so the
// tests build the same page. Two things differ from the editor served on its own:
// - its assets load from VS Code's resource origin, behind a content security policy;
// - its web workers (the checker's and elk's) cannot start from there: a webview's document
//   is on the vscode-webview: origin and the browser refuses a worker script from another
//   origin (microsoft/vscode#87282), and a worker's own fetches do not reach VS Code's
//   resource loader either. So the page starts each worker from a blob of its script's text,
//   which the extension reads from disk and writes into the page; a blob has the page's origin.

export interface WebviewPage {
  /** The URL the webview loads an asset at (`assets/index-….js`, relative to the editor's build). */
  assetUri(rel: string): string;
  /** The webview's source for its own resources (CSP). */
  cspSource: string;
  /** A fresh random string for the page's one inline script. */
  nonce: string;
  /** Worker scripts by file name (`elk-worker.min-….js`) and their text. */
  workers: Record<string, string>;
}

/** The editor build's worker scripts (the checker's `analyze.worker-….js`, `elk-worker.min-….js`). */
export const isWorkerScript = (file: string) => /worker.*\.js$/.test(file);

/** Text inside `<script>`: JSON, with `<` escaped so no `</script>` can end the element early. */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, "\\u003c");

export function webviewHtml(index: string, page: WebviewPage): string {
  const { assetUri, cspSource, nonce, workers } = page;
  const csp = `default-src 'none'; img-src ${cspSource} data:; style-src ${cspSource} 'unsafe-inline'; script-src ${cspSource} 'nonce-${nonce}'; worker-src ${cspSource} blob:; font-src ${cspSource}; connect-src ${cspSource}`;
  // Runs before the editor's scripts: a worker whose script is one of `workers` starts from a blob.
  const shim = `<script nonce="${nonce}">(() => {
  const sources = ${scriptJson(workers)};
  const Native = window.Worker;
  window.Worker = class extends Native {
    constructor(url, options) {
      const name = new URL(String(url), document.baseURI).pathname.split("/").pop();
      const text = Object.hasOwn(sources, name) ? sources[name] : undefined;
      super(text === undefined ? url : URL.createObjectURL(new Blob([text], { type: "text/javascript" })), options);
    }
  };
})();</script>`;
  return index
    .replace(/(src|href)="\.?\/?(assets\/[^"]+)"/g, (_, attr: string, rel: string) => `${attr}="${assetUri(rel)}"`)
    // A function, not a string: the scripts' text holds `$'` and the like, which a replacement string would expand.
    .replace("<head>", () => `<head><meta http-equiv="Content-Security-Policy" content="${csp}">${shim}`);
}
