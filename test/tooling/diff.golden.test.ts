// `mlp diff` golden files: pairs of pipelines (a sample and the same sample with edits made
// here) and what the diff says of them, as people read it (test/fixtures/diff/<case>.txt) and
// as a pull request shows it (<case>.md). MLP_UPDATE=1 rewrites the expected files.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { lower } from "../../compiler/lower";
import { diffPipelines, renderHuman, renderMarkdown } from "../../compiler/tooling/diff";
import { checkProgram } from "../../language/checker/program";
import { mlp } from "../run-helpers";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const FIXTURES = join(ROOT, "test/fixtures/diff");
const UPDATE = process.env.MLP_UPDATE === "1";
const disk = { read: (p: string) => (existsSync(p) ? readFileSync(p, "utf8") : undefined) };

interface Case {
  name: string;
  sample: string;
  edits: [string | RegExp, string][];
  variant?: string;
}

const CASES: Case[] = [
  {
    // A step renamed (and its reader following), a hyperparameter and a gate tightened, on premise.
    name: "rename-and-gate",
    sample: "machine_failure.mlp",
    edits: [[/machine_rows/g, "machine_rows2"], ["max_depth: 12", "max_depth: 10"], ["require recall >= 0.7", "require recall >= 0.75"]],
  },
  {
    // An operation edited, and a column read in another step's expression becoming nullable: the
    // operations are shown as written, and that step's unchanged text is not reported as changed.
    name: "operations",
    sample: "machine_failure.mlp",
    edits: [["value > -50.0", "value > -40.0"], ["  sensor:     enum(temperature, vibration, pressure)\n", "  sensor:     enum(temperature, vibration, pressure)?\n"]],
  },
  {
    // A source column becomes nullable: every step it flows through says so, and what each target deploys for them.
    name: "column-type",
    sample: "ticket_triage.mlp",
    edits: [["  channel:        enum(email, chat, phone, web)\n", "  channel:        enum(email, chat, phone, web)?\n"]],
  },
  {
    // A target setting: the AWS stack moves region.
    name: "target-setting",
    sample: "demand_forecast.mlp",
    edits: [['region          = "eu-west-1"', 'region          = "eu-central-1"']],
  },
  {
    // A change only one variant makes, seen through that variant.
    name: "variant",
    sample: "demand_forecast.mlp",
    edits: [["demand_model.hyperparams.rounds = 600", "demand_model.hyperparams.rounds = 800"]],
    variant: "eu",
  },
];

const tmp = mkdtempSync(join(tmpdir(), "mlp-diff-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function edited(c: Case): string {
  let text = readFileSync(join(ROOT, "samples", c.sample), "utf8");
  for (const [from, to] of c.edits) {
    const next = typeof from === "string" ? text.replace(from, to) : text.replace(from, to);
    if (next === text) throw new Error(`${c.name}: edit ${String(from)} changes nothing`);
    text = next;
  }
  return text;
}

function golden(path: string, actual: string): void {
  if (UPDATE) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  expect(existsSync(path), `${path} missing: run with MLP_UPDATE=1`).toBe(true);
  expect(actual).toBe(readFileSync(path, "utf8"));
}

describe("mlp diff golden files", () => {
  for (const c of CASES) {
    it(c.name, () => {
      // Both sides in a copy of the samples folder (other suites list samples/ while this runs),
      // side by side so their imports resolve alike.
      const dir = join(tmp, c.name);
      cpSync(join(ROOT, "samples"), dir, { recursive: true, filter: (src) => !src.includes(`${join(ROOT, "samples")}/.mlp`) && !src.includes("/data/") });
      const newPath = join(dir, `new-${c.sample}`);
      writeFileSync(newPath, edited(c));
      try {
        const before = lower(checkProgram(join(dir, c.sample), disk), c.variant);
        const afterProgram = checkProgram(newPath, disk);
        expect(afterProgram.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
        const d = diffPipelines(before, lower(afterProgram, c.variant));
        golden(join(FIXTURES, `${c.name}.txt`), renderHuman(d));
        golden(join(FIXTURES, `${c.name}.md`), renderMarkdown(d, `mlp diff: ${c.sample}`));
      } finally {
        rmSync(newPath, { force: true });
      }
    });
  }
});

describe("mlp diff, the command", { timeout: 120_000 }, () => {
  it("compares a file with itself at a git revision, and says when nothing changed", async () => {
    const same = await mlp(["diff", "git:HEAD:samples/ticket_triage.mlp", "samples/ticket_triage.mlp"], ROOT);
    expect([same.status, same.stdout]).toEqual([0, "no changes\n"]);
    const json = await mlp(["diff", "samples/ticket_triage.mlp", "samples/ticket_triage.mlp", "--format", "json"], ROOT);
    expect(JSON.parse(json.stdout)).toMatchObject({ added: [], removed: [], changed: [], targets: [] });
  });

  it("refuses what it cannot compare", async () => {
    const bad = join(tmp, "bad.mlp");
    writeFileSync(bad, "source s: Table<Nope> { uri = \"s3://x/\"  format = parquet }\n");
    const broken = await mlp(["diff", "samples/ticket_triage.mlp", bad], ROOT);
    expect(broken.status).toBe(1);
    expect(broken.stderr).toMatch(/error\[MLP0204\]/);
    expect((await mlp(["diff", "git:no-such-ref:samples/ticket_triage.mlp", "samples/ticket_triage.mlp"], ROOT)).stderr).toBe("mlp: cannot read samples/ticket_triage.mlp at no-such-ref\n");
    expect((await mlp(["diff", "samples/ticket_triage.mlp"], ROOT)).status).toBe(2);
    expect((await mlp(["diff", "samples/ticket_triage.mlp", "samples/ticket_triage.mlp", "--variant", "nope"], ROOT)).stderr).toMatch(/has no variant nope/);
  });
});
