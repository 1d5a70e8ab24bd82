// Hostile strings from the .mlp file (test/fixtures/aws/hostile.mlp) land as data: in
// index.ts as string literals (the program parses, and holds no statement that was not
// generated), in the stack config as YAML strings, in the state machines as JSON strings that
// the program's placeholder filling leaves alone, and in the notebook's JSON config.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { parse as parseYaml } from "yaml";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { fakeProject, fileOf, irOf, named, projectOf, removeWorkspace, ROOT, runProgram, stackConfig, workspace, writeProject, type Run } from "./harness";

const PATH = "test/fixtures/aws/hostile.mlp";
const files = projectOf(PATH);
const index = fileOf(files, "index.ts")!;
const source = readFileSync(join(ROOT, PATH), "utf8");

/** The string literals of the .mlp file, decoded. */
const mlpStrings = [...source.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\(.)/g, (_x, c: string) => (c === "n" ? "\n" : c === "t" ? "\t" : c)));
const hostile = (s: string) => /['"`$\n\u2028]|\*\//.test(s);

describe("index.ts", () => {
  const file = ts.createSourceFile("index.ts", index, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);

  test("parses, and every top-level statement is one the generator writes", () => {
    expect((file as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics).toEqual([]);
    for (const st of file.statements) {
      const ok = ts.isImportDeclaration(st) || ts.isVariableStatement(st) || ts.isIfStatement(st) || ts.isFunctionDeclaration(st);
      expect(ok, index.slice(st.pos, st.end)).toBe(true);
    }
  });

  test("hostile paths arrive as string literals, byte for byte", () => {
    const literals = new Set<string>();
    const visit = (n: ts.Node) => {
      if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) literals.add(n.text);
      ts.forEachChild(n, visit);
    };
    visit(file);
    expect(literals).toContain(`models/it's "x"/$(id)`);
    expect(literals).toContain(`notebooks/it's $(x) "q" \${y}.ipynb`);
    // Only printable ASCII in the program: no raw line separator, no raw control character.
    expect(index).toMatch(/^[\x20-\x7e\n]*$/);
  });

  test("comments that quote hostile text stay on their line", () => {
    const topic = mlpStrings.find((s) => s.startsWith("it's `ticked`"))!;
    const line = index.split("\n").find((l) => l.includes("Producers publish"))!;
    expect(line.trimStart().startsWith("//")).toBe(true);
    expect(line).toContain(JSON.stringify(topic));
  });
});

describe("stack config and project files", () => {
  test("tags and the description are YAML strings with the exact text", () => {
    const config = stackConfig(files, "default") as { "aws:defaultTags": { tags: Record<string, string> } };
    expect(config["aws:defaultTags"].tags.team).toBe("it's \"q\" `x` ${y} */ \n");
    expect(config["aws:defaultTags"].tags.owner).toBe("\u2028");
    const project = parseYaml(fileOf(files, "Pulumi.yaml")!) as { description: string };
    expect(project.description).toBe("it's \"quoted\" `ticked` ${HOME} $(id) */ /* \u2028 end\nnext line");
  });

  test("the notebook's parameters are JSON data", () => {
    const config = JSON.parse(fileOf(files, "assets/notebooks/report.json")!);
    expect(config.parameters).toEqual({ note: "${ArtifactBucket} $${z} `x` \"q\" */ \u2028", list: ["'", '"', "\n"] });
    expect(config.notebook).toBe(`it's $(x) "q" \${y}.ipynb`);
    expect(config.inputs.scores).toEqual({ uri: "s3://out-bucket/it's $(x); ${ArtifactBucket}\n-- */" });
  });

  test("topics never reach the Flink SQL: streams are named by step, filled in at run time", () => {
    const sql = fileOf(files, "assets/flink/live_feats.sql")!;
    expect(sql).not.toContain("ticked");
    expect(sql).toContain("'stream.arn' = '{{stream.events}}'");
  });
});

describe("under mocks", () => {
  const dir = workspace("hostile");
  let run: Run;
  beforeAll(async () => {
    writeProject(dir, files);
    fakeProject(join(dir, "project"), irOf(PATH));
    run = await runProgram(dir, "hostile_aws", "default", {
      ...stackConfig(files, "default"),
      projectDir: join(dir, "project"),
      apiModelPackage: "arn:aws:sagemaker:eu-central-1:123456789012:model-package/hostile-model-default/1",
      liveModelPackage: "arn:aws:sagemaker:eu-central-1:123456789012:model-package/hostile-model-default/1",
    });
  }, 120_000);
  afterAll(() => removeWorkspace(dir));

  test("the state machines carry hostile data verbatim: no placeholder is filled from data", () => {
    const training = JSON.parse(named(run, "hostile-aws-training").inputs.definition);
    const tune = training.States["Tune t"].Parameters;
    expect(tune.TrainingJobDefinition.StaticHyperParameters).toMatchObject({
      b: JSON.stringify("$${SageMakerRoleArn}"),
      c: JSON.stringify('"}, "Resource": "*", "x": {"'),
      d: JSON.stringify("`${1+1}` */ \u2028"),
      e: "1",
    });
    expect(tune.HyperParameterTuningJobConfig.ParameterRanges.CategoricalParameterRanges[0].Values).toEqual([JSON.stringify("${Partition}"), JSON.stringify(`it's "q"`), JSON.stringify("x\ny")]);
    // The same program filled the real placeholders.
    expect(tune.TrainingJobDefinition.RoleArn).toBe(named(run, "hostile-aws-sagemaker").state.arn);
    const scoring = JSON.parse(named(run, "hostile-aws-scores-scoring").inputs.definition);
    expect(scoring.States["Score scores"].Parameters.TransformOutput.S3OutputPath).toBe("s3://out-bucket/it's $(x); ${ArtifactBucket}\n-- */");
  });

  test("hostile topics key the stack output, as data", () => {
    expect(Object.keys(run.outputs.streams as object).sort()).toEqual(["it's `ticked` $(touch /tmp/pwned) ${HOME} */ -- x", "scores 'quoted' `tick` $(x) ${y} */"].sort());
  });

  test("the program uploaded the hostile entry folder's files under the step's prefix", async () => {
    const keys = run.resources.filter((r) => r.type === "aws:s3/bucketObject:BucketObject").map((r) => r.inputs.key as string);
    expect(keys).toContain("code/m/train.py");
    expect(keys).toContain(`code/report/it's $(x) "q" \${y}.ipynb`);
  });

  test("hostile strings in the .mlp file are all covered by these checks", () => {
    expect(mlpStrings.filter(hostile).length).toBeGreaterThanOrEqual(10);
  });
});
