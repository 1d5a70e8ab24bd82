// Attribute values: an attribute's expression decoded to plain JSON data, which the
// kind's zod schema then validates. The same plain data is what the graph IR calls
// `config` and what targets read.
//
//   "s3://x"  -> "s3://x"        parquet    -> "parquet"       30d  -> "30d"     64GiB -> "64GiB"
//   2..8      -> { min: 2, max: 8 }          [a, b] -> ["a", "b"]     { k: 1 } -> { k: 1 }
//   cron("0 3 * * *") -> { cron: "0 3 * * *" }      online(ttl: 7d) -> { online: { ttl: "7d" } }
//   choice(2, 3) -> { choice: [2, 3] }               a == b -> { op: "==", left: "a", right: "b" }
import * as z from "zod";
import type { Expr } from "../ast";
import { cronProblem } from "../cron";
import { projectDataProblem, projectFileProblem } from "../paths";
import type { Span } from "../span";

const COMPARISONS = new Set(["==", "!=", "<", "<=", ">", ">="]);

export type Value = string | number | boolean | null | Value[] | { [k: string]: Value };

export class DecodeError {
  constructor(
    readonly span: Span,
    readonly message: string,
  ) {}
}

export function decode(e: Expr): Value {
  switch (e.kind) {
    case "ref":
      return e.name;
    case "number":
      return e.value;
    case "string":
      return e.value;
    case "bool":
      return e.value;
    case "null":
      return null;
    case "duration":
    case "size":
      return e.raw;
    case "range":
      return { min: decode(e.lo), max: decode(e.hi) };
    case "list":
      return e.items.map(decode);
    case "object": {
      const o: Record<string, Value> = {};
      for (const en of e.entries) put(o, en.key.name, decode(en.value));
      return o;
    }
    case "call": {
      const named = e.args.filter((a) => a.name);
      let arg: Value;
      if (named.length > 0) {
        const o: Record<string, Value> = {};
        for (const a of e.args) put(o, a.name?.name ?? "_", decode(a.value));
        arg = o;
      } else if (e.args.length === 1) arg = decode(e.args[0]!.value);
      else arg = e.args.map((a) => decode(a.value));
      return { [e.callee.name]: arg };
    }
    case "binary":
      // `on = a == b`, `asof = t >= u`: a comparison of two names is data; the kind's schema says which operators it takes.
      if (COMPARISONS.has(e.op)) return { op: e.op, left: decode(e.left), right: decode(e.right) };
      throw new DecodeError(e.span, "an attribute value must be a literal, a name, a list, an object or a call");
    case "unary":
    case "isnull":
      throw new DecodeError(e.span, "an attribute value must be a literal, a name, a list, an object or a call");
    case "error":
      throw new DecodeError(e.span, "");
  }
}

/**
 * Every key the user wrote is data, `__proto__` and `constructor` included: assignment
 * (`o[k] = v`) on a plain object would set its prototype instead of a key.
 */
