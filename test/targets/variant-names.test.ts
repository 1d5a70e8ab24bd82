// Issue 11, Slurm: "Variants collide: `gdansk` and the default share warehouse, model directory
// and `latest` links. Every path is per pipeline and variant." The names a deployment shares
// with everything else on the platform count too: Kafka topics mlp publishes, consumer groups,
// Flink job names (and so their checkpoint folders), Kafka Connect sinks, Slurm job names.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lower } from "../../compiler/lower";
import type { GeneratedFile } from "../../compiler/target-api";
import { checkProgram } from "../../language/checker/program";
import { emitSlurm } from "../../targets/slurm/index";
import { emit, loader, ROOT } from "./helpers";
import { compilation } from "../../compiler/compile";

const SAMPLES = join(ROOT, "samples");
const samples = readdirSync(SAMPLES, { withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith(".mlp")).map((e) => e.name);

/** The platform-wide names in a deployment's files, each with what kind of name it is. */
function sharedNames(files: GeneratedFile[], written: Set<string>): string[] {
  const out: string[] = [];
  const grab = (kind: string, re: RegExp, text: string) => {
    for (const m of text.matchAll(re)) if (!written.has(m[1]!)) out.push(`${kind} ${m[1]}`);
  };
  for (const f of files) {
    grab("topic", /'topic' = '([^']+)'/g, f.contents);
    grab("group", /'properties\.group\.id' = '([^']+)'/g, f.contents);
    grab("flink job", /SET 'pipeline\.name' = '([^']+)'/g, f.contents);
    grab("checkpoints", /SET 'state\.checkpoints\.dir' = '([^']+)'/g, f.contents);
    grab("connector", /"name": "([^"]+)"/g, f.path.endsWith(".json") && f.path.includes("connect") ? f.contents : "");
    grab("slurm job", /--job-name=(\S+)/g, f.contents);
  }
  return out;
}

describe("slurm: variants collide: every name a deployment shares with the platform is per pipeline and variant", () => {
  const withVariants = samples.filter((f) => lower(checkProgram(join("samples", f), loader)).variants?.length);
  it("finds samples with variants and streams", () => expect(withVariants.length).toBeGreaterThan(1));
  for (const f of samples) {
    it(`${f}: the default and each variant share no topic mlp names, consumer group, Flink job, checkpoint folder, Connect sink or Slurm job`, () => {
      const program = checkProgram(join("samples", f), loader);
      const variants = lower(program).variants ?? [];
      // Topics written in the file (a source's or a deployment's own) are the user's to share.
      const names = (variant: string | null) => {
        const ir = lower(program, variant ?? undefined);
        const written = new Set(ir.nodes.flatMap((n) => ("topic" in n.config && typeof n.config.topic === "string" ? [n.config.topic] : [])));
        const files = [...emit("flink", ir), ...emit("cassandra", ir), ...emitSlurm(compilation(program, variant ?? undefined))];
        return new Set(sharedNames(files, written));
      };
      const base = names(null);
      for (const v of variants.map((x) => x.name)) {
        const mine = names(v);
        expect([...mine].filter((n) => base.has(n)), `${f} ${v}`).toEqual([]);
        // And they are named after the variant, as its Slurm jobs are.
        for (const n of mine) if (!n.startsWith("checkpoints")) expect(n, `${f} ${v}`).toContain(`-${v}`);
      }
    });
  }
});
