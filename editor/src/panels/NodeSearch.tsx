// The step search in the toolbar (Ctrl+K, Cmd+K or /): by name, kind or a column a step
// produces. Choosing a match selects the step, centres the view on it and gives it the keyboard.
import { useEffect, useMemo, useRef, useState } from "react";
import { searchSteps, type StepMatch } from "../model/search";
import { app, reveal, select } from "../state/app";
import { expandGroupOf } from "../state/groups";
import { useSelector } from "../state/store";
import { ui } from "../state/ui";
import { Picker } from "./Picker";

/** Once the view has moved to it, the node takes the keyboard, so C, Delete or the arrows act on it. */
function focusNode(id: string): void {
  setTimeout(() => {
    const el = [...document.querySelectorAll<HTMLElement>(".react-flow__node")].find((n) => n.dataset.id === id);
    el?.focus({ preventScroll: true });
  }, 350);
}

export function NodeSearch() {
  const ir = useSelector(app, (s) => s.analysis?.ir);
  const seq = useSelector(ui, (s) => s.searchSeq);
  const [query, setQuery] = useState("");
  const [focused, setFocused] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const matches = useMemo(() => (ir ? searchSteps(ir, query) : []), [ir, query]);
  useEffect(() => {
    if (seq) input.current?.select();
  }, [seq]);
  const pick = (m: StepMatch) => {
    // A step inside a collapsed group is not on the canvas until its group opens.
    expandGroupOf(m.id);
    select([m.id], "app");
    reveal(m.id);
    setQuery("");
    focusNode(m.id);
  };
  return (
    <div className="node-search" role="search">
      <Picker<StepMatch>
        id="node-search"
        label="Find a step by name, kind or column"
        placeholder="Find a step… (Ctrl+K or /)"
        query={query}
        onQuery={setQuery}
        items={matches}
        itemKey={(m) => m.id}
        render={(m) => (
          <>
            <span className="match-kind">{m.kind}</span> <span className="match-name">{m.name}</span>
            {m.why !== "name" && <span className="muted"> · {m.why}</span>}
            {m.file && <span className="muted"> · {m.file}</span>}
          </>
        )}
        onPick={pick}
        onEscape={() => (query ? setQuery("") : input.current?.blur())}
        open={focused && query.trim() !== ""}
        inputRef={input}
        onFocus={() => setFocused(true)}
        onBlur={() => setFocused(false)}
        empty="no step has that name, kind or column"
      />
    </div>
  );
}
