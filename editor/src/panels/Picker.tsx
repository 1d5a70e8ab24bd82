// A text box over a list of choices (the WAI-ARIA combobox with a listbox): typing filters,
// Up and Down move through the list, Enter (or a click) picks, Escape leaves. Shared by the
// step search and the Connect to… list.
import { useEffect, useState, type KeyboardEvent, type ReactNode, type RefObject } from "react";

interface Props<T> {
  id: string;
  /** The text box's accessible name. */
  label: string;
  placeholder: string;
  query: string;
  onQuery(q: string): void;
  items: readonly T[];
  itemKey(item: T): string;
  render(item: T): ReactNode;
  onPick(item: T): void;
  onEscape?(): void;
  /** Whether the list shows (a search box hides it while empty or not focused). */
  open: boolean;
  inputRef?: RefObject<HTMLInputElement | null>;
  onFocus?(): void;
  onBlur?(): void;
  /** Said in the list's place when nothing matches. */
  empty?: string;
  autoFocus?: boolean;
}

export function Picker<T>(p: Props<T>) {
  const [active, setActive] = useState(0);
  useEffect(() => setActive(0), [p.query, p.items.length]);
  const listId = `${p.id}-list`;
  const optionId = (i: number) => `${p.id}-option-${i}`;
  const shown = p.open && (p.items.length > 0 || !!p.empty);
  const onKeyDown = (e: KeyboardEvent) => {
    const n = p.items.length;
    if (e.key === "ArrowDown" && n) setActive((i) => (i + 1) % n);
    else if (e.key === "ArrowUp" && n) setActive((i) => (i - 1 + n) % n);
    else if (e.key === "Enter" && n) p.onPick(p.items[Math.min(active, n - 1)]!);
    else if (e.key === "Escape" && p.onEscape) p.onEscape();
    else return;
    e.preventDefault();
    e.stopPropagation();
  };
  useEffect(() => {
    if (shown) document.getElementById(optionId(active))?.scrollIntoView({ block: "nearest" });
  });
  return (
    <div className="picker">
      <input
        id={p.id}
        ref={p.inputRef}
        type="text"
        role="combobox"
        aria-label={p.label}
        aria-expanded={shown}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={shown && p.items.length ? optionId(Math.min(active, p.items.length - 1)) : undefined}
        autoComplete="off"
        spellCheck={false}
        placeholder={p.placeholder}
        value={p.query}
        autoFocus={p.autoFocus}
        onChange={(e) => p.onQuery(e.target.value)}
        onKeyDown={onKeyDown}
        onFocus={p.onFocus}
        onBlur={p.onBlur}
        data-testid={p.id}
      />
      <ul id={listId} role="listbox" aria-label={p.label} className="picker-list" hidden={!shown} data-testid={`${p.id}-list`}>
        {p.items.map((item, i) => (
          <li
            key={p.itemKey(item)}
            id={optionId(i)}
            role="option"
            aria-selected={i === Math.min(active, p.items.length - 1)}
            className={i === Math.min(active, p.items.length - 1) ? "active" : ""}
            // Keep the keyboard in the text box: a click picks without blurring it first.
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => p.onPick(item)}
            onMouseEnter={() => setActive(i)}
          >
            {p.render(item)}
          </li>
        ))}
        {p.items.length === 0 && p.empty && (
          <li role="option" aria-selected={false} aria-disabled className="picker-empty">
            {p.empty}
          </li>
        )}
      </ul>
    </div>
  );
}
