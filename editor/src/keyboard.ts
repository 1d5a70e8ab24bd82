// Shortcuts that work wherever the focus is, except inside the text editor and form
// fields, which keep their own (the text editor has its own undo for typing). Save and
// the step search (Ctrl+K) work there too.
import { fitView } from "./state/app";
import { copySelection, paste, redo, undo } from "./state/commands";
import { saveActive } from "./state/files";
import { expandFocused, groupSelection, ungroup } from "./state/groups";
import { focusSearch, openConnect } from "./state/ui";

function inField(t: EventTarget | null): boolean {
  const el = t as HTMLElement | null;
  if (!el || !el.closest) return false;
  return !!el.closest(".cm-editor, input, textarea, select, [contenteditable=true]");
}

export function installShortcuts(): void {
  window.addEventListener("keydown", (e) => {
    const mod = e.ctrlKey || e.metaKey;
    if (!mod) {
      if (!e.altKey && !e.defaultPrevented && !inField(e.target) && plainKey(e.key)) e.preventDefault();
      return;
    }
    const key = e.key.toLowerCase();
    if (key === "k") {
      e.preventDefault();
      focusSearch();
      return;
    }
    if (key === "s") {
      e.preventDefault();
      void saveActive();
      return;
    }
    if (inField(e.target)) return;
    if (key === "z" && !e.shiftKey) undo();
    else if ((key === "z" && e.shiftKey) || key === "y") redo();
    // Text selected on the page (a message, generated code) copies as text, not as steps.
    else if (key === "c" && !window.getSelection()?.toString()) copySelection();
    else if (key === "v") paste();
    // Ctrl+G groups the selected steps (asking for a name), Ctrl+Shift+G ungroups them.
    else if (key === "g") void (e.shiftKey ? ungroup() : groupSelection());
    else return;
    e.preventDefault();
  });
}

/**
 * Single keys outside the text and form fields: / finds a step, F fits the graph, C connects
 * the selected step, Enter expands the collapsed group that has the keyboard.
 */
function plainKey(key: string): boolean {
  if (key === "Enter") return expandFocused();
  if (key === "/") focusSearch();
  else if (key === "f" || key === "F") fitView();
  else if (key === "c" || key === "C") openConnect();
  else return false;
  return true;
}
