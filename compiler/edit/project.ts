// The folder `mlp edit` serves: its .mlp files by paths relative to it (never a path that
// leaves it, through `..` or a symlink), each read with a version (a hash of its text) so a
// write made against an old version is refused instead of overwriting what changed on disk,
// and a poll that notices files changed, added or removed by other programs.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";

/** What a text is at: the first 16 hex digits of its SHA-256. */
export const versionOf = (text: string): string => createHash("sha256").update(text).digest("hex").slice(0, 16);

/** Folders never listed: dependencies, version control, run folders and hidden ones. */
const SKIPPED = new Set(["node_modules", "dist", "build", "__pycache__"]);
/** A folder with more .mlp files than this is not a project; the list stops there. */
export const MAX_FILES = 2000;

export type WriteResult = { ok: true; version: string } | { ok: false; conflict: { text: string | null; version: string | null } };

export class Project {
  readonly root: string;

  constructor(root: string) {
    this.root = realpathSync(root);
  }

  /** The absolute path of a .mlp file inside the folder, or undefined when `rel` is not one. */
  resolve(rel: unknown): string | undefined {
    if (typeof rel !== "string" || !rel || rel.length > 1024 || rel.includes("\0") || rel.includes("\\") || isAbsolute(rel) || !rel.endsWith(".mlp")) return undefined;
    const abs = resolve(this.root, rel);
    if (!this.inside(abs)) return undefined;
    // Through a symlink the file could be anywhere: what exists of the path must really be inside.
    let existing = abs;
    for (;;) {
      try {
        const real = realpathSync(existing);
        return real === this.root || this.inside(real) ? abs : undefined;
      } catch {
        const up = dirname(existing);
        if (up === existing) return undefined;
        existing = up;
      }
    }
  }

  private inside(abs: string): boolean {
    return abs.startsWith(this.root + sep);
  }

  /** The .mlp files, relative and sorted, with their size and modification time. */
  scan(): Map<string, { mtimeMs: number; size: number }> {
    const found = new Map<string, { mtimeMs: number; size: number }>();
    const walk = (dir: string): void => {
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of entries) {
        if (found.size >= MAX_FILES) return;
        if (e.name.startsWith(".")) continue;
        const p = join(dir, e.name);
        if (e.isDirectory()) {
          if (!SKIPPED.has(e.name)) walk(p);
        } else if (e.isFile() && e.name.endsWith(".mlp")) {
          try {
            const st = statSync(p);
            found.set(relative(this.root, p).split(sep).join("/"), { mtimeMs: st.mtimeMs, size: st.size });
          } catch {
            // Removed while listing.
          }
        }
      }
    };
    walk(this.root);
    return found;
  }

  read(rel: string): { text: string; version: string } | undefined {
    const abs = this.resolve(rel);
    if (!abs) return undefined;
    try {
      const text = readFileSync(abs, "utf8");
      return { text, version: versionOf(text) };
    } catch {
      return undefined;
    }
  }

  /**
   * Writes `text` when the file is still at `base` (null: the file must not exist yet), all
   * at once (a temporary file, then a rename). Otherwise nothing is written and the file as
   * it is now comes back.
   */
  write(rel: string, text: string, base: string | null): WriteResult {
    const abs = this.resolve(rel);
    if (!abs) throw new Error(`not a .mlp file in the folder: ${rel}`);
    const now = this.read(rel);
    if ((now?.version ?? null) !== base) return { ok: false, conflict: { text: now?.text ?? null, version: now?.version ?? null } };
    mkdirSync(dirname(abs), { recursive: true });
    const tmp = join(dirname(abs), `.${abs.slice(dirname(abs).length + 1)}.mlp-edit-${process.pid}.tmp`);
    try {
      writeFileSync(tmp, text);
      renameSync(tmp, abs);
    } catch (e) {
      try {
        unlinkSync(tmp);
      } catch {
        // Never created.
      }
      throw e;
    }
    return { ok: true, version: versionOf(text) };
  }
}

export type Change = { type: "changed"; path: string; version: string } | { type: "removed"; path: string } | { type: "added"; path: string; version: string };

/**
 * Polls the folder (every `ms`): a file whose size or time changed is read, and reported
 * when its text did. Polling rather than fs.watch: it behaves the same on every platform and
 * file system, and a project is small.
 */
export function watchProject(project: Project, onChange: (c: Change) => void, ms = 500): { stop(): void; known(path: string, version: string): void } {
  const stats = project.scan();
  const versions = new Map<string, string>();
  for (const p of stats.keys()) {
    const r = project.read(p);
    if (r) versions.set(p, r.version);
  }
  const timer = setInterval(() => {
    const now = project.scan();
    for (const [p, st] of now) {
      const before = stats.get(p);
      if (before && before.mtimeMs === st.mtimeMs && before.size === st.size) continue;
      stats.set(p, st);
      const r = project.read(p);
      if (!r) continue;
      const was = versions.get(p);
      versions.set(p, r.version);
      if (was === undefined) onChange({ type: "added", path: p, version: r.version });
      else if (was !== r.version) onChange({ type: "changed", path: p, version: r.version });
    }
    for (const p of [...stats.keys()])
      if (!now.has(p)) {
        stats.delete(p);
        versions.delete(p);
        onChange({ type: "removed", path: p });
      }
  }, ms);
  timer.unref();
  return {
    stop: () => clearInterval(timer),
    // A write the server made itself is not news to the writer; others still hear of it.
    known: (path, version) => versions.set(path, version),
  };
}
