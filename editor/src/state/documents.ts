// The open files as CodeMirror states: one per file, each with its own undo history.
// Every change to a text, typed or made by a graph edit, goes through here, so undo
// and redo (Ctrl+Z / Ctrl+Shift+Z) cover both kinds of edit.
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab, isolateHistory, redo, redoDepth, undo, undoDepth } from "@codemirror/commands";
import { bracketMatching, indentOnInput } from "@codemirror/language";
import { lintGutter, setDiagnostics, type Diagnostic as CmDiagnostic } from "@codemirror/lint";
import { highlightSelectionMatches, searchKeymap } from "@codemirror/search";
import { Annotation, EditorSelection, EditorState, Transaction, type Extension } from "@codemirror/state";
import { drawSelection, EditorView, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers } from "@codemirror/view";
import type { Diagnostic } from "../../../language/diagnostics/diagnostic";
import { minimalChange } from "../model/textdiff";
import { mlpCompletions, mlpHighlight, mlpLanguage } from "../text/mlpLanguage";
import { app, select } from "./app";
import { scheduleAnalysis } from "./analysis";
import { panes, togglePane } from "./panes";

/** Marks transactions made by the app itself (selection sync), which must not echo back. */
const fromApp = Annotation.define<boolean>();

const states = new Map<string, EditorState>();
let view: EditorView | undefined;
let viewPath = "";

function programNames(): string[] {
  const ir = app.get().analysis?.ir;
  if (!ir) return [];
  const names = new Set<string>();
  for (const n of ir.nodes) names.add(n.name);
  for (const s of ir.schemas) {
    names.add(s.name);
    for (const c of s.columns) names.add(c.name);
  }
  return [...names];
}

function onUpdate(path: string, docChanged: boolean, state: EditorState, tr: readonly Transaction[]): void {
  if (docChanged) {
    const text = state.doc.toString();
    app.set((s) => ({ texts: { ...s.texts, [path]: text }, revision: s.revision + 1 }));
    scheduleAnalysis();
  } else if (path === app.get().active && tr.some((t) => t.selection && !t.annotation(fromApp) && t.isUserEvent("select"))) {
    // The cursor moved in the text: select the step it is in.
    const a = app.get().analysis;
    const at = state.selection.main.head;
    if (!a || a.texts[path] !== state.doc.toString()) return;
    for (const [id, s] of Object.entries(a.nodes)) {
      if (s.file === path && at >= s.decl.start && at <= s.decl.end) {
        select([id], "text");
        return;
      }
    }
  }
}

function extensions(path: string): Extension[] {
  return [
    lineNumbers(),
    highlightActiveLineGutter(),
    history(),
    drawSelection(),
    indentOnInput(),
    bracketMatching(),
    closeBrackets(),
    autocompletion({ override: [mlpCompletions(programNames)] }),
    highlightActiveLine(),
    highlightSelectionMatches(),
    mlpLanguage,
    mlpHighlight,
    lintGutter(),
    EditorState.tabSize.of(2),
    keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap, ...completionKeymap, indentWithTab]),
    EditorView.updateListener.of((u) => onUpdate(path, u.docChanged, u.state, u.transactions)),
    // Named for screen readers, and reachable with Tab (axe counts a contenteditable without a tabindex as unreachable).
    EditorView.contentAttributes.of({ "aria-label": `Text of ${path}`, tabindex: "0" }),
  ];
}

export function openDocument(path: string, text: string): void {
  states.set(path, EditorState.create({ doc: text, extensions: extensions(path) }));
  app.set((s) => ({ paths: s.paths.includes(path) ? s.paths : [...s.paths, path], texts: { ...s.texts, [path]: text }, revision: s.revision + 1 }));
}

export function closeDocument(path: string): void {
  states.delete(path);
  app.set((s) => {
    const paths = s.paths.filter((p) => p !== path);
    const texts = { ...s.texts };
    delete texts[path];
    return { paths, texts, revision: s.revision + 1 };
  });
}

export function hasDocument(path: string): boolean {
  return states.has(path);
}

/** Attaches the text pane's view; it shows the active file. */
export function attachView(v: EditorView | undefined): void {
  if (view && viewPath && states.has(viewPath)) states.set(viewPath, view.state);
  view = v;
  viewPath = "";
  if (v) showActive();
}

