// A snippet per step kind, from the catalog: the kind, a name, its inputs and its required
// settings as placeholders (enum settings offer their values).
import { STEP_KINDS } from "../../../language/catalog";
import { settingsFor } from "../../../language/service/settings";

export function snippets(): Record<string, { prefix: string; body: string[]; description: string }> {
  const out: Record<string, { prefix: string; body: string[]; description: string }> = {};
  for (const k of STEP_KINDS) {
    let n = 1;
    const inputs = k.inputs.filter((i) => !i.optional).map((i) => `\${${++n}:${i.name}}`);
    const lines = [`${k.kind} \${1:name}${inputs.length ? `(${inputs.join(", ")})` : ""}${k.kind === "source" ? `: Table<\${${++n}:Schema}>` : ""} {`];
    for (const [name, s] of settingsFor("step", k.kind)) {
      if (!s.required) continue;
      const value = s.values?.length ? `\${${++n}|${s.values.join(",")}|}` : `\${${++n}}`;
      lines.push(`  ${name} = ${value}`);
    }
    lines.push("  $0", "}");
    out[k.kind] = { prefix: k.kind, body: lines, description: k.doc };
  }
  return out;
}
