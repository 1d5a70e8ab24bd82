// npm start: build the editor, serve it on localhost and print the address.
// The first visit opens the churn sample; later visits reopen the autosaved work.
import { buildEditor } from "./build.mjs";
import { serve } from "./serve.mjs";

const port = Number(process.env.PORT ?? 5173);
const t0 = Date.now();
const dir = await buildEditor();
console.log(`built the editor in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
let server;
try {
  server = await serve(dir, port);
} catch (e) {
  if (e.code !== "EADDRINUSE") throw e;
  server = await serve(dir, 0);
}
console.log(`\n  mlp editor: ${server.url}\n  (a sample: ${server.url}?sample=fraud.mlp)\n\n  Ctrl+C to stop.`);
