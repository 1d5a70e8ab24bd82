// Stacks: one Pulumi program serves the .mlp file's defaults and every variant. Each stack is
// planned on its own from its own IR (the compilation lowers every variant from its own
// checked program); then
//   - an asset whose contents differ between stacks is written once per stack, under
//     assets/stacks/<stack>/, and the program names its file through stack config;
//   - a literal that differs between stacks becomes a stack config value, read with
//     config.require*, and each Pulumi.<stack>.yaml carries its value.
// A variant that changes which resources exist cannot share the program: it is an error
// that names the difference.
import type { IrDocument } from "../../compiler/ir";
import { TargetError, type Compilation } from "../../compiler/target-api";
import { variantNames } from "../../compiler/variants";
import { type Code, type FlinkZip, type Group, type Json, type Program, type Resource } from "./model";
import { plan, type Planned } from "./plan";
import { SqlCache } from "./sql";
import { camel, slug } from "./quote";

export interface Stack {
  /** Pulumi's stack name: `default` (`base` when a variant is called default), or the variant's name. */
  name: string;
  /** The variant the stack holds; null for the file's own values. */
  variant: string | null;
  ir: IrDocument;
}

export interface Stacks {
  program: Program;
  stacks: Stack[];
  /** Stack -> the values of the lifted config keys. */
  values: Map<string, [string, Json][]>;
  /** Per stack, the state machines as planned (for the validator in tests). */
  planned: Map<string, Planned>;
}

/**
 * The stacks of the project: the file's own values and each variant's. Compiled with
 * `--variant NAME`, the compilation holds that variant alone, and so does the project.
 */
export function stacksOf(c: Compilation): Stack[] {
  const stack = (ir: IrDocument): Stack => ({ name: ir.variant === null ? defaultStack(ir) : stackName(ir.variant, ir), variant: ir.variant, ir });
  if (c.ir.variant !== null) return [stack(c.ir)];
  return [stack(c.ir), ...c.variants.map(stack)];
}

function defaultStack(ir: IrDocument): string {
  return variantNames(ir).includes("default") ? "base" : "default";
}

function stackName(variant: string, ir: IrDocument): string {
  return variant === defaultStack(ir) ? `${variant}-variant` : /^[A-Za-z0-9_.-]+$/.test(variant) ? variant : slug(variant);
}

export function planStacks(c: Compilation): Stacks {
  const stacks = stacksOf(c);
  const sql = new SqlCache();
  const planned = new Map(stacks.map((s) => [s.name, plan(s.ir, sql)] as const));
  const programs = stacks.map((s) => planned.get(s.name)!.program);
  perStackAssets(stacks, programs);
  const values = new Map<string, [string, Json][]>(stacks.map((s) => [s.name, []]));
  const program = merge(stacks, programs, values);
  return { program, stacks, values, planned };
}

// ---------- assets ----------

function perStackAssets(stacks: Stack[], programs: Program[]): void {
  // (One stack, nearly every project: no asset can differ.)
  if (programs.length < 2) return;
  const paths = new Set(programs.flatMap((p) => p.assets.map((a) => a.path)));
  const byPath = programs.map((p) => new Map(p.assets.map((a) => [a.path, a.contents] as const)));
  const renames = programs.map(() => new Map<string, string>());
  for (const path of paths) {
    const contents = byPath.map((m) => m.get(path));
    if (contents.every((c) => c === contents[0])) continue;
    programs.forEach((_, i) => renames[i]!.set(path, `assets/stacks/${stacks[i]!.name}/${path.slice("assets/".length)}`));
  }
  programs.forEach((p, i) => {
    const r = renames[i]!;
    if (!r.size) return;
    p.assets = p.assets.map((a) => ({ ...a, path: r.get(a.path) ?? a.path }));
    // A Flink zip packs its SQL: a stack-specific SQL file makes a stack-specific zip.
    for (const z of p.flinkZips) {
      if (!r.has(z.sql)) continue;
      r.set(z.zip, `assets/stacks/${stacks[i]!.name}/${z.zip.slice("assets/".length)}`);
      z.sql = r.get(z.sql)!;
      z.zip = r.get(z.zip)!;
    }
    for (const g of p.groups) for (const res of g.resources) res.args = renameFiles(res.args, r);
  });
}

