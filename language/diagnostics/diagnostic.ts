// A diagnostic is plain data; rendering to people, JSON or GitHub is in render.ts.
import type { Span } from "../span";
import { CATALOG, type Code } from "./catalog";

export type Severity = "error" | "warning";

export interface Note {
  message: string;
  file: string;
  span: Span;
}

/**
 * A change that resolves a diagnostic, as rustc's suggestions: each edit puts `text` in place
 * of `span` (an empty span inserts). Editors offer it as a quick fix.
 */
export interface Fix {
  title: string;
  edits: { file: string; span: Span; text: string }[];
}

export interface Diagnostic {
  severity: Severity;
  code: Code;
  message: string;
  file: string;
  span: Span;
  /** Short text under the carets. */
  label?: string;
  help?: string;
  notes?: Note[];
  fixes?: Fix[];
}

export interface DiagnosticExtras {
  label?: string;
  help?: string;
  notes?: Note[];
}

/** Collects diagnostics for one file; severity comes from the catalog. */
export class DiagnosticSink {
  readonly list: Diagnostic[] = [];
  constructor(readonly file: string) {}

  report(code: Code, span: Span, message: string, extras: DiagnosticExtras = {}): void {
    const d: Diagnostic = { severity: CATALOG[code].severity, code, message, file: this.file, span };
    if (extras.label) d.label = extras.label;
    if (extras.help) d.help = extras.help;
    if (extras.notes && extras.notes.length) d.notes = extras.notes;
    this.list.push(d);
  }
}

export function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return [...ds].sort(
    (a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.span.start - b.span.start || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
  );
}

export const hasErrors = (ds: readonly Diagnostic[]): boolean => ds.some((d) => d.severity === "error");

/**
 * Suggestions are bounded: each comparison costs the product of two lengths, and a file may
 * hold a 40,000-character name or 100,000 steps. No one mistypes a name that long, and past
 * the first candidates a suggestion helps little.
 */
export const SUGGEST_MAX_LENGTH = 64;
export const SUGGEST_MAX_CANDIDATES = 2000;

/** Closest candidate by edit distance, for "did you mean" help. */
export function suggest(name: string, candidates: Iterable<string>): string | undefined {
  if (name.length > SUGGEST_MAX_LENGTH) return undefined;
  let best: string | undefined;
  let bestScore = Infinity;
  const limit = Math.max(1, Math.floor(name.length / 3));
  let seen = 0;
  for (const c of candidates) {
    if (++seen > SUGGEST_MAX_CANDIDATES) break;
    if (c === name || c.length > SUGGEST_MAX_LENGTH) continue;
    const d = editDistance(name.toLowerCase(), c.toLowerCase(), limit);
    if (d <= limit && d < bestScore) {
      best = c;
      bestScore = d;
    }
  }
  return best;
}

export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const s = suggest(name, candidates);
  return s ? `did you mean \`${s}\`?` : undefined;
}

/** Damerau-Levenshtein (optimal string alignment), giving up past `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const prev2 = new Array<number>(b.length + 1).fill(0);
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  let cur = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > limit) return limit + 1;
    for (let j = 0; j <= b.length; j++) prev2[j] = prev[j]!;
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}
