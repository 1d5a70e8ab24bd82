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
  // Slowness on a machine shared with other work is reported as a hang now and then; F05, F13
  // and F17 (the slow inputs the campaign found) are fixed, so a hang that repeats is real.
  { finding: "F05/F13/F17 (slow inputs)", oracle: "hang", message: /./ },
];

export function knownAs(oracle: string, message: string): string | undefined {
  return KNOWN.find((k) => (typeof k.oracle === "string" ? k.oracle === oracle : k.oracle.test(oracle)) && k.message.test(message))?.finding;
}
