// The toolbar's overflow menu: actions used less often (or with a shortcut of their own)
// live here so the toolbar stays on one line at 1600 px and narrower. A menu button in the
// WAI-ARIA pattern: arrow keys move between the items, Escape closes and gives the keyboard
// back to the button, a click elsewhere closes it.
import { useEffect, useRef, useState, type KeyboardEvent } from "react";

export interface MenuAction {
  label: string;
  onSelect: () => void;
  testid: string;
  title?: string;
  /** Shown beside the label, e.g. "Ctrl+G"; announced as aria-keyshortcuts, not as part of the name. */
  keys?: string;
  shortcut?: string;
}

export function MoreMenu({ actions, label = "More actions" }: { actions: MenuAction[]; label?: string }) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const items = () => [...(root.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]') ?? [])];

  useEffect(() => {
    if (!open) return;
    items()[0]?.focus();
    const away = (e: PointerEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("pointerdown", away);
    return () => document.removeEventListener("pointerdown", away);
  }, [open]);

  const close = () => {
    setOpen(false);
    button.current?.focus();
  };
  const onKey = (e: KeyboardEvent) => {
    const list = items();
    const at = list.indexOf(document.activeElement as HTMLButtonElement);
    const go = (i: number) => list[(i + list.length) % list.length]?.focus();
    if (e.key === "Escape") close();
    else if (e.key === "ArrowDown") go(at + 1);
    else if (e.key === "ArrowUp") go(at - 1);
    else if (e.key === "Home") go(0);
    else if (e.key === "End") go(list.length - 1);
    else if (e.key === "Tab") setOpen(false);
    else return;
    // The window's single-key shortcuts (F, C, /) must not act while the menu has the keyboard.
    if (e.key !== "Tab") e.preventDefault();
    e.stopPropagation();
  };
  return (
    <div className="more-menu" ref={root} onKeyDown={open ? onKey : undefined}>
      <button
        ref={button}
        type="button"
        aria-label={label}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls="more-menu-list"
        title={label}
        onClick={() => setOpen(!open)}
        onKeyDown={(e) => {
          if (!open && e.key === "ArrowDown") {
            e.preventDefault();
            setOpen(true);
          }
        }}
        data-testid="more"
      >
        ⋯
      </button>
      {open && (
        <div className="menu" role="menu" id="more-menu-list" aria-label={label}>
          {actions.map((a) => (
            <button
              key={a.testid}
              type="button"
              role="menuitem"
              tabIndex={-1}
              title={a.title}
              aria-keyshortcuts={a.shortcut}
              onClick={() => {
                close();
                a.onSelect();
              }}
              data-testid={a.testid}
            >
              <span>{a.label}</span>
              {a.keys && <kbd aria-hidden="true">{a.keys}</kbd>}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