export function put(o: Record<string, unknown>, k: string, v: unknown): void {
  // Assignment is the fast path; only `__proto__` would set the prototype instead of a key.
  if (k === "__proto__") Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

const PROTO = "__proto__";
/** Not an identifier, so no key the user writes can clash with it. */
const HIDDEN = "\u0000__proto__";

/**
 * zod drops a `__proto__` key without a word (its guard against prototype pollution), which
 * would lose a hyperparameter or an AWS tag. Validation sees it renamed (`hideProto`) and the
 * parsed config gets it back (`restoreProto`); `unhideKey` maps issue paths back.
 */
export function hideProto(v: unknown): unknown {
  return renameKeys(v, PROTO, HIDDEN);
}
export function restoreProto<T>(v: T): T {
  return renameKeys(v, HIDDEN, PROTO) as T;
}
/** `schema.safeParse(value)` that keeps every key, `__proto__` included (lowering re-parses settings with it). */
export function parseKeepingKeys<S extends z.ZodType>(schema: S, value: unknown): z.ZodSafeParseResult<z.output<S>> {
  const r = schema.safeParse(hideProto(value));
  return r.success ? { ...r, data: restoreProto(r.data) } : r;
}
export const unhideKey = (k: PropertyKey): PropertyKey => (k === HIDDEN ? PROTO : k);

// Configs almost never hold the key: they are then returned as they are, not copied.
function renameKeys(v: unknown, from: string, to: string): unknown {
  return hasKey(v, from) ? copyRenaming(v, from, to) : v;
}

// Runs on every config twice per check (before and after zod): walked with `for...in`, which
// reads V8's cached key list, where Object.keys and some() made an array and a closure a level.
function hasKey(v: unknown, key: string): boolean {
  if (Array.isArray(v)) {
    for (const x of v) if (hasKey(x, key)) return true;
    return false;
  }
  if (!v || typeof v !== "object" || Object.getPrototypeOf(v) !== Object.prototype) return false;
  for (const k in v) if (Object.hasOwn(v, k) && (k === key || hasKey((v as Record<string, unknown>)[k], key))) return true;
  return false;
}

function copyRenaming(v: unknown, from: string, to: string): unknown {
  if (Array.isArray(v)) return v.map((x) => copyRenaming(x, from, to));
  if (!v || typeof v !== "object" || Object.getPrototypeOf(v) !== Object.prototype) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) put(out, k === from ? to : k, copyRenaming((v as Record<string, unknown>)[k], from, to));
  return out;
}

/** A copy of `o` with the value at `path` replaced (objects along the path are created when missing). */
export function setPath(o: Readonly<Record<string, Value>>, path: readonly string[], value: Value): Record<string, Value> {
  const [k, ...rest] = path;
  const copy: Record<string, Value> = { ...o };
  if (k === undefined) return copy;
  const inner = Object.hasOwn(o, k) ? o[k] : undefined;
  put(copy, k, rest.length === 0 ? value : setPath(inner && typeof inner === "object" && !Array.isArray(inner) ? inner : {}, rest, value));
  return copy;
}

/** The expression inside `e` that a zod issue path points at, for a precise diagnostic span. */
export function exprAt(e: Expr, path: readonly PropertyKey[]): Expr {
  let cur = e;
  for (const key of path) {
    let next: Expr | undefined;
    if (cur.kind === "list" && typeof key === "number") next = cur.items[key];
    else if (cur.kind === "object") next = cur.entries.find((en) => en.key.name === key)?.value;
    else if (cur.kind === "range") next = key === "min" ? cur.lo : key === "max" ? cur.hi : undefined;
    else if (cur.kind === "call") {
      if (key === cur.callee.name) continue;
      next = typeof key === "number" ? cur.args[key]?.value : cur.args.find((a) => a.name?.name === key)?.value;
    } else if (cur.kind === "binary") next = key === "left" ? cur.left : key === "right" ? cur.right : undefined;
    if (!next) return cur;
    cur = next;
  }
  return cur;
}

// ---------- schema building blocks shared by the step and target catalogs ----------

export const DURATION_UNITS_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
export const SIZE_UNITS = { KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 } as const;

const DURATION = "expected a duration such as 30s, 10m, 6h or 7d";
const SIZE = "expected a size such as 512MiB or 64GiB";
const DURATION_RE = /^\d+(ms|s|m|h|d)$/;
const SIZE_RE = /^\d+(KiB|MiB|GiB|TiB)$/;
// Targets turn durations and sizes into whole milliseconds and bytes: beyond 2^53 they would not be exact.
export const duration = z
  .string({ error: DURATION })
  .regex(DURATION_RE, { error: DURATION })
  .refine((d) => !DURATION_RE.test(d) || Number.isSafeInteger(durationMs(d)), { message: "a duration this long is out of range" })
  .meta({ format: "duration" });
export const size = z
  .string({ error: SIZE })
  .regex(SIZE_RE, { error: SIZE })
  .refine((v) => !SIZE_RE.test(v) || Number.isSafeInteger(sizeBytes(v)), { message: "a size this large is out of range" })
  .meta({ format: "size" });

