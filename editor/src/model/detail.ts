// The one line of settings a node shows under its name, chosen per kind so a data
// scientist can read the pipeline from the canvas without opening every step. Reads the
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
      return join([n.by.length ? `by ${n.by.join(", ")}` : undefined, n.config.window, count(n.columns.length, "aggregate")]);
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
