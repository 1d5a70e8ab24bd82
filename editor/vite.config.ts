// The editor is a static single-page app. The language and compiler modules it
// imports from the project root are pure TypeScript and run in the browser as they are.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root,
  base: "./",
  // React's automatic JSX runtime through Vite's own transform; no plugin needed.
  oxc: { jsx: { runtime: "automatic" } },
  worker: { format: "es" },
  server: { fs: { allow: [fileURLToPath(new URL("..", import.meta.url))] } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 4000,
    reportCompressedSize: false,
    rolldownOptions: {
      onLog(level, log, handler) {
        // React Flow marks itself "use client" for server components; meaningless in a static
        // app. Plugin timings are advice for slow builds, printed when the machine is busy.
        if (log.code === "MODULE_LEVEL_DIRECTIVE" || log.code === "PLUGIN_TIMINGS") return;
        handler(level, log);
      },
    },
  },
  logLevel: "warn",
});
