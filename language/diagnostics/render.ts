// Diagnostics for people (rustc-style, with the source line), for tools (JSON) and
// for GitHub Actions (workflow commands that annotate the pull request).
import { LineIndex, type Span } from "../span";
import type { Diagnostic } from "./diagnostic";

export interface RenderOptions {
  /** Source text by file path, for the snippets. */
  sources: ReadonlyMap<string, string>;
  color?: boolean;
}

/**
 * Source text and messages go to a terminal or a CI log: control characters (ESC, BEL, ...)
 * and bidirectional overrides from the file would drive the terminal or hide text. Each is
 * shown as one visible character (a control picture, or U+FFFD), so carets stay aligned.
 */
export function visible(s: string): string {
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const n = c.charCodeAt(0);
    if (n < 0x20) return String.fromCharCode(0x2400 + n);
    if (n === 0x7f) return "\u2421";
    return "\ufffd";
  });
}

const paint = (on: boolean, code: string, s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);

export function renderHuman(ds: readonly Diagnostic[], opts: RenderOptions): string {
  const indexes = new Map<string, LineIndex>();
  const lines = (file: string) => {
    let ix = indexes.get(file);
    if (!ix && opts.sources.has(file)) indexes.set(file, (ix = new LineIndex(opts.sources.get(file)!)));
    return ix;
  };
  const c = !!opts.color;
  const out: string[] = [];
  for (const d of ds) {
    const sev = d.severity === "error" ? paint(c, "1;31", "error") : paint(c, "1;33", "warning");
    out.push(`${sev}${paint(c, "1", `[${d.code}]: ${visible(d.message)}`)}`);
    const width = String(Math.max(d.span.endLine, ...(d.notes ?? []).map((n) => n.span.endLine))).length;
    out.push(...snippet(d.file || "<input>", d.span, d.label === undefined ? undefined : visible(d.label), lines(d.file), width, c, d.severity === "error" ? "1;31" : "1;33"));
    for (const n of d.notes ?? []) {
      if (n.file && lines(n.file)) out.push(...snippet(n.file, n.span, visible(n.message), lines(n.file), width, c, "1;34"));
      else out.push(`${" ".repeat(width + 1)}= note: ${visible(n.message)}`);
    }
    if (d.help) out.push(`${" ".repeat(width + 1)}${paint(c, "1;36", "= help")}: ${visible(d.help)}`);
    out.push("");
  }
  const errors = ds.filter((d) => d.severity === "error").length;
  const warnings = ds.length - errors;
  if (ds.length) out.push(`${plural(errors, "error")}, ${plural(warnings, "warning")}`);
  return out.join("\n") + (ds.length ? "\n" : "");
}

const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"}`;

function snippet(file: string, span: Span, label: string | undefined, ix: LineIndex | undefined, width: number, c: boolean, color: string): string[] {
  const gutter = " ".repeat(width);
  const out = [`${gutter}${paint(c, "1;34", "-->")} ${visible(file)}:${span.line}:${span.col}`];
  if (!ix || span.line > ix.lineCount) return out;
  const text = visible(ix.lineText(span.line).replace(/\t/g, " "));
  const bar = paint(c, "1;34", "|");
  const end = span.endLine === span.line ? span.endCol : text.length + 1;
  const carets = "^".repeat(Math.max(1, end - span.col));
  out.push(`${gutter} ${bar}`);
  out.push(`${paint(c, "1;34", String(span.line).padStart(width))} ${bar} ${text}`);
  out.push(`${gutter} ${bar} ${" ".repeat(span.col - 1)}${paint(c, color, carets + (label ? ` ${label}` : ""))}`);
  return out;
}

export interface JsonDiagnostic {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: string;
  code: string;
  message: string;
  help?: string;
}

export function toJson(ds: readonly Diagnostic[]): { diagnostics: JsonDiagnostic[] } {
  return {
    diagnostics: ds.map((d) => {
      const j: JsonDiagnostic = {
        file: d.file,
        line: d.span.line,
        column: d.span.col,
        endLine: d.span.endLine,
        endColumn: d.span.endCol,
        severity: d.severity,
        code: d.code,
        message: d.message,
      };
      if (d.help) j.help = d.help;
      return j;
    }),
  };
}

// GitHub workflow commands: data escapes %, CR, LF; properties also `:` and `,`.
// Other control characters are made visible, so the log a reader sees cannot be rewritten.
const escData = (s: string) => visible(s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A"));
const escProp = (s: string) => escData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");

export function renderGithub(ds: readonly Diagnostic[]): string {
  return ds
    .map((d) => {
      const props = `file=${escProp(d.file)},line=${d.span.line},col=${d.span.col},endLine=${d.span.endLine},endColumn=${d.span.endCol},title=${escProp(d.code)}`;
      const msg = d.help ? `${d.message} (help: ${d.help})` : d.message;
      return `::${d.severity} ${props}::${escData(msg)}\n`;
    })
    .join("");
}
