// Names in one generated SQL file (relations, helper columns) and text safe in its comments.
// Pure (no node: imports): the targets also run in the editor.

/**
 * Names of the views and tables in one generated file. A step's own relation is named after
 * its id (ids are unique); helper relations get `fresh` names that collide neither with the
 * step ids the file uses (`reserved`) nor with each other. Only what the file references is
 * reserved, so naming costs the file's size, not the pipeline's.
 */
export class Names {
  private readonly taken: Set<string>;
  constructor(reserved: Iterable<string>) {
    this.taken = new Set(reserved);
  }
  fresh(base: string): string {
    let name = base;
    for (let n = 2; this.taken.has(name); n++) name = `${base}_${n}`;
    this.taken.add(name);
    return name;
  }
  /** The names taken so far, for a file that goes on from the same statements as this one's. */
  copy(): Names {
    return new Names(this.taken);
  }
}

/** A column name not in `columns`: `base`, else `base_2`, ... */
export function freshColumn(base: string, columns: readonly { name: string }[]): string {
  const names = new Set(columns.map((c) => c.name));
  let name = base;
  for (let n = 2; names.has(name); n++) name = `${base}_${n}`;
  return name;
}

/** The characters a comment keeps as they are: a whole text of them, and one of them. */
const SAFE = "A-Za-z0-9._/+@=,:~ -";
const SAFE_TEXT = new RegExp(`^[${SAFE}]*$`);
const SAFE_CHAR = new RegExp(`^[${SAFE}]$`);

/**
 * Text safe inside a `--` comment of any of the generated languages: letters, digits and
 * `._/+@=,:~ -`; everything else (quotes, semicolons, newlines, `$`, backticks) is
 * percent-encoded as UTF-8, so a hostile file name can neither end the comment nor a statement.
 */
export function commentText(s: string): string {
  // Nearly every text (a file name, a command line) is safe as it is: one test, not one per character.
  if (SAFE_TEXT.test(s)) return s;
  let out = "";
  for (const ch of s) {
    if (SAFE_CHAR.test(ch)) out += ch;
    else for (const b of new TextEncoder().encode(ch)) out += `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/**
 * Lines as a file's text, ending in one line break when it ends in any (`join("\n")` then
 * `replace(/\n+$/, "\n")`, whose regex tries every line break of a large file as a start).
 */
export function fileText(lines: readonly string[]): string {
  const text = lines.join("\n");
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 10) end--;
  return end === text.length ? text : text.slice(0, end + 1);
}
