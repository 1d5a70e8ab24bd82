// The one line of settings a node shows under its name, chosen per kind so a data
// scientist can read the pipeline from the canvas without opening every step, and the
// line that says how a step treats time (an as-of join, a hopping window). Reads the
// typed config and decoded body of the IR; an invalid node (not yet checked, or rejected)
// shows nothing.
import type { IrNode } from "../../../compiler/ir";

const join = (parts: (string | undefined)[]) => parts.filter(Boolean).join(" · ");

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function detailOf(n: IrNode): string {
  switch (n.kind) {
    case "source": {
      const c = n.config;
      return join([c.uri ?? (c.topic !== undefined ? `topic ${c.topic}` : undefined), c.format]);
    }
    case "cleanse":
      return count(n.ops.length, "operation");
    case "aggregate":
      // A hopping window is on the time line (`timeOf`).
      return join([n.by.length ? `by ${n.by.join(", ")}` : undefined, n.config.every === undefined ? n.config.window : undefined, count(n.columns.length, "aggregate")]);
    case "join": {
      const { left, right } = n.keys;
      return join([n.config.type, `on ${left === right ? left : `${left} == ${right}`}`]);
    }
    case "features": {
      const store = n.config.store === undefined ? undefined : n.config.store === "offline" ? "offline" : "online";
      return join([n.key.length ? `key ${n.key.join(", ")}` : undefined, count(n.columns.length, "feature"), store]);
    }
    case "split":
      return join([`${n.config.train} / ${n.config.test}`, n.config.by !== undefined ? `by ${n.config.by}` : undefined]);
    case "train":
      return join([n.config.framework, `label ${n.config.label}`, n.config.distributed !== "none" ? n.config.distributed : undefined]);
    case "tune": {
      const o = n.config.objective;
      return join(["maximize" in o ? `maximize(${o.maximize})` : `minimize(${o.minimize})`, n.config.strategy, count(n.config.trials, "trial")]);
    }
    case "evaluate":
      return n.require.map((r) => `${r.metric} ${r.op} ${r.value}`).join(", ") || "no requirements";
    case "register":
      return join([n.config.name, n.config.stage]);
    case "deploy": {
      const { mode, instances, schedule } = n.config;
      const count = instances === undefined ? undefined : typeof instances === "number" ? `${instances} instances` : `${instances.min}..${instances.max} instances`;
      return join([mode, count, schedule ? `cron ${schedule.cron}` : undefined]);
    }
    case "notebook":
      return n.config.path;
    case "invalid":
      return "";
  }
}

const OPS: Record<string, string> = { ">=": "≥", "<=": "≤", "!=": "≠" };

/**
 * How a step treats time, when that is what makes its rows right for training: a join's
 * `asof week_start ≥ window_end · within 35d`, an aggregate's `window 28d every 7d`.
 */
export function timeOf(n: IrNode): string | undefined {
  switch (n.kind) {
    case "join": {
      const { asof, within } = n.config;
      const cond = asof ? `asof ${asof.left} ${OPS[asof.op] ?? asof.op} ${asof.right}` : undefined;
      return join([cond, within !== undefined ? `within ${within}` : undefined]) || undefined;
    }
    case "aggregate": {
      const { window, every } = n.config;
      return every === undefined ? undefined : `${window !== undefined ? `window ${window} ` : ""}every ${every}`;
    }
    default:
      return undefined;
  }
}
