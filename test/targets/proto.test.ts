// F14: a key named `__proto__` (or any Object.prototype name) from the .mlp file is a key like
// any other in every generated file. The IRs are built with Object.defineProperty, as a
// decode that keeps the key gives them, so the targets are tested whatever the checker does.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { lower } from "../../compiler/lower";
import type { IrDocument } from "../../compiler/ir";
import type { GeneratedFile } from "../../compiler/target-api";
import { checkProgram } from "../../language/checker/program";
import { emitAws } from "../../targets/aws/index";
import { emitSlurm } from "../../targets/slurm/index";
import { loader, ROOT } from "./helpers";

const own = (o: object, k: string, v: unknown) => Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });

function irOf(path: string, text?: string): IrDocument {
  const p = checkProgram(path, loader, text);
  expect(p.diagnostics.filter((d) => d.severity === "error").map((d) => d.message)).toEqual([]);
  return lower(p);
}

/** F14b's IR with `__proto__` as a hyperparameter and a tag, and the notebook sample's with a `__proto__` parameter. */
function protoIrs(): { pipeline: IrDocument; notebook: IrDocument } {
  const pipeline = structuredClone(irOf("../shared/findings/reliability/F14b-__proto__-tag-silently-dropped.mlp"));
  const train = pipeline.nodes.find((n) => n.kind === "train")!;
  own((train.config as { hyperparams: object }).hyperparams, "__proto__", "proto-hp");
  own(pipeline.settings.aws.tags, "__proto__", "proto-tag");
  // Its data moved from HDFS to S3, so AWS can compile it too (MLP0505).
  const notebook = structuredClone(irOf("samples/machine_failure.mlp", readFileSync(join(ROOT, "samples/machine_failure.mlp"), "utf8").replaceAll('"hdfs://', '"s3://')));
  const nb = notebook.nodes.find((n) => n.kind === "notebook")!;
  own((nb.config as { parameters: object }).parameters, "__proto__", "proto-param");
  own((notebook.nodes.find((n) => n.kind === "train")!.config as { hyperparams: object }).hyperparams, "__proto__", "proto-hp");
  return { pipeline, notebook };
}

const file = (files: GeneratedFile[], pred: (p: string) => boolean) => files.filter((f) => pred(f.path));

describe("F14: __proto__ keys survive every target", () => {
  const { pipeline, notebook } = protoIrs();

  test("the test's IRs hold the keys as own properties", () => {
    const train = pipeline.nodes.find((n) => n.kind === "train")!;
    expect(Object.keys((train.config as { hyperparams: object }).hyperparams)).toContain("__proto__");
    expect(Object.keys(pipeline.settings.aws.tags)).toContain("__proto__");
  });

  test("aws: tags in the stack YAML, hyperparameters in the state machines, parameters in the notebook config", () => {
    const files = emitAws({ ir: pipeline, variants: [] });
    const yaml = files.find((f) => f.path === "Pulumi.default.yaml")!.contents;
    expect(yaml).toMatch(/"?__proto__"?: "?proto-tag"?/);
    const machines = file(files, (p) => p.endsWith(".asl.json")).map((f) => JSON.parse(f.contents) as unknown);
    const hps: Record<string, unknown>[] = [];
    const walk = (x: unknown) => {
      if (Array.isArray(x)) x.forEach(walk);
      else if (x && typeof x === "object") {
        for (const [k, v] of Object.entries(x)) {
          if (k === "HyperParameters" || k === "StaticHyperParameters") hps.push(v as Record<string, unknown>);
          walk(v);
        }
      }
    };
    machines.forEach(walk);
    expect(hps.length).toBeGreaterThan(0);
    for (const hp of hps) expect(Object.prototype.hasOwnProperty.call(hp, "__proto__") ? hp["__proto__"] : undefined).toBe('"proto-hp"');
    const nbFiles = emitAws({ ir: notebook, variants: [] });
    const cfg = JSON.parse(nbFiles.find((f) => f.path.startsWith("assets/notebooks/") && f.path.endsWith(".json"))!.contents) as { parameters: object };
    expect(Object.keys(cfg.parameters)).toContain("__proto__");
  });

  test("slurm: SM_HPS, the arguments and the notebook's parameters.json", () => {
    // A tuned train: the trial script's configuration (JSON inside Python).
    const tune = emitSlurm({ ir: pipeline, variants: [] }).find((f) => f.path.startsWith("tune_"))!.contents;
    expect(tune).toContain('\\"__proto__\\":\\"proto-hp\\"');
    const files = emitSlurm({ ir: notebook, variants: [] });
    const train = notebook.nodes.find((n) => n.kind === "train")!.id;
    const sbatch = files.find((f) => f.path === `${train}.sbatch`)!.contents;
    expect(sbatch).toMatch(/^export SM_HPS='\{"__proto__":"proto-hp",/m);
    expect(files.find((f) => f.path.startsWith("notebook_"))!.contents).toContain('\\"__proto__\\":\\"proto-param\\"');
  });
});
