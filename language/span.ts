// Source positions. Every AST node, IR node and diagnostic carries a Span.
// Offsets are 0-based (for slicing), lines and columns 1-based (for people).

// Every span is built with its fields in this order (the graph IR's): objects of one shape
// keep the parser's and checker's property reads monomorphic (V8 gives each key order a
// hidden class of its own).
export interface Span {
  start: number;
  line: number;
  col: number;
  end: number;
  endLine: number;
  endCol: number;
}

export const NO_SPAN: Span = { start: 0, line: 1, col: 1, end: 0, endLine: 1, endCol: 1 };

export function join(a: Span, b: Span): Span {
  return { start: a.start, line: a.line, col: a.col, end: b.end, endLine: b.endLine, endCol: b.endCol };
}

/**
 * Line starts of a text, for turning offsets into line/column and back. A line ends at
 * `\n`, `\r\n` or a lone `\r`: the same definition as the lexer's (chevrotain's default
 * line terminators), so token spans, diagnostics and snippets always agree.
 */
export class LineIndex {
  // Found on first use: a file that checks clean (tokens carry their own lines) never needs them.
  private found: number[] | undefined;
  constructor(readonly text: string) {}
  private get starts(): number[] {
    if (this.found) return this.found;
    const starts = [0];
    const text = this.text;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
    }
    return (this.found = starts);
  }
  get lineCount(): number {
    return this.starts.length;
  }
  /** Offset where a 1-based line starts (the text's length past the last line). */
  lineStart(line: number): number {
    return this.starts[line - 1] ?? this.text.length;
  }
  /** 1-based line and column of an offset. */
  position(offset: number): { line: number; col: number } {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - starts[lo]! + 1 };
  }
  span(start: number, end: number): Span {
    const a = this.position(start);
    const b = this.position(end);
    return { start, line: a.line, col: a.col, end, endLine: b.line, endCol: b.col };
  }
  /** The text of a line, without its line terminator. */
  lineText(line: number): string {
    const s = this.starts[line - 1] ?? this.text.length;
    const e = this.starts[line] ?? this.text.length;
    return this.text.slice(s, e).replace(/\r?\n$|\r$/, "");
  }
}
