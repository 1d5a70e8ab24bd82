// How `mlp run` shows progress: in a terminal, finished steps scroll by and one live line per
// running step is redrawn below them; otherwise one plain line per finished step; with
// `--format json`, NDJSON events for CI (one object per line).
import type { RunRecord, StepRecord } from "./folder";
import type { RunEvents } from "./runner";

export interface Sink {
  write(s: string): void;
}

const pad = (s: string, n: number) => (s.length >= n ? s + " " : s + " ".repeat(n - s.length));
/**
 * A count with thousands separators, as `toLocaleString("en-US")` writes it. Not that call: its
 * first use loads the ICU locale data, about 10 ms of every `mlp run` that prints a row count.
 */
export const grouped = (n: number): string => (Number.isSafeInteger(n) ? String(n).replace(/\B(?=(\d{3})+$)/g, ",") : n.toLocaleString("en-US"));
const rows = (n?: number) => (n === undefined ? "" : `${grouped(n)} rows`);

function line(s: StepRecord, color: boolean, progress?: string): string {
  const paint = (code: string, t: string) => (color ? `\x1b[${code}m${t}\x1b[0m` : t);
  const ports = Object.entries(s.outputs).filter(([, o]) => o.rows !== undefined);
  // One port: its rows; several (a split): each port's.
  const counted = ports.length > 1 ? ports.map(([p, o]) => `${p} ${grouped(o.rows!)}`).join(" · ") : rows(ports[0]?.[1].rows);
  switch (s.status) {
    case "ok":
      return `  ${paint("32", pad("ok", 8))}${pad(s.id, 24)}${pad(counted, 16)}${s.seconds?.toFixed(2)}s${detail(s)}`;
    case "cached":
      return `  ${paint("36", pad("cached", 8))}${pad(s.id, 24)}${pad(counted, 16)}from ${s.cached_from}${detail(s)}`;
    case "failed":
      return `  ${paint("31;1", pad("FAILED", 8))}${pad(s.id, 24)}${s.error ?? ""}`;
    case "skipped":
      return `  ${paint("33", pad("skipped", 8))}${pad(s.id, 24)}(${s.skipped_because} failed)`;
    case "running": {
      const secs = s.started ? ((Date.now() - Date.parse(s.started)) / 1000).toFixed(1) : "0.0";
      return `  ${paint("35", pad("running", 8))}${pad(s.id, 24)}${pad(`${secs}s`, 16)}${progress ?? ""}`;
    }
    default:
      return `  ${pad(s.status, 8)}${s.id}`;
  }
}

/** What a finished step has to say beyond rows: a gate's checks, a registered version. */
function detail(s: StepRecord): string {
  const d = s.detail;
  if (!d) return "";
  if (Array.isArray(d.checks))
    return `   ${(d.checks as { metric: string; value: number; op: string; threshold: number }[]).map((c) => `${c.metric} ${typeof c.value === "number" ? c.value.toFixed(3) : c.value} ${c.op} ${c.threshold}`).join(", ")}`;
  if (d.version !== undefined) return `   ${d.name} version ${d.version}${d.stage ? ` (${d.stage})` : ""}`;
  if (d.best && typeof d.best === "object") {
    const b = d.best as { value?: number; params?: Record<string, unknown> };
    return `   best ${typeof b.value === "number" ? b.value.toFixed(4) : ""} ${JSON.stringify(b.params ?? {})}`;
  }
  if (typeof d.serve === "string") return `   serve with: ${d.serve}`;
  return "";
}

function summary(r: RunRecord, workdir: string): string {
  const count = (st: string) => r.steps.filter((s) => s.status === st).length;
  const parts = [`${count("ok")} ran`, `${count("cached")} cached`];
  if (count("failed")) parts.push(`${count("failed")} failed`);
  if (count("skipped")) parts.push(`${count("skipped")} skipped`);
  return `${r.status === "succeeded" ? "run succeeded" : `run ${r.status}`}: ${parts.join(", ")} · ${workdir}/runs/${r.run_id}/run.json\n`;
}

export function humanEvents(sink: Sink, opts: { tty: boolean; color: boolean; workdir: string }): RunEvents & { stop(): void } {
  const live = new Map<string, { rec: StepRecord; progress?: string }>();
  let drawn = 0;
  const redraw = () => {
    if (!opts.tty) return;
    let s = drawn ? `\x1b[${drawn}A\x1b[J` : "";
    for (const { rec, progress } of live.values()) s += line(rec, opts.color, progress) + "\n";
    drawn = live.size;
    sink.write(s);
  };
  const clear = () => {
    if (opts.tty && drawn) sink.write(`\x1b[${drawn}A\x1b[J`);
    drawn = 0;
  };
  const timer = opts.tty ? setInterval(redraw, 250) : undefined;
  timer?.unref();
  return {
    start(r) {
      sink.write(`mlp run ${r.pipeline}${r.variant ? ` (variant ${r.variant})` : ""} · run ${r.run_id} · clock ${r.clock}\n`);
    },
    step(s, progress) {
      if (s.status === "running") {
        live.set(s.id, { rec: s, ...(progress ? { progress } : {}) });
        redraw();
        return;
      }
      if (s.status === "pending") return;
      clear();
      live.delete(s.id);
      sink.write(line(s, opts.color) + "\n");
      redraw();
    },
    end(r) {
      clear();
      sink.write(summary(r, opts.workdir));
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}

/** A step with several data outputs (a split): the rows of each, by port. */
function portRows(s: StepRecord): { port_rows?: Record<string, number> } {
  const ports = Object.entries(s.outputs).filter(([, o]) => o.rows !== undefined);
  return ports.length > 1 || (ports.length === 1 && ports[0]![0] !== "out") ? { port_rows: Object.fromEntries(ports.map(([p, o]) => [p, o.rows!])) } : {};
}

/** `workdir`: where the run folder is (absolute); a step's `log` is relative to it. */
export function jsonEvents(sink: Sink, opts: { workdir?: string } = {}): RunEvents & { stop(): void } {
  const emit = (o: unknown) => sink.write(JSON.stringify(o) + "\n");
  return {
    start(r) {
      emit({ event: "run", status: r.status, run: r.run_id, pipeline: r.pipeline, variant: r.variant, clock: r.clock, steps: r.steps.map((s) => s.id), ...(opts.workdir ? { workdir: opts.workdir } : {}) });
    },
    step(s, progress) {
      if (s.status === "pending") return;
      emit({ event: "step", step: s.id, kind: s.kind, status: s.status, ...(progress ? { progress } : {}), ...(s.seconds !== undefined ? { seconds: s.seconds } : {}), ...(s.outputs.out?.rows !== undefined ? { rows: s.outputs.out.rows } : {}), ...portRows(s), ...(s.cached_from ? { cached_from: s.cached_from } : {}), ...(s.error ? { error: s.error } : {}), ...(s.skipped_because ? { skipped_because: s.skipped_because } : {}), ...(s.detail ? { detail: s.detail } : {}), ...(s.log ? { log: s.log } : {}) });
    },
    end(r) {
      emit({ event: "end", run: r.run_id, status: r.status });
    },
    stop() {},
  };
}
