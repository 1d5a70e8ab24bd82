// The one line of settings a node shows under its name, chosen per kind so a data
// scientist can read the pipeline from the canvas without opening every step.
import type { IrNode, IrStmt } from "../../../compiler/ir";

type Cfg = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? String(v) : undefined);

function range(v: unknown): string | undefined {
  if (v && typeof v === "object" && "min" in v && "max" in v) return `${(v as Cfg).min}..${(v as Cfg).max}`;
  return str(v);
}

function ops(body: IrStmt[]): IrStmt[] {
  return body.filter((s) => s.kind !== "attr");
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function detailOf(n: IrNode): string {
  const c = n.config as Cfg;
  const body = n.body;
  switch (n.kind) {
    case "source":
      return [str(c.uri) ?? (c.topic ? `topic ${str(c.topic)}` : undefined), str(c.format)].filter(Boolean).join(" · ");
    case "cleanse":
      return count(ops(body).length, "operation");
    case "aggregate": {
      const by = body.find((s) => s.kind === "by");
      const cols = body.filter((s) => s.kind === "column").length;
      return [by && by.kind === "by" ? `by ${by.columns.join(", ")}` : undefined, str(c.window), count(cols, "aggregate")].filter(Boolean).join(" · ");
    }
    case "join": {
      const on = c.on as unknown;
      const onText = typeof on === "string" ? on : on && typeof on === "object" ? `${(on as Cfg).left} == ${(on as Cfg).right}` : undefined;
      return [str(c.type) ?? "inner", onText ? `on ${onText}` : undefined].filter(Boolean).join(" · ");
    }
    case "features": {
      const key = body.find((s) => s.kind === "key");
      const cols = body.filter((s) => s.kind === "column").length;
      const store = c.store && typeof c.store === "object" && "online" in (c.store as Cfg) ? "online" : c.store ? "offline" : undefined;
      return [key && key.kind === "key" ? `key ${key.columns.join(", ")}` : undefined, count(cols, "feature"), store].filter(Boolean).join(" · ");
    }
    case "split":
      return [c.train !== undefined && c.test !== undefined ? `${str(c.train)} / ${str(c.test)}` : undefined, c.by ? `by ${str(c.by)}` : undefined].filter(Boolean).join(" · ");
    case "train":
      return [str(c.framework), c.label ? `label ${str(c.label)}` : undefined, c.distributed && c.distributed !== "none" ? str(c.distributed) : undefined].filter(Boolean).join(" · ");
    case "tune": {
      const obj = c.objective as Cfg | undefined;
      const objText = obj ? Object.entries(obj).map(([k, v]) => `${k}(${str(v)})`)[0] : undefined;
      return [objText, str(c.strategy), c.trials !== undefined ? count(Number(c.trials), "trial") : undefined].filter(Boolean).join(" · ");
    }
    case "evaluate":
      return body
        .filter((s): s is Extract<IrStmt, { kind: "require" }> => s.kind === "require")
        .map((s) => `${s.metric} ${s.op} ${s.value.kind === "number" ? s.value.raw : "…"}`)
        .join(", ") || "no requirements";
    case "register":
      return [str(c.name), str(c.stage)].filter(Boolean).join(" · ");
    case "deploy":
      return [str(c.mode), c.instances !== undefined ? `${range(c.instances)} instances` : undefined, c.schedule && typeof c.schedule === "object" ? `cron ${(c.schedule as Cfg).cron}` : undefined].filter(Boolean).join(" · ");
    case "notebook":
      return str(c.path) ?? "";
    default:
      return "";
  }
}
