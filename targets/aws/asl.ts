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
}

/** A string of data text and placeholders. */
export class Text {
  constructor(readonly parts: readonly (string | Placeholder)[]) {}
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
 * placeholders it uses, in one pass and without the rendered copy: the training machine of a
 * large pipeline is megabytes of JSON, and copying it first doubled what the program allocated.
 */
export function renderText(a: Asl): { text: string; placeholders: Set<string> } {
  const used = new Set<string>();
  // The replacer sees every value before it is written: strings and placeholders become what
  // render() makes of them, everything else is written as it is.
  const text = JSON.stringify(
    a,
    (k: string, v: unknown) => {
      if (typeof v === "string") return escapeData(v);
      // (An array's items are called by their index, which never ends in `.$`.)
      if (k.endsWith(".$")) throw new TargetError(`${k} must be a path or an intrinsic function`);
      if (v instanceof Placeholder) {
        used.add(v.name);
        return "${" + v.name + "}";
      }
      if (v instanceof Text) {
        for (const p of v.parts) if (p instanceof Placeholder) used.add(p.name);
        return render(v);
      }
      return v;
    },
    2,
  );
  return { text, placeholders: used };
}

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
  /**
   * The machine's `States`, filled as states are added: without a prototype, V8 keeps it a
   * dictionary from the first key, where an ordinary object of keys no other object has (state
   * names hold step ids) gets a new hidden class per key; and no list of pairs copied into it at
   * the end. Keys still enumerate in the order they were added.
   */
  private readonly states: { [name: string]: State } = Object.create(null) as { [name: string]: State };
  private first: string | undefined;
  private last: string | undefined;

  add(name: string, state: State, opts: { end?: boolean } = {}): this {
    this.put(name, state);
    if (this.last) {
      const prev = this.states[this.last]!;
      if (prev.Type === "Choice") for (const rule of prev.Choices as { Next?: Asl }[]) rule.Next ??= name;
      else prev.Next = name;
    }
    this.last = opts.end || state.Type === "Succeed" || state.Type === "Fail" ? undefined : name;
    return this;
  }

  /** A state outside the chain (a Fail target). */
  side(name: string, state: State): this {
    this.put(name, state);
    return this;
  }

  private put(name: string, state: State): void {
    if (Object.hasOwn(this.states, name)) throw new TargetError(`two states are named ${JSON.stringify(name)}`);
    // (Without a prototype, `__proto__` is an ordinary key: assigning it adds it.)
    this.states[name] = state;
    this.first ??= name;
  }

  /** The flow as a machine (or a Parallel branch): its last chained state ends it. */
  machine(comment?: string): { [k: string]: Asl } {
    if (this.last) {
      const prev = this.states[this.last]!;
      if (prev.Type === "Choice") this.add("Done", { Type: "Succeed" });
      else prev.End = true;
      this.last = undefined;
    }
    const m: { [k: string]: Asl } = {};
    if (comment) m.Comment = comment;
    m.StartAt = this.first!;
    m.States = this.states;
    return m;
  }
}
