// `import text from "./file.py?raw"`: a file's contents as a string. Vite and vitest do this
// themselves; the CLI bundle does it with compiler/raw-plugin.mjs. The Python that targets
// ship lives in real .py files this way, where Python's own tools can read it.
declare module "*?raw" {
  const text: string;
  export default text;
}
