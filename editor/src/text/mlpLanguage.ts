// .mlp highlighting for CodeMirror: a stream tokenizer over the language's lexical
// rules (the word lists come from the catalog and the function library), plus
// completion of keywords, step kinds, types, functions and the program's own names.
import { HighlightStyle, StreamLanguage, syntaxHighlighting, type StringStream } from "@codemirror/language";
import type { CompletionContext, CompletionResult } from "@codemirror/autocomplete";
import { tags as t } from "@lezer/highlight";
import { STEP_KINDS } from "../../../language/catalog";
import { FUNCTIONS } from "../../../language/functions";

const DECL = new Set(["import", "from", "pipeline", "schema", "use", "variant", "target", "layout"]);
const KINDS = new Set(STEP_KINDS.map((k) => k.kind));
const OPS = new Set(["filter", "fill", "derive", "drop", "rename", "cast", "as", "dedupe", "by", "keep", "latest", "key", "require"]);
const WORDS = new Set(["and", "or", "not", "is"]);
const ATOMS = new Set(["true", "false", "null"]);
const TYPES = new Set(["int", "float", "string", "bool", "timestamp", "date", "enum", "vector", "Table", "Stream", "Features", "Model", "Endpoint", "Report"]);
const CALLS = new Set([...FUNCTIONS.map((f) => f.name), "cron", "online", "maximize", "minimize", "choice", "uniform", "loguniform", "intrange", "cassandra"]);

interface State {
  /** Start of a line (after indentation): a body keyword or attribute name may follow. */
  lineStart: boolean;
  /** The previous word opened a declaration; the next identifier is its name. */
  expectName: boolean;
}

function token(stream: StringStream, state: State): string | null {
  if (stream.sol()) state.lineStart = true;
  if (stream.eatSpace()) return null;
  const atStart = state.lineStart;
  state.lineStart = false;
  if (stream.match("//")) {
    stream.skipToEnd();
    return "comment";
  }
  if (stream.match(/^"(?:[^"\\]|\\.)*"?/)) return "string";
  if (stream.match(/^\d+(?:ms|s|m|h|d|KiB|MiB|GiB|TiB)(?![A-Za-z0-9_])/)) return "unit";
  if (stream.match(/^\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/)) return "number";
  const word = stream.match(/^[A-Za-z_][A-Za-z0-9_]*/) as RegExpMatchArray | null;
  if (word) {
    const w = word[0];
    if (state.expectName) {
      state.expectName = false;
      return "def";
    }
    if (atStart && (DECL.has(w) || KINDS.has(w))) {
      state.expectName = w !== "import" && w !== "layout";
      return DECL.has(w) ? "keyword" : "kind";
    }
    if (atStart && OPS.has(w)) return "keyword";
    if (WORDS.has(w) || w === "as" || w === "latest" || (w === "by" && !atStart)) return "operatorKeyword";
    if (ATOMS.has(w)) return "atom";
    if (TYPES.has(w)) return "type";
    if (stream.peek() === "(" && CALLS.has(w)) return "builtin";
    if (atStart && /^\s*[:=]/.test(stream.string.slice(stream.pos))) return "property";
    return "variable";
  }
  if (stream.match(/^(->|\.\.|==|!=|<=|>=|[<>=+\-*/%?])/)) return "operator";
  stream.next();
  return null;
}

export const mlpLanguage = StreamLanguage.define<State>({
  name: "mlp",
  startState: () => ({ lineStart: true, expectName: false }),
  token,
  languageData: { commentTokens: { line: "//" } },
  tokenTable: {
    kind: t.definitionKeyword,
    def: t.definition(t.variableName),
    unit: t.unit,
    builtin: t.function(t.variableName),
    operatorKeyword: t.operatorKeyword,
    property: t.propertyName,
  },
});

export const mlpHighlight = syntaxHighlighting(
  HighlightStyle.define([
    // Dark enough for 4.5:1 on a selection match's green (#ccffbb), not only on white.
    { tag: t.comment, color: "#5f6b76", fontStyle: "italic" },
    { tag: t.keyword, color: "#8250df", fontWeight: "600" },
    { tag: t.definitionKeyword, color: "#0550ae", fontWeight: "600" },
    { tag: t.operatorKeyword, color: "#8250df" },
    { tag: t.definition(t.variableName), color: "#953800", fontWeight: "600" },
    { tag: t.string, color: "#0a3069" },
    { tag: [t.number, t.unit], color: "#0550ae" },
    { tag: t.atom, color: "#cf222e" },
    { tag: t.typeName, color: "#116329" },
    { tag: t.function(t.variableName), color: "#6639ba" },
    { tag: t.propertyName, color: "#24292f", fontWeight: "500" },
    { tag: t.operator, color: "#57606a" },
  ]),
);

const STATIC_COMPLETIONS = [
  ...[...DECL].map((label) => ({ label, type: "keyword" })),
  ...STEP_KINDS.map((k) => ({ label: k.kind, type: "class", info: k.doc })),
  ...[...OPS].map((label) => ({ label, type: "keyword" })),
  ...[...TYPES].map((label) => ({ label, type: "type" })),
  ...[...CALLS].map((label) => ({ label, type: "function" })),
  ...[...ATOMS].map((label) => ({ label, type: "constant" })),
];

/** Completion over the fixed vocabulary plus `names()` (steps, schemas and columns of the current program). */
export function mlpCompletions(names: () => string[]) {
  return (ctx: CompletionContext): CompletionResult | null => {
    const word = ctx.matchBefore(/[A-Za-z_][A-Za-z0-9_]*/);
    if (!word || (word.from === word.to && !ctx.explicit)) return null;
    const own = names().map((label) => ({ label, type: "variable" }));
    return { from: word.from, options: [...STATIC_COMPLETIONS, ...own], validFor: /^[A-Za-z0-9_]*$/ };
  };
}
