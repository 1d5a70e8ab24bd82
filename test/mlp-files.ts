// The .mlp files the suites read: every pipeline, fixture and shared case under a folder.
import { readdirSync } from "node:fs";
import { join } from "node:path";

/**
 * The .mlp files under `dir`, sorted, as paths that start with `dir`. Hidden folders (the run
 * folders `mlp run` leaves, such as samples/.mlp/) and node_modules are left out; a missing
 * folder has none.
 */
export function mlpFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (e.name.startsWith(".") || e.name === "node_modules") continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".mlp")) out.push(p);
    }
  };
  walk(dir);
  return out;
}
