// Amazon States Language documents as data. A definition is written to assets/ as a template:
// values only known at deploy time (role ARNs, job and bucket names, images) are `${Name}`
// placeholders that the program fills with its resources' outputs (index.ts: definition()).
// Text from the .mlp file is data: a `${` in it is written `$${`, which the program turns back
// into `${`, so data can never name a placeholder. Data only ever sits in plain fields, never
// in a `.$` path or an intrinsic function.
import { TargetError } from "../../compiler/target-api";
import { setOwn } from "../own";

export class Placeholder {
  constructor(readonly name: string) {}

  /** As the template writes it, so JSON.stringify needs no replacer (renderText). */
  toJSON(key?: string): string {
    const s = "${" + this.name + "}";
    if (writing) {
      wrote(writing, key, s);
      writing.used.add(this.name);
    }
    return s;
  }
}

/** A string of data text and placeholders. */
export class Text {
  constructor(readonly parts: readonly (string | Placeholder)[]) {}

  /** As the template writes it: data escaped, placeholders as `${Name}`. */
  toJSON(key?: string): string {
    const s = render(this) as string;
    if (writing) {
      wrote(writing, key, s);
      for (const p of this.parts) if (p instanceof Placeholder) writing.used.add(p.name);
    }
    return s;
  }
}

export type Asl = string | number | boolean | null | Placeholder | Text | Asl[] | { [k: string]: Asl };

export const ph = (name: string) => new Placeholder(name);

/** `t\`s3://${ph("Bucket")}/x\``: literal text and data strings around placeholders. */
export function t(strings: TemplateStringsArray, ...values: (string | number | Placeholder)[]): Text {
  const parts: (string | Placeholder)[] = [];
  strings.forEach((s, i) => {
    if (s) parts.push(s);
    if (i < values.length) {
      const v = values[i]!;
      parts.push(v instanceof Placeholder ? v : String(v));
    }
  });
  return new Text(parts);
}

// (A function, not a replacement string: in one, "$$" means a single "$".)
const escapeData = (s: string) => (s.includes("${") ? s.replaceAll("${", () => "$${") : s);

/** The JSON value of the template: data escaped, placeholders as `${Name}`. */
export function render(a: Asl): unknown {
  if (typeof a === "string") return escapeData(a);
  if (a instanceof Placeholder) return "${" + a.name + "}";
  if (a instanceof Text) return a.parts.map((p) => (p instanceof Placeholder ? "${" + p.name + "}" : escapeData(p))).join("");
  if (Array.isArray(a)) return a.map(render);
  if (a && typeof a === "object") {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(a)) {
      if (k.endsWith(".$") && typeof v !== "string") throw new TargetError(`${k} must be a path or an intrinsic function`);
      setOwn(o, k, render(v));
    }
    return o;
  }
  return a;
}

/**
 * The template's JSON text exactly as `JSON.stringify(render(a), null, 2)` writes it, and the
 * placeholders it uses, without the rendered copy: the training machine of a large pipeline is
 * megabytes of JSON, and copying it first doubled what the program allocated.
 *
 * Placeholders and texts write themselves (toJSON), so JSON.stringify runs without a replacer
 * (calling one per value cost more than the writing), unless a data string needs escaping or a
 * `.$` field holds anything but a path. Neither needs a pass over the value to be seen: `${`
 * only stands in the text where a string holds it (JSON escapes make no `$` or `{`), so more of
 * them than placeholders and texts wrote means a data string (or key) holds one; and a `.$`
 * key's value is written right after it, so a value not a string shows there (placeholders and
 * texts are told their key).
 */