/** Asset paths renamed where the program reads a file (not in S3 keys, which stay the same). */
function renameFiles(c: Code, r: Map<string, string>): Code {
  const path = (p: Code): Code => (p.k === "lit" && typeof p.v === "string" && r.has(p.v) ? { k: "lit", v: r.get(p.v)! } : p);
  switch (c.k) {
    case "file":
      return { k: "file", path: path(c.path) };
    case "definition":
      return { ...c, path: path(c.path) };
    case "archive":
      return { ...c, files: c.files.map(([k, v]) => [k, path(v)]) };
    case "obj":
      return { ...c, entries: c.entries.map(([k, v]) => [k, renameFiles(v, r)]) };
    case "arr":
      return { ...c, items: c.items.map((v) => renameFiles(v, r)) };
    case "noted":
      return { ...c, value: renameFiles(c.value, r) };
    case "json":
      return { ...c, value: renameFiles(c.value, r) };
    default:
      return c;
  }
}

// ---------- one program for all stacks ----------

/** The codes, known to be all of kind `k` (lift checks that first). */
function sameKind<K extends Code["k"]>(codes: Code[], k: K): Extract<Code, { k: K }>[] {
  return codes.filter((c): c is Extract<Code, { k: K }> => c.k === k);
}

/** A template part as Code: its text as a literal. */
const asCode = (part: string | Code): Code => (typeof part === "string" ? { k: "lit", v: part } : part);

