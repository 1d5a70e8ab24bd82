// Sample pipelines bundled with the editor: the project's samples/ folder when it has
// files, and the editor's own copies of the conformance examples.
const own = import.meta.glob<string>("../samples/**/*.mlp", { query: "?raw", import: "default", eager: true });
const project = import.meta.glob<string>("../../samples/**/*.mlp", { query: "?raw", import: "default", eager: true });

function byPath(files: Record<string, string>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(files)) out[k.slice(k.indexOf(prefix) + prefix.length)] = v;
  return out;
}

/** Sample files by relative path (`churn.mlp`, `lib/customer.mlp`). */
export const SAMPLE_FILES: Record<string, string> = { ...byPath(own, "/samples/"), ...byPath(project, "/samples/") };

/** Samples worth opening on their own: files that declare a pipeline. */
export const SAMPLES: string[] = Object.keys(SAMPLE_FILES)
  .filter((p) => /^\s*pipeline\s/m.test(SAMPLE_FILES[p]!))
  .sort((a, b) => (a === "churn.mlp" ? -1 : b === "churn.mlp" ? 1 : a.localeCompare(b)));

/** A sample and the files it imports (transitively, by the `from "..."` paths). */
export function sampleWithImports(path: string): Record<string, string> {
  const out: Record<string, string> = {};
  const todo = [path];
  while (todo.length) {
    const p = todo.pop()!;
    const text = SAMPLE_FILES[p];
    if (text === undefined || p in out) continue;
    out[p] = text;
    const dir = p.includes("/") ? p.slice(0, p.lastIndexOf("/") + 1) : "";
    for (const m of text.matchAll(/from\s+"([^"]+)"/g)) todo.push(normalize(dir + m[1]!));
  }
  return out;
}

function normalize(p: string): string {
  const out: string[] = [];
  for (const part of p.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return out.join("/");
}