function stateOf(path: string): EditorState | undefined {
  return path === viewPath && view ? view.state : states.get(path);
}

/** Makes `path` the active file: the text pane shows it and the graph is its program. */
export function activate(path: string): void {
  if (!states.has(path)) return;
  if (app.get().active !== path) app.set({ active: path, selection: [], revision: app.get().revision + 1, fitPending: true });
  showActive();
  scheduleAnalysis(0);
}

function showActive(): void {
  const path = app.get().active;
  if (!view || viewPath === path) return;
  if (viewPath && states.has(viewPath)) states.set(viewPath, view.state);
  const st = states.get(path);
  if (!st) return;
  view.setState(st);
  viewPath = path;
  pushDiagnostics();
}

/** Replaces a file's text with the smallest change, as one undoable step. */
export function replaceText(path: string, text: string, userEvent = "input.graph"): void {
  const st = stateOf(path);
  if (!st) return;
  const change = minimalChange(st.doc.toString(), text);
  if (!change) return;
  const spec = { changes: change, annotations: [isolateHistory.of("full" as const), Transaction.userEvent.of(userEvent)] };
  if (path === viewPath && view) view.dispatch(spec);
  else {
    const next = st.update(spec).state;
    states.set(path, next);
    onUpdate(path, true, next, []);
  }
}

function target(path: string) {
  if (path === viewPath && view) return view;
  const st = states.get(path);
  if (!st) return undefined;
  return {
    state: st,
    dispatch: (tr: Transaction) => {
      states.set(path, tr.state);
      onUpdate(path, tr.docChanged, tr.state, [tr]);
    },
  };
}

export function undoActive(): boolean {
  const t = target(app.get().active);
  return t ? undo(t) : false;
}

export function redoActive(): boolean {
  const t = target(app.get().active);
  return t ? redo(t) : false;
}

export function historyDepth(): { undo: number; redo: number } {
  const st = stateOf(app.get().active);
  return st ? { undo: undoDepth(st), redo: redoDepth(st) } : { undo: 0, redo: 0 };
}

/** Selects a range in the active text and scrolls to it; `focus` moves the keyboard there too. */
export function showRange(from: number, to: number, focus: boolean): void {
  if (!view) return;
  const len = view.state.doc.length;
  const a = Math.min(from, len), b = Math.min(to, len);
  view.dispatch({ selection: EditorSelection.single(a, b), effects: EditorView.scrollIntoView(a, { y: "center" }), annotations: fromApp.of(true) });
  if (focus) focusView(view, a);
}

export function focusText(): void {
  if (view) focusView(view);
}

/** The keyboard goes to the text: a collapsed text pane opens first (a hidden view can neither scroll nor take focus). */
function focusView(v: EditorView, at?: number): void {
  if (panes.get().text.open) {
    v.focus();
    return;
  }
  togglePane("text", true);
  requestAnimationFrame(() => {
    if (at !== undefined) v.dispatch({ effects: EditorView.scrollIntoView(at, { y: "center" }) });
    v.focus();
  });
}

function toCm(d: Diagnostic, len: number): CmDiagnostic {
  const from = Math.min(d.span.start, len);
  const to = Math.min(Math.max(d.span.end, from), len);
  return { from, to, severity: d.severity, source: d.code, message: d.help ? `${d.message}\n${d.help}` : d.message };
}

/** Shows the current analysis' diagnostics inline, when it matches the text on screen. */
function pushDiagnostics(): void {
  const a = app.get().analysis;
  if (!view || !a) return;
  const text = view.state.doc.toString();
  if (a.texts[viewPath] !== text) return;
  const len = text.length;
  view.dispatch(setDiagnostics(view.state, a.diagnostics.filter((d) => d.file === viewPath).map((d) => toCm(d, len))));
}

let lastAnalysis: unknown;
app.subscribe(() => {
  const a = app.get().analysis;
  if (a !== lastAnalysis) {
    lastAnalysis = a;
    pushDiagnostics();
  }
});

/** Texts of every open file, straight from the editor states. */
export function allTexts(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of app.get().paths) {
    const st = stateOf(p);
    if (st) out[p] = st.doc.toString();
  }
  return out;
}
