// `mlp explain CODE`: a diagnostic's long explanation with its example, taken from the
// language reference (language/REFERENCE.md), the same text people read on the web.
import REFERENCE from "../../language/REFERENCE.md?raw";
import { CATALOG } from "../../language/diagnostics/catalog";
import { didYouMean } from "../../language/diagnostics/diagnostic";

/** The reference's section on `code`, as terminal text; undefined for a code that does not exist. */
export function explanation(code: string): string | undefined {
  const wanted = code.toUpperCase().replace(/^(\d{4})$/, "MLP$1");
  if (!Object.hasOwn(CATALOG, wanted)) return undefined;
  const start = REFERENCE.indexOf(`\n### ${wanted} `);
  if (start < 0) return undefined;
  const rest = REFERENCE.slice(start + 1);
  const end = rest.search(/\n#{2,3} /);
  const section = (end < 0 ? rest : rest.slice(0, end)).trim();
  return `${section
    .replace(/^### (MLP\d{4}) (.*)$/m, (_, c: string, title: string) => `${c}: ${title}`)
    // Links read as their text in a terminal.
    .replace(/\[([^\]]+)\]\([^)]+\)/g, "$1")
    // The example, indented as a terminal shows code.
    .replace(/^```mlp\n([\s\S]*?)^```$/gm, (_, body: string) => body.replace(/^(?=.)/gm, "    "))
    .replace(/\n{3,}/g, "\n\n")}\n`;
}

export function unknownCode(code: string): string {
  const hint = didYouMean(code.toUpperCase(), Object.keys(CATALOG));
  return `no diagnostic ${code}${hint ? `; ${hint}` : ""} (codes look like MLP0101; mlp check prints them)`;
}
