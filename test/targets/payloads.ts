// The hostile payloads every target's string slots are tested with (payloads.test.ts puts each
// into every slot of every target; the per-target hostile suites use them for their own checks).
// Each class is something that would end a string, a comment, a statement or a line, run a
// command, or name a key, in one of the languages the targets write.

export interface Payload {
  name: string;
  text: string;
}

/** A command that leaves a marker file if any generated script runs it. */
const run = (tag: string) => `$(touch PWNED-${tag})`;

export const PAYLOADS: readonly Payload[] = [
  { name: "single quote", text: "it's" },
  { name: "double quote", text: 'say "hi"' },
  { name: "backslash quote", text: "a\\'b\\\"c\\" },
  { name: "backtick", text: "`touch PWNED-bt`" },
  { name: "dollar paren", text: run("dollar") },
  { name: "dollar brace", text: "${HOME}${PATH:-x}$$" },
  { name: "semicolon", text: "a; touch PWNED-semi; b" },
  { name: "LF", text: "line1\ntouch PWNED-lf" },
  { name: "CRLF", text: "line1\r\ntouch PWNED-crlf" },
  { name: "lone CR", text: "line1\rtouch PWNED-cr" },
  { name: "control chars", text: "a\u0001\u0007\u001b[31m\u007fb" },
  { name: "line separators", text: "a\u2028b\u2029c" },
  { name: "__proto__", text: "__proto__" },
  { name: "very long", text: "x".repeat(5000) + "'\"`;" },
  { name: "placeholder", text: "{{Placeholder}} ${ArtifactBucket} $${x} @MLP_SLURM_DIR@ %(name)s {0}" },
  { name: "github output", text: "::error file=x::PWNED %0A%25 ::set-output name=x::y" },
  { name: "comments", text: "*/ /* -- # <!-- // x" },
];

/** Every payload at once: the worst single string. */
export const ALL_IN_ONE = PAYLOADS.map((p) => p.text.slice(0, 64)).join(" ");
