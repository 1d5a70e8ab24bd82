// Incremental parsing: after an edit, only the top-level declarations the edit touches are
// parsed again; the others are kept (the same objects, so whatever was computed from them
// can be reused) with their spans moved by the edit.
//
// The file is cut into units at line starts: a unit is one declaration with the lines before
// it (its leading comments), the last unit runs to the end of the file. A declaration
// ends at its closing brace, so a run of whole units parses the same alone as inside the
// file. Anything unusual gives up (undefined) and the caller parses the whole text: a base
// with syntax errors, a region that no longer parses cleanly. The answer is
// always the full parse's (test/language/reparse.test.ts compares them on random edits).
import type * as A from "./ast";
import { spansOf } from "./descent";
import { parse, type ParseResult } from "./parser";
import { LineIndex, type Span } from "./span";

/** Where an edit landed, in the old text's offsets and lines; what follows moved by `delta` and `lines`. */
export interface Moved {
  /** The reparsed part of the old text: [from, to). Spans inside it are gone. */
  from: number;
  to: number;
  /** Characters and lines added (negative: removed) before everything at `to` and after. */
  delta: number;
  lines: number;
}

/** `text` parsed by reusing `old` (the parse of `oldText`), or undefined when only a full parse will do. */
export function reparse(old: ParseResult, oldText: string, text: string, path: string): { result: ParseResult; moved: Moved } | undefined {
  const decls = old.ast.decls;
  // A tree with syntax errors is what recovery made of the text (tokens it skipped belong to
  // no declaration, comments may sit elsewhere): only a clean parse is a base. While a file
  // is broken, callers keep reparsing from its last clean version.
  if (old.diagnostics.length > 0 || decls.length === 0 || text.indexOf("\0") >= 0) return undefined;
  // The changed part: [p, oldEnd) of the old text became [p, newEnd) of the new.
  const p = commonPrefix(oldText, text);
  const oldEnd = oldText.length - commonSuffix(oldText, text, Math.min(oldText.length, text.length) - p);

  // Units: unitStart(k) is where declaration k's unit begins, the line after the one the
  // declaration before it ends on (undefined: they share a line).
  const unitStart = (k: number): number | undefined => {
    if (k === 0) return 0;
    if (k === decls.length) return oldText.length;
    const prev = decls[k - 1]!.span;
    return prev.endLine < decls[k]!.span.line ? lineAfter(oldText, prev.end) : undefined;
  };
  // The first unit whose end reaches p, the last whose start is at most oldEnd (touching counts).
  let first = 0;
  while (first < decls.length - 1 && (unitStart(first + 1) ?? -1) < p) first++;
  while (first > 0 && unitStart(first) === undefined) first--;
  let last = first;
  while (last < decls.length - 1 && (unitStart(last + 1) ?? -1) <= oldEnd) last++;
  while (last < decls.length - 1 && unitStart(last + 1) === undefined) last++;
  const from = unitStart(first)!;
  const to = unitStart(last + 1)!;
  if (from > p || to < oldEnd || (to === oldEnd && to < oldText.length)) return undefined;
  const delta = text.length - oldText.length;
  const newTo = to + delta;

  // The region alone, then moved to where it sits in the file.
  const region = parse(text.slice(from, newTo), path);
  if (region.diagnostics.length > 0) return undefined;
  shiftAll(region.ast.decls, from, first === 0 ? 0 : decls[first - 1]!.span.endLine);
  const linesMoved = countLines(text, from, newTo) - countLines(oldText, from, to);
  const after = decls.slice(last + 1);
  if (delta !== 0 || linesMoved !== 0) shiftAll(after, delta, linesMoved);

  const ast: A.SourceFileAst = { path, decls: [...decls.slice(0, first), ...region.ast.decls, ...after] };
  const trailing = last === decls.length - 1 ? region.ast.trailing : old.ast.trailing;
  if (trailing) ast.trailing = trailing;
  return { result: { ast, diagnostics: [], lines: new LineIndex(text) }, moved: { from, to, delta, lines: linesMoved } };
}

// Texts are compared a block at a time first (an equality of two slices is a memory compare,
// 40x faster than a loop over characters: 0.1 ms instead of 5 for a 2 MB file), then within
// the block that differs.
const BLOCK = 4096;

/** The length of the longest common prefix of `a` and `b`. */
function commonPrefix(a: string, b: string): number {
  const max = Math.min(a.length, b.length);
  let p = 0;
  while (p + BLOCK <= max && a.slice(p, p + BLOCK) === b.slice(p, p + BLOCK)) p += BLOCK;
  while (p < max && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  return p;
}

/** The length of the longest common suffix of `a` and `b`, at most `max`. */
function commonSuffix(a: string, b: string, max: number): number {
  let s = 0;
  while (s + BLOCK <= max && a.slice(a.length - s - BLOCK, a.length - s) === b.slice(b.length - s - BLOCK, b.length - s)) s += BLOCK;
  while (s < max && a.charCodeAt(a.length - 1 - s) === b.charCodeAt(b.length - 1 - s)) s++;
  return s;
}

/** The offset just past the line break that ends the line holding `at`. */
function lineAfter(text: string, at: number): number {
  for (let i = at; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) return i + 1;
    if (c === 13) return text.charCodeAt(i + 1) === 10 ? i + 2 : i + 1;
  }
  return text.length;
}

/** Line breaks in text[a, b): \n, \r\n and a lone \r, as the lexer counts them. */
function countLines(text: string, a: number, b: number): number {
  let n = 0;
  for (let i = a; i < b; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) n++;
  }
  return n;
}

/**
 * Moves every span under `roots` by `delta` characters and `lines` lines, in place. Units
 * begin at line starts, so columns stay. The descent parser lists each declaration's spans
 * (descent.ts `spansOf`); a declaration it did not parse has its tree walked.
 */
function shiftAll(roots: readonly A.Decl[], delta: number, lines: number): void {
  for (const d of roots) {
    const listed = spansOf.get(d);
    if (!listed) {
      shiftTree([d], delta, lines);
      continue;
    }
    const { list, first, end } = listed;
    for (let i = first; i < end; i++) {
      const sp = list[i]!;
      sp.start += delta;
      sp.end += delta;
      sp.line += lines;
      sp.endLine += lines;
    }
  }
}

/**
 * Moves every span under `roots`, found by walking the trees. The parser builds a tree (no
 * node or span is shared by two parents), so each span is met once; no visited set (it made
 * this walk 15x slower).
 */
function shiftTree(roots: readonly object[], delta: number, lines: number): void {
  const visit = (o: object): void => {
    if (Array.isArray(o)) {
      for (let i = 0; i < o.length; i++) {
        const v: unknown = o[i];
        if (v !== null && typeof v === "object") visit(v);
      }
      return;
    }
    if (typeof (o as Span).endCol === "number") {
      const sp = o as Span;
      sp.start += delta;
      sp.end += delta;
      sp.line += lines;
      sp.endLine += lines;
      return;
    }
    for (const k in o) {
      const v = (o as Record<string, unknown>)[k];
      if (v !== null && typeof v === "object") visit(v);
    }
  };
  for (const r of roots) visit(r);
}
