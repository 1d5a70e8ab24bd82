// Groups on the canvas: which are collapsed (a view setting, kept per file in browser
// storage, never written to the file) and the Group… / Ungroup commands, which are layout
// edits (model/groups.ts) applied like every graph edit, so one undo takes them back.
import { groupNameProblem, groupSteps, layoutGroupId, stepGroups, ungroupSteps, type Grouping } from "../model/groups";
import { app, select, toast } from "./app";
import { canvas } from "./canvasBridge";
import { applyEdit } from "./graphEdits";
import { storageKey } from "./persist";
import { createStore, useSelector } from "./store";

export const GROUPS_KEY = "mlp-editor:collapsed-groups:v1";

/** Collapsed group ids by workspace and file (`KEY|PATH`), so two folders' `main.mlp` do not share them. */
type Collapsed = Record<string, string[]>;

function load(): Collapsed {
  try {
    const raw = typeof localStorage === "undefined" ? null : localStorage.getItem(GROUPS_KEY);
    const data = raw ? (JSON.parse(raw) as unknown) : {};
    if (!data || typeof data !== "object") return {};
    const out: Collapsed = {};
    for (const [k, v] of Object.entries(data)) if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === "string");
    return out;
  } catch {
    return {};
  }
}

export const groupView = createStore<{ collapsed: Collapsed }>({ collapsed: load() });

function save(): void {
  try {
    localStorage.setItem(GROUPS_KEY, JSON.stringify(groupView.get().collapsed));
  } catch {
    // A view setting: losing it on a full storage is not worth a warning beside the autosave's own.
  }
}

/** Starting afresh (`?fresh`): no group is collapsed anywhere. */
export function forgetCollapsed(): void {
  groupView.set({ collapsed: {} });
  try {
    localStorage.removeItem(GROUPS_KEY);
  } catch {
    // Nothing stored, nothing to forget.
  }
}

const scope = (file: string) => `${storageKey()}|${file}`;
const NONE: readonly string[] = [];

/** The collapsed group ids of the open file. */
export function useCollapsed(): readonly string[] {
  const file = useSelector(app, (s) => s.active);
  return useSelector(groupView, (s) => s.collapsed[scope(file)] ?? NONE);
}

export function setCollapsed(id: string, collapsed: boolean): void {
  const key = scope(app.get().active);
  // Steps folded out of sight leave the selection: Delete or Copy must not act on what cannot be seen.
  const members = collapsed ? new Set(grouping()?.groups.find((g) => g.id === id)?.members ?? []) : undefined;
  if (members?.size && app.get().selection.some((s) => members.has(s))) select(app.get().selection.filter((s) => !members.has(s)), "app");
  const cur = groupView.get().collapsed[key] ?? [];
  if (cur.includes(id) === collapsed) return;
  const next = collapsed ? [...cur, id] : cur.filter((x) => x !== id);
  const all = { ...groupView.get().collapsed };
  if (next.length) all[key] = next;
  else delete all[key];
  groupView.set({ collapsed: all });
  save();
}

function grouping(): Grouping | undefined {
  const ir = app.get().analysis?.ir;
  return ir ? stepGroups(ir) : undefined;
}

/** Expands the collapsed group a step is in, so the step can be shown (search, reveal). */
export function expandGroupOf(stepId: string): void {
  const g = grouping()?.groupOf.get(stepId);
  if (g !== undefined) setCollapsed(g, false);
}

/** Group… : asks for a name and writes the selected steps under a `// group: NAME` section. */
export function groupSelection(): Promise<boolean> {
  const sel = app.get().selection;
  if (!sel.length) {
    toast("select the steps to group first (Shift+click or drag a box), then Group… (Ctrl+G)", "info");
    return Promise.resolve(false);
  }
  const g = grouping();
  const current = g?.groups.find((x) => x.source === "layout" && sel.every((id) => g.groupOf.get(id) === x.id));
  const name = window.prompt(`Name of the group for ${sel.length} step${sel.length > 1 ? "s" : ""} (written as a // group: line in the layout block)`, current?.name ?? "");
  if (name === null) return Promise.resolve(false);
  const problem = groupNameProblem(name);
  if (problem) {
    toast(problem, "error");
    return Promise.resolve(false);
  }
  const positions = canvas()?.positions() ?? new Map();
  return applyEdit((ir) => groupSteps(ir, sel, name, positions)).then((ok) => {
    if (ok) setCollapsed(layoutGroupId(name.trim()), false);
    return ok;
  });
}

/** Ungroup: removes the group line of the group the selected steps (or `id`) are in. */
export function ungroup(id?: string): Promise<boolean> {
  const g = grouping();
  const sel = app.get().selection;
  const gid = id ?? (sel.length ? g?.groupOf.get(sel[0]!) : undefined);
  const group = g?.groups.find((x) => x.id === gid);
  if (!group || (id === undefined && !sel.every((s) => g!.groupOf.get(s) === gid))) {
    toast("select steps of one group to ungroup them", "info");
    return Promise.resolve(false);
  }
  if (group.source === "import") {
    toast(`the steps of ${group.name} are grouped because they come from that file; they cannot be ungrouped`, "info");
    return Promise.resolve(false);
  }
  return applyEdit((ir) => ungroupSteps(ir, group.name)).then((ok) => {
    if (ok) setCollapsed(group.id, false);
    return ok;
  });
}

/** A click on a collapsed group in the zoomed-out drawing expands it; false for a step. */
export function expandIfGroup(id: string): boolean {
  if (!grouping()?.groups.some((g) => g.id === id)) return false;
  setCollapsed(id, false);
  return true;
}

/** Enter on a collapsed group node (it has the keyboard) expands it. */
export function expandFocused(): boolean {
  const el = document.activeElement as HTMLElement | null;
  const id = el?.classList.contains("react-flow__node-stepGroup") ? el.dataset.id : undefined;
  if (!id) return false;
  setCollapsed(id, false);
  return true;
}
