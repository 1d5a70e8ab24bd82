// Requests between the keyboard shortcuts and the views that answer them: focus the step
// search, open the Connect to… list for a step. Apart from the app state, which holds the
// program and what is derived from it.
import { app, toast } from "./app";
import { createStore } from "./store";

export interface Ui {
  /** Bumped to ask the step search box for the keyboard. */
  searchSeq: number;
  /** The step whose Connect to… list is open. */
  connectFrom: string | null;
}

export const ui = createStore<Ui>({ searchSeq: 0, connectFrom: null });

export function focusSearch(): void {
  ui.set((s) => ({ searchSeq: s.searchSeq + 1 }));
}

/** Opens the keyboard way to connect the selected step (or `id`) to another one. */
export function openConnect(id = app.get().selection.length === 1 ? app.get().selection[0] : undefined): void {
  if (!id) {
    toast("select one step first (click it, or Tab to it), then press C to connect it to another", "info");
    return;
  }
  ui.set({ connectFrom: id });
}

export function closeConnect(): void {
  ui.set({ connectFrom: null });
}
