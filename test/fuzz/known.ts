// Failures the campaign finds today that are already reported, with the reproducer that
// tracks each in ../shared/findings/reliability/. `npm run fuzz -- --allow-known` (and the
// vitest run) count them apart, so only a new kind of failure fails the short run. Remove an
// entry when its finding is fixed: the campaign then holds the fix in place.
export interface Known {
  finding: string;
  oracle: string | RegExp;
  message: RegExp;
}

export const KNOWN: readonly Known[] = [
  { finding: "F01 (two layout blocks)", oracle: /^(print|fmt-meaning)$/, message: /layout/ },
  { finding: "F02 (fmt turns `- -1` into `-1`)", oracle: "fmt-meaning", message: /op\\?":\\?"-/ },
  { finding: "F03 (1e400 is not reloadable)", oracle: "ir-reload", message: /expected number, received null/ },
  { finding: "F04 (lone CR: span lines out of the file)", oracle: "span", message: /./ },
  { finding: "F05/F13/F17 (slow inputs)", oracle: "hang", message: /./ },
  { finding: "F06 (empty import list)", oracle: "throw:check", message: /names is not iterable/ },
  { finding: "F09 (stack overflow)", oracle: /^throw:/, message: /Maximum call stack size exceeded/ },
  // Found by this campaign (issue 14 report), for the language engineer:
  { finding: "NEW-1 (type arguments are not depth-limited: `enum(a + 1 + 1 ...)` lowers to an IR deeper than parseIr reads)", oracle: "ir-reload", message: /nests deeper than/ },
];

export function knownAs(oracle: string, message: string): string | undefined {
  return KNOWN.find((k) => (typeof k.oracle === "string" ? k.oracle === oracle : k.oracle.test(oracle)) && k.message.test(message))?.finding;
}