function merge(stacks: Stack[], programs: Program[], values: Map<string, [string, Json][]>): Program {
  const [first] = programs as [Program, ...Program[]];
  if (programs.length === 1) return first;
  const fail = (i: number, what: string): never => {
    throw new TargetError(
      `variant ${stacks[i]!.variant} changes ${what}, so it cannot share the AWS program of ${first.project} as a stack; compile it on its own with --variant ${stacks[i]!.variant}`,
    );
  };
  const keys = new Set<string>();
  const lift = (codes: Code[], path: string[]): Code => {
    const c0 = codes[0]!;
    const differing = codes.findIndex((c) => c.k !== c0.k);
    if (differing > 0) return fail(differing, `the value of ${path.join(".")}`);
    switch (c0.k) {
      case "lit": {
        const vs = sameKind(codes, "lit").map((c) => c.v);
        if (vs.every((v) => JSON.stringify(v) === JSON.stringify(vs[0]))) return c0;
        const type = typeof vs[0];
        const t = type === "number" || type === "boolean" || type === "string" ? type : "object";
        if (vs.some((v) => (typeof v === "object" ? "object" : typeof v) !== (t === "object" ? "object" : t))) return fail(vs.findIndex((v) => typeof v !== type), `the type of ${path.join(".")}`);
        let key = camel(...path);
        for (let n = 2; keys.has(key); n++) key = `${camel(...path)}${n}`;
        keys.add(key);
        stacks.forEach((s, i) => values.get(s.name)!.push([key, vs[i]!]));
        return { k: "config", key, type: t };
      }
      case "obj": {
        const entries = sameKind(codes, "obj").map((c) => c.entries);
        const names = entries.map((e) => e.map(([k]) => k).join(","));
        const bad = names.findIndex((n) => n !== names[0]);
        if (bad > 0) return fail(bad, `the settings of ${path.join(".")}`);
        // Inside a policy statement, keys are named after its Sid: readSalesRawResource.
        const sid = entries[0]!.find(([k]) => k === "Sid")?.[1];
        const base = sid?.k === "lit" && typeof sid.v === "string" ? [sid.v] : path;
        return { k: "obj", entries: entries[0]!.map(([k], j) => [k, lift(entries.map((e) => e[j]![1]), [...base, k])]) };
      }
      case "arr": {
        const items = sameKind(codes, "arr").map((c) => c.items);
        const bad = items.findIndex((x) => x.length !== items[0]!.length);
        if (bad > 0) return fail(bad, `the number of items of ${path.join(".")}`);
        return { k: "arr", items: items[0]!.map((_, j) => lift(items.map((x) => x[j]!), items[0]!.length > 1 ? [...path, String(j)] : path)) };
      }
      case "tpl": {
        const parts = sameKind(codes, "tpl").map((c) => c.parts);
        const bad = parts.findIndex((p) => p.length !== parts[0]!.length || p.some((x, j) => typeof x !== typeof parts[0]![j]));
        if (bad > 0) return fail(bad, `the value of ${path.join(".")}`);
        // Text that differs between stacks is read from stack config inside the interpolation.
        return { k: "tpl", parts: parts[0]!.map((x, j) => (typeof x === "string" ? (parts.every((p) => p[j] === x) ? x : lift(parts.map((p) => asCode(p[j]!)), path)) : lift(parts.map((p) => asCode(p[j]!)), path))) };
      }
      case "json":
        return { ...c0, value: lift(sameKind(codes, "json").map((c) => c.value), path) };
      case "noted":
        return { ...c0, value: lift(sameKind(codes, "noted").map((c) => c.value), path) };
      case "file":
        return { k: "file", path: lift(sameKind(codes, "file").map((c) => c.path), path) };
      case "definition": {
        const ds = sameKind(codes, "definition");
        const names = ds.map((d) => d.values.map(([k]) => k).join(","));
        const bad = names.findIndex((n) => n !== names[0]);
        if (bad > 0) return fail(bad, `what ${path.join(".")} refers to`);
        return { k: "definition", path: lift(ds.map((d) => d.path), path), values: ds[0]!.values.map(([k], j) => [k, lift(ds.map((d) => d.values[j]![1]), [...path, k])]) };
      }
      case "archive": {
        const as = sameKind(codes, "archive");
        return { k: "archive", files: as[0]!.files.map(([k], j) => [k, lift(as.map((a) => a.files[j]![1]), [...path, "code"])]) };
      }
      default: {
        const bad = codes.findIndex((c) => JSON.stringify(c) !== JSON.stringify(c0));
        if (bad > 0) return fail(bad, `what ${path.join(".")} refers to`);
        return c0;
      }
    }
  };
  const groups: Group[] = first.groups.map((g, gi) => {
    const others = programs.map((p, i) => p.groups[gi] ?? fail(i, "the resources it declares"));
    const shapes = others.map((o) => o.resources.map((r) => `${r.v}:${r.type}:${r.name}`).join(",") + `|${o.when?.key ?? ""}`);
    const bad = shapes.findIndex((s) => s !== shapes[0]);
    if (bad > 0) fail(bad, `the resources of: ${g.title.join(" ")}`);
    return {
      ...g,
      resources: g.resources.map((r, ri): Resource => ({ ...r, args: lift(others.map((o) => o.resources[ri]!.args), [r.v]) })),
    };
  });
  if (programs.some((p) => p.groups.length !== first.groups.length)) fail(programs.findIndex((p) => p.groups.length !== first.groups.length), "the resources it declares");
  const lookups = first.lookups;
  programs.forEach((p, i) => JSON.stringify(p.lookups) !== JSON.stringify(lookups) && fail(i, "the container images it uses"));
  const outputs = first.outputs.map((o, oi) => ({ ...o, value: lift(programs.map((p) => p.outputs[oi]?.value ?? fail(0, "the stack outputs")), [o.name]) }));
  const assets = new Map<string, string>();
  for (const p of programs) for (const a of p.assets) assets.set(a.path, a.contents);
  const zips = new Map<string, FlinkZip>();
  for (const p of programs) for (const z of p.flinkZips) zips.set(z.zip, z);
  return {
    ...first,
    lookups,
    groups,
    outputs,
    assets: [...assets].map(([path, contents]) => ({ path, contents })).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    flinkZips: [...zips.values()].sort((a, b) => (a.zip < b.zip ? -1 : 1)),
  };
}