export function renderText(a: Asl): { text: string; placeholders: Set<string> } {
  const used = new Set<string>();
  const w: Writing = { used, marks: 0 };
  writing = w;
  let text: string | undefined;
  try {
    text = JSON.stringify(a, null, 2);
  } catch (e) {
    if (e !== NOT_PLAIN) throw e;
  } finally {
    writing = undefined;
  }
  if (text !== undefined && marks(text) === w.marks && !NOT_A_PATH.test(text)) return { text, placeholders: used };
  used.clear();
  // The replacer sees every value before it is written (`this[k]`: before toJSON): data strings
  // are escaped, placeholders and texts kept as they wrote themselves.
  text = JSON.stringify(
    a,
    function (this: Record<string, unknown>, k: string, v: unknown) {
      const raw = this[k];
      if (typeof raw === "string") return escapeData(raw);
      // (An array's items are called by their index, which never ends in `.$`.)
      if (k.endsWith(".$")) throw new TargetError(`${k} must be a path or an intrinsic function`);
      if (raw instanceof Placeholder) used.add(raw.name);
      else if (raw instanceof Text) for (const p of raw.parts) if (p instanceof Placeholder) used.add(p.name);
      return v;
    },
    2,
  );
  return { text, placeholders: used };
}

/** What renderText's JSON.stringify has written so far: the placeholders, and the `${` marks in what placeholders and texts wrote. */
interface Writing {
  used: Set<string>;
  marks: number;
}

let writing: Writing | undefined;

/** Thrown by a placeholder or text at a `.$` key: renderText writes the slow way, which says where. */
const NOT_PLAIN = new Error("a placeholder or text in a path");

function wrote(w: Writing, key: string | undefined, s: string): void {
  if (key !== undefined && key.endsWith(".$")) throw NOT_PLAIN;
  w.marks += marks(s);
}

/** How many times `${` occurs in `s`. */
function marks(s: string): number {
  let n = 0;
  for (let i = s.indexOf("${"); i >= 0; i = s.indexOf("${", i + 2)) n++;
  return n;
}

/** A `.$` key (`JSON.stringify` writes `"<key>": <value>`) whose value is not a string. */
const NOT_A_PATH = /\.\$": [^"]/;

/** A string inside an intrinsic function: `'` `{` `}` `\` escaped. Only generated names go there. */
export function intrinsic(s: string): string {
  return `'${s.replace(/[\\'{}]/g, (c) => "\\" + c)}'`;
}

// ---------- building a machine ----------

type State = { [k: string]: Asl };

/**
 * A sequence of states: `add` chains each new state after the previous one (a Choice continues
 * through its rules without a Next; its Default is set when it is made), `side` adds states
 * outside the chain (Fail targets).
 */
export class Flow {
  readonly states: [string, State][] = [];
  private readonly byName = new Map<string, State>();
  private last: string | undefined;

  add(name: string, state: State, opts: { end?: boolean } = {}): this {
    if (this.byName.has(name)) throw new TargetError(`two states are named ${JSON.stringify(name)}`);
    if (this.last) {
      const prev = this.byName.get(this.last)!;
      if (prev.Type === "Choice") for (const rule of prev.Choices as { Next?: Asl }[]) rule.Next ??= name;
      else prev.Next = name;
    }
    this.states.push([name, state]);
    this.byName.set(name, state);
    this.last = opts.end || state.Type === "Succeed" || state.Type === "Fail" ? undefined : name;
    return this;
  }

  /** A state outside the chain (a Fail target). */
  side(name: string, state: State): this {
    if (this.byName.has(name)) throw new TargetError(`two states are named ${JSON.stringify(name)}`);
    this.states.push([name, state]);
    this.byName.set(name, state);
    return this;
  }

  get empty(): boolean {
    return this.states.length === 0;
  }

  /** The flow as a machine (or a Parallel branch): its last chained state ends it. */
  machine(comment?: string): { [k: string]: Asl } {
    if (this.last) {
      const prev = this.byName.get(this.last)!;
      if (prev.Type === "Choice") this.add("Done", { Type: "Succeed" });
      else prev.End = true;
      this.last = undefined;
    }
    const m: { [k: string]: Asl } = {};
    if (comment) m.Comment = comment;
    m.StartAt = this.states[0]![0];
    m.States = Object.fromEntries(this.states);
    return m;
  }
}
