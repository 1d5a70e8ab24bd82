// One generated form control. Text and numbers commit on Enter or when focus leaves;
// selects and checkboxes at once. Input the control can already tell is wrong (a bad
// duration, a number out of bounds) is refused here; the checker judges the rest.
import { useEffect, useState } from "react";
import type { IrExpr } from "../../../compiler/ir";
import { comparisonExample, displayValue, toExpr, type Field } from "../model/form";

interface Props {
  field: Field;
  value: IrExpr | undefined;
  /** Checker messages about this setting. */
  problems: string[];
  disabled?: boolean;
  onCommit(path: string[], value: IrExpr | undefined): void;
}

function placeholder(f: Field): string {
  if (f.default !== undefined) return `${String(f.default)} (default)`;
  switch (f.format) {
    case "duration": return "e.g. 30s, 10m, 7d";
    case "size": return "e.g. 512MiB, 64GiB";
    case "cron": return "e.g. 0 3 * * *";
    case "name": return "column name";
    case "comparison": return `e.g. ${comparisonExample(f)}`;
  }
  if (f.control === "expr") return "an .mlp value, e.g. { k: 1 }";
  if (f.control === "number") {
    const lo = f.min !== undefined ? `${f.exclusive?.min ? ">" : "≥"} ${f.min}` : "";
    const hi = f.max !== undefined ? `${f.exclusive?.max ? "<" : "≤"} ${f.max}` : "";
    return [lo, hi].filter(Boolean).join(", ") || "number";
  }
  return f.required ? "required" : "";
}

export function FieldControl({ field, value, problems, disabled, onCommit }: Props) {
  const shown = displayValue(field, value);
  const text = typeof shown === "string" ? shown : "";
  const [draft, setDraft] = useState(text);
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    setDraft(text);
    setError(undefined);
  }, [text]);

  const commit = (input: string | boolean) => {
    const r = toExpr(field, input);
    if (!r.ok) {
      setError(r.error);
      return;
    }
    setError(undefined);
    if (typeof input === "string" && input.trim() === text.trim() && value !== undefined) return;
    if (typeof input === "string" && input.trim() === "" && value === undefined) return;
    onCommit(field.path, r.value);
  };

  const id = `field-${field.path.join("-")}`;
  const messages = [...(error ? [error] : []), ...problems];
  let control;
  switch (field.control) {
    case "select":
      control = (
        <select id={id} value={text} disabled={disabled} onChange={(e) => commit(e.target.value)}>
          <option value="">{field.required ? "— choose —" : field.default !== undefined ? `(default: ${String(field.default)})` : "(not set)"}</option>
          {field.options!.map((o) => (
            <option key={o} value={o}>{o}</option>
          ))}
          {text && !field.options!.includes(text) && <option value={text}>{text} (not allowed)</option>}
        </select>
      );
      break;
    case "checkbox":
      control = <input id={id} type="checkbox" checked={shown === true} disabled={disabled} onChange={(e) => commit(e.target.checked)} />;
      break;
    default:
      control = (
        <input
          id={id}
          type="text"
          inputMode={field.control === "number" ? "decimal" : undefined}
          className={field.control === "expr" || field.format === "comparison" ? "mono" : undefined}
          value={draft}
          placeholder={placeholder(field)}
          disabled={disabled}
          spellCheck={false}
          onChange={(e) => setDraft(e.target.value)}
          onBlur={() => commit(draft)}
          onKeyDown={(e) => {
            if (e.key === "Enter") commit(draft);
            if (e.key === "Escape") {
              setDraft(text);
              setError(undefined);
            }
          }}
          aria-invalid={messages.length > 0}
        />
      );
  }
  return (
    <div className={`field${messages.length ? " invalid" : ""}`} data-testid={id}>
      <label htmlFor={id} title={field.doc}>
        {field.label}
        {field.required && <span className="required">*</span>}
      </label>
      {control}
      {field.doc && <div className="field-doc">{field.doc}</div>}
      {messages.map((m) => (
        <div className="field-problem" key={m}>{m}</div>
      ))}
    </div>
  );
}