export function durationMs(d: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(d);
  if (!m) throw new Error(`not a duration: ${d}`);
  return Number(m[1]) * DURATION_UNITS_MS[m[2] as keyof typeof DURATION_UNITS_MS];
}

export function sizeBytes(s: string): number {
  const m = /^(\d+)(KiB|MiB|GiB|TiB)$/.exec(s);
  if (!m) throw new Error(`not a size: ${s}`);
  return Number(m[1]) * SIZE_UNITS[m[2] as keyof typeof SIZE_UNITS];
}

/** Marks an issue so the checker reports it under its own code rather than MLP0310. */
export const CRON_ISSUE = "MLP0314";

export const cron = z
  .object(
    {
    cron: z.string().superRefine((s, ctx) => {
      const problem = cronProblem(s);
      if (problem) ctx.addIssue({ code: "custom", message: problem, params: { code: CRON_ISSUE } });
    }),
    },
    { error: 'expected a schedule written cron("MIN HOUR DAY MONTH WEEKDAY")' },
  )
  .strict()
  .meta({ format: "cron" });

/** A file of the project the pipeline reads or ships (an entry script, a notebook). */
export const projectFile = z.string().min(1).superRefine((p, ctx) => {
  const why = projectFileProblem(p);
  if (why) ctx.addIssue({ code: "custom", message: `${why}: it must be a relative path to a file inside the project folder` });
});
/** A data location: absolute paths and URLs name data elsewhere; a relative one stays in the project. */
export const dataLocation = z.string().min(1).superRefine((p, ctx) => {
  const why = projectDataProblem(p);
  if (why) ctx.addIssue({ code: "custom", message: `${why}: write an absolute path or a URL for data outside the project` });
});

export const positiveInt = z.number().int({ message: "expected a whole number" }).min(1, { message: "expected at least 1" });
export const nonNegativeInt = z.number().int({ message: "expected a whole number" }).min(0, { message: "expected 0 or more" });
export const name = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: "expected a name" });

export const resources = z
  .object({
    gpus: nonNegativeInt.optional().describe("GPUs per node"),
    cpus: positiveInt.optional().describe("CPU cores per node"),
    nodes: positiveInt.optional().describe("Number of nodes (machines)"),
    memory: size.optional().describe("Memory per node"),
    timeout: duration.optional().describe("Wall-clock limit"),
  })
  .strict();
export type Resources = z.infer<typeof resources>;
/**
 * Compute of a batch data step's engine job (Spark, Glue): each field has the engine's meaning,
 * not a machine's, and there are no GPUs. A written `gpus` is refused saying why, not only as
 * an unknown key.
 */
export const dataResources = z
  .object(
    {
      cpus: positiveInt.optional().describe("Cores per executor (Spark --executor-cores; Glue: the smallest worker type with as many vCPUs)"),
      memory: size.optional().describe("Memory per executor (Spark --executor-memory; Glue: the smallest worker type with as much memory)"),
      nodes: positiveInt.optional().describe("Number of executors (Spark --num-executors; Glue: workers besides the driver)"),
      timeout: duration.optional().describe("Wall-clock limit of the job (Slurm --time, Glue Timeout); `mlp run` ignores all of these"),
    },
    {
      error: (iss) =>
        iss.code === "unrecognized_keys" && iss.keys.includes("gpus")
          ? "data steps run on CPUs: `gpus` belongs in the `resources` of a train, deploy or notebook step"
          : undefined,
    },
  )
  .strict();
export type DataResources = z.infer<typeof dataResources>;
/** The `resources` attribute of the data step kinds. */
export const dataStepResources = dataResources.optional().describe("Compute of the step's batch job (Spark, Glue); a streaming step may not set it");

export const scalarValue = z.union([z.string(), z.number(), z.boolean()]);
/** Hyperparameters and notebook parameters: names to scalars or lists of scalars. */
export const params = z.record(z.string(), z.union([scalarValue, z.array(scalarValue)], { error: "expected a number, string, bool or a list of them" }));
