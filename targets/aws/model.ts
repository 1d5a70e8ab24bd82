// The plan of the generated Pulumi program, as data: planning (plan.ts) builds it from the
// graph IR, print.ts prints it as TypeScript, and tests read it without any engine. Values
// are a small expression language: literals (which may differ between stacks and are then
// read from stack config), references to other resources' outputs, interpolations and a few
// fixed calls.
import type { MavenJar } from "./scripts";

export type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

export type Code =
  /** A JSON literal. */
  | { k: "lit"; v: Json }
  /** An output of a resource of the plan: `<res>.<attr>`. */
  | { k: "ref"; res: string; attr: string }
  /** A name the program defines (`stack`, `partition`, a data source result). */
  | { k: "name"; name: string; attr?: string; optional?: boolean }
  | { k: "obj"; entries: [string, Code][] }
  | { k: "arr"; items: Code[] }
  /** `pulumi.interpolate` template: text and values. */
  | { k: "tpl"; parts: (string | Code)[] }
  /** `pulumi.jsonStringify(value)`. */
  | { k: "json"; value: Code }
  /** `new pulumi.asset.FileAsset(path)`. */
  | { k: "file"; path: Code }
  /** `new pulumi.asset.AssetArchive({ name: FileAsset(path) })`, for Lambda code. */
  | { k: "archive"; files: [string, Code][] }
  /** `definition(path, { NAME: value })`: a state-machine template from assets/, placeholders filled. */
  | { k: "definition"; path: Code; values: [string, Code][] }
  /** A value of the stack config (lifted where stacks differ). */
  | { k: "config"; key: string; type: "string" | "number" | "boolean" | "object" }
  /** A value with comment lines above it (an entry of an object or array). */
  | { k: "noted"; note: string[]; value: Code };

export const lit = (v: Json): Code => ({ k: "lit", v });
export const ref = (res: string, attr: string): Code => ({ k: "ref", res, attr });
export const name = (n: string, attr?: string): Code => (attr ? { k: "name", name: n, attr } : { k: "name", name: n });
export const arr = (items: Code[]): Code => ({ k: "arr", items });
export const tpl = (...parts: (string | Code)[]): Code => ({ k: "tpl", parts });
export const json = (value: Code): Code => ({ k: "json", value });
export const file = (path: string): Code => ({ k: "file", path: lit(path) });
export const noted = (note: string[], value: Code): Code => ({ k: "noted", note, value });

/** An object literal; `undefined` entries are left out, so optional arguments read naturally. */
export function obj(entries: Record<string, Code | undefined> | [string, Code | undefined][]): Code {
  if (Array.isArray(entries)) return { k: "obj", entries: entries.filter((e): e is [string, Code] => e[1] !== undefined) };
  // (Own keys in Object.entries' order, without its list: a program makes hundreds of thousands.)
  const list: [string, Code][] = [];
  for (const k in entries) {
    const v = entries[k];
    if (v !== undefined && Object.hasOwn(entries, k)) list.push([k, v]);
  }
  return { k: "obj", entries: list };
}

/** A JSON value as Code, leaving `Code` leaves in place. */
export function data(v: Json): Code {
  if (Array.isArray(v)) return arr(v.map(data));
  if (v && typeof v === "object") return obj(Object.entries(v).map(([k, x]): [string, Code] => [k, data(x)]));
  return lit(v);
}

export interface Resource {
  /** The TypeScript variable. */
  v: string;
  /** `aws.s3.Bucket`. */
  type: string;
  /** Pulumi's logical name (the URN's last part), named after the step. */
  name: string;
  args: Code;
  dependsOn?: string[];
  /** Comment lines printed above it. */
  note?: string[];
  /** In a conditional group: declared before the `if`, so outputs can name it. */
  hoist?: boolean;
}

export interface Group {
  /** The comment above the group: what it is and which .mlp step it comes from. */
  title: string[];
  resources: Resource[];
  /** Created only when this stack config key is set; its value is bound to `bind`. */
  when?: { key: string; bind: string };
}

export interface Output {
  name: string;
  value: Code;
}

export interface Asset {
  /** Relative to the project folder: `assets/...`. */
  path: string;
  contents: string;
}

/** Data sources and values the program computes before any resource. */
export interface Lookup {
  v: string;
  code: Code | { k: "raw"; text: string };
  note?: string;
}

export interface Program {
  project: string;
  description: string;
  lookups: Lookup[];
  groups: Group[];
  outputs: Output[];
  assets: Asset[];
  /** Stack config keys the program reads with `config.get*`, besides lifted values: key -> what it is. */
  optionalConfig: [string, string][];
  /** Managed Flink application zips and the SQL each packs (assets/flink/package.mjs builds them). */
  flinkZips: FlinkZip[];
}

/**
 * Calls `fn` on every Code node below `root` (itself included), depth first, in order. A stack
 * instead of recursion: a value as deep as a state machine definition would cost its depth on
 * every node otherwise; and no array per node, since the printer visits every value of the
 * program once.
 */
export function visit(root: Code, fn: (c: Code) => void): void {
  const stack: Code[] = [root];
  while (stack.length) {
    const c = stack.pop()!;
    fn(c);
    pushChildren(c, stack);
  }
}

/** The children of `c` onto `stack`, last first, so they pop in order. */
function pushChildren(c: Code, stack: Code[]): void {
  switch (c.k) {
    case "obj":
      for (let i = c.entries.length - 1; i >= 0; i--) stack.push(c.entries[i]![1]);
      return;
    case "arr":
      for (let i = c.items.length - 1; i >= 0; i--) stack.push(c.items[i]!);
      return;
    case "tpl":
      for (let i = c.parts.length - 1; i >= 0; i--) {
        const p = c.parts[i]!;
        if (typeof p !== "string") stack.push(p);
      }
      return;
    case "json":
    case "noted":
      stack.push(c.value);
      return;
    case "file":
      stack.push(c.path);
      return;
    case "archive":
      for (let i = c.files.length - 1; i >= 0; i--) stack.push(c.files[i]![1]);
      return;
    case "definition":
      for (let i = c.values.length - 1; i >= 0; i--) stack.push(c.values[i]![1]);
      stack.push(c.path);
      return;
    default:
      return;
  }
}

/** A Managed Flink application's zip: the SQL it packs and the jars merged into lib/<jarfile>. */
export interface FlinkZip {
  sql: string;
  zip: string;
  jars: MavenJar[];
  /** The file in lib/ the application's `jarfile` property names. */
  jarfile: string;
}
