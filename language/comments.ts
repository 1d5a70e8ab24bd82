// Attaches `//` comments to the statements around them, so the formatter and the
// graph IR can put each one back where a reader expects it:
// - whole-line comments lead the next statement in the same block, or stay inside
//   the block (`inner`) when they precede its closing brace;
// - a comment after code on a line trails the statement that ends on that line,
//   or is the `head` of a block whose opening brace is on that line.
import type { IToken } from "chevrotain";
import type * as A from "./ast";

interface Item extends A.Comments {
  span: { start: number; end: number; line: number; endLine: number };
}


/**
 * Is there code before `offset` on its line. Scans back only to the line's start:
 * `lastIndexOf("\r")` in a file without one would scan the whole file once per comment.
 */
function codeBefore(text: string, offset: number): boolean {
  for (let i = offset - 1; i >= 0; i--) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return false;
    // Whitespace as /\s/ knows it (the lexer skips only some of it, the rest is an error token).
    if (!/\s/.test(text[i]!)) return true;
  }
  return false;
}

export function attachComments(ast: A.SourceFileAst, comments: IToken[], text: string): void {
  if (comments.length === 0) return;
  let cursor = 0;
  const all = comments.map((t) => ({
    text: t.image.slice(2).replace(/\s+$/, ""),
    offset: t.startOffset,
    line: t.startLine!,
    afterCode: codeBefore(text, t.startOffset),
  }));

  const walk = (items: Item[], end: number, owner?: Item & { inner?: string[] }, kids?: (i: Item) => Item[] | undefined) => {
    for (const item of items) {
      // Most statements have no comment: their lists are made only when one turns up.
      let leading: string[] | undefined;
      while (cursor < all.length && all[cursor]!.offset < item.span.start) {
        const c = all[cursor++]!;
        if (owner && c.afterCode && c.line === owner.span.line && leading === undefined && owner.head === undefined) owner.head = c.text;
        else (leading ??= []).push(c.text);
      }
      if (leading) item.leading = leading;
      // No comment left before the item's last line ends: none can land inside it (most items).
      if (cursor >= all.length || all[cursor]!.line > item.span.endLine) continue;
      const sub = kids?.(item);
      if (sub) walk(sub, item.span.end, item as Item & { inner?: string[] }, kids);
      // Comments inside a single-statement span (e.g. after a line of a long expression) lead nothing; keep them after it.
      let inside: string[] | undefined;
      while (cursor < all.length && all[cursor]!.offset < item.span.end) (inside ??= []).push(all[cursor++]!.text);
      if (cursor < all.length && all[cursor]!.afterCode && all[cursor]!.line === item.span.endLine) {
        item.trailing = [...(inside ?? []), all[cursor++]!.text].join(" ");
      } else if (inside) item.trailing = inside.join(" ");
    }
    const inner: string[] = [];
    while (cursor < all.length && all[cursor]!.offset < end) {
      const c = all[cursor++]!;
      if (owner && c.afterCode && c.line === owner.span.line && owner.head === undefined && items.length === 0) owner.head = c.text;
      else inner.push(c.text);
    }
    if (inner.length && owner) owner.inner = [...(owner.inner ?? []), ...inner];
    return inner;
  };

  const children = (i: Item): Item[] | undefined => {
    const n = i as unknown as A.Decl | A.BodyStmt;
    switch (n.kind) {
      case "pipeline":
      case "target":
      case "step":
        return n.body;
      case "block":
        return n.body;
      case "layout":
        return n.entries;
      case "schema":
        return n.fields as unknown as Item[];
      case "variant":
        return n.overrides as unknown as Item[];
      default:
        return undefined;
    }
  };

  const rest = walk(ast.decls, Number.MAX_SAFE_INTEGER, undefined, children);
  if (rest.length) ast.trailing = rest;
}
