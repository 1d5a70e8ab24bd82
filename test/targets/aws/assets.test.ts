// The files beside the program: Python that parses and splits the generated SQL the way the
// engines need it, the Flink packager producing byte-identical zips, and package.json pinning
// the versions this repository type-checks the programs against.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { unzipSync, zipSync } from "fflate";
import { afterAll, describe, expect, test } from "vitest";
import { VERSIONS } from "../../../targets/aws/index";
import { SHIPPED } from "../../../targets/aws/scripts";
import { awsCases, fileOf, projectOf, removeWorkspace, ROOT, workspace, writeProject } from "./harness";

const all = awsCases().flatMap((c) => projectOf(c.path).map((f) => ({ ...f, id: `${c.id}/${f.path}` })));
const dir = workspace("assets");
afterAll(() => removeWorkspace(dir));

const python = (script: string, input: unknown): unknown =>
  JSON.parse(execFileSync("python3", ["-c", script], { input: JSON.stringify(input), encoding: "utf8", maxBuffer: 64 << 20 }));

describe("Python", () => {
  test("every script the target ships compiles with CPython (py_compile), and the packager with node --check", () => {
    const names = Object.keys(SHIPPED);
    expect(names.filter((n) => n.endsWith(".py")).length).toBeGreaterThanOrEqual(7);
    const src = join(dir, "shipped");
    mkdirSync(src, { recursive: true });
    for (const [name, text] of Object.entries(SHIPPED)) {
      writeFileSync(join(src, name), text);
      // Byte for byte what the repository holds: nothing is lost on the way through ?raw.
      expect(text, name).toBe(readFileSync(join(ROOT, "targets/aws/scripts", name), "utf8"));
    }
    const py = names.filter((n) => n.endsWith(".py")).map((n) => join(src, n));
    // Compiled to a throwaway folder: the repository gets no __pycache__.
    execFileSync("/usr/bin/python3", ["-c", "import py_compile, sys\nfor f in sys.argv[1:]:\n    py_compile.compile(f, cfile=f + 'c', doraise=True)", ...py], { encoding: "utf8" });
    for (const n of names.filter((x) => x.endsWith(".mjs"))) execFileSync(process.execPath, ["--check", join(src, n)]);
  }, 60_000);

  test("every script parses", () => {
    const scripts = new Map(all.filter((f) => f.path.endsWith(".py")).map((f) => [f.contents, f.id]));
    expect(scripts.size).toBeGreaterThanOrEqual(7);
    const failed = python(
      "import ast, json, sys\nbad = []\nfor text, name in json.load(sys.stdin):\n    try:\n        ast.parse(text, name)\n    except SyntaxError as e:\n        bad.append('%s: %s' % (name, e))\nprint(json.dumps(bad))",
      [...scripts],
    );
    expect(failed).toEqual([]);
  }, 60_000);

  /** Runs one function of a generated script (its other imports need AWS libraries). */
  const fn = (name: string, imports: string) =>
    `import ast, json, sys\n${imports}\nsrc = json.load(sys.stdin)\nmod = ast.parse(src['script'])\nbody = [n for n in mod.body if isinstance(n, (ast.FunctionDef, ast.Assign)) and (getattr(n, 'name', None) == '${name}' or isinstance(n, ast.Assign))]\nns = {'re': __import__('re')}\nexec(compile(ast.Module(body=body, type_ignores=[]), 'x', 'exec'), ns)\nprint(json.dumps([ns['${name}'](t) for t in src['texts']]))`;

  test("the Glue runner splits every Spark SQL file into its statements", () => {
    const runner = all.find((f) => f.path === "assets/glue/run_sql.py")!.contents;
    const sql = all.filter((f) => /assets\/(stacks\/[^/]+\/)?glue\/.*\.sql$/.test(f.path));
    const split = python(fn("statements", ""), { script: runner, texts: sql.map((f) => f.contents) }) as string[][];
    split.forEach((statements, i) => {
      expect(statements.length, sql[i]!.id).toBeGreaterThanOrEqual(4);
      for (const s of statements) expect(s, sql[i]!.id).toMatch(/^(SET|CREATE OR REPLACE TEMPORARY VIEW|INSERT OVERWRITE DIRECTORY|SELECT RAISE_ERROR\() ?/);
      expect(statements.filter((s) => s.startsWith("INSERT")).length, sql[i]!.id).toBeGreaterThanOrEqual(1);
    });
  }, 60_000);

  test("the Flink runner splits every job into statements and one statement set, and fills its placeholders", () => {
    const runner = all.find((f) => f.path === "assets/flink/run_sql.py")!.contents;
    const sql = all.filter((f) => /assets\/(stacks\/[^/]+\/)?flink\/.*\.sql$/.test(f.path));
    expect(sql.length).toBeGreaterThanOrEqual(4);
    const split = python(fn("statements", ""), { script: runner, texts: sql.map((f) => f.contents) }) as [string, string | string[]][][];
    split.forEach((statements, i) => {
      const last = statements[statements.length - 1]!;
      expect(last[0], sql[i]!.id).toBe("set");
      expect((last[1] as string[])[0], sql[i]!.id).toMatch(/^INSERT INTO `/);
      for (const [kind, s] of statements.slice(0, -1)) {
        expect(kind).toBe("sql");
        expect(s).toMatch(/^(SET '|CREATE TEMPORARY (TABLE|VIEW) )/);
      }
    });
    const filled = python(
      "import json, re, sys\nsrc = json.load(sys.stdin)\nP = re.compile(r\"'\\{\\{([A-Za-z0-9_.]+)\\}\\}'\")\nprint(json.dumps([P.sub(lambda m: \"'\" + ('arn:' + m.group(1)).replace(\"'\", \"''\") + \"'\", t) for t in src]))",
      sql.map((f) => f.contents),
    ) as string[];
    for (const f of filled) expect(f).not.toMatch(/'\{\{/);
  }, 60_000);
});

describe("the Flink packager", () => {
  test("aws: Managed Flink reading avro needs the Avro format in its bundle: runner, job.sql and the connector merged with the format, byte-identical from one run to the next", () => {
    const files = projectOf("samples/ad_click_through.mlp");
    const project = join(dir, "ad");
    writeProject(project, files);
    type Jar = { artifact: string; version: string };
    const manifest = JSON.parse(fileOf(files, "assets/flink/jobs.json")!) as { jobs: { sql: string; zip: string; jarfile: string; jars: Jar[] }[] };
    mkdirSync(join(project, "assets/flink/build"), { recursive: true });
    // Cached jars: the packager downloads one only when it is missing. Each registers its own
    // factory in the service file Flink discovers formats by, and is signed.
    const factory = (j: Jar) => `org.example.${j.artifact.replace(/-/g, "_")}.Factory`;
    const jars = new Map(manifest.jobs.flatMap((j) => j.jars).map((j) => [`${j.artifact}-${j.version}.jar`, j]));
    for (const [file, j] of jars) {
      const text = (s: string) => new TextEncoder().encode(s);
      writeFileSync(
        join(project, "assets/flink/build", file),
        zipSync({
          "META-INF/MANIFEST.MF": text(`Manifest-Version: 1.0\nImplementation-Title: ${j.artifact}\n`),
          "META-INF/services/org.apache.flink.table.factories.Factory": text(`${factory(j)}\n`),
          "META-INF/SIGNER.SF": text("signature"),
          [`org/example/${j.artifact.replace(/-/g, "_")}/Factory.class`]: text(j.artifact),
        }),
      );
    }
    execFileSync(process.execPath, ["--check", join(project, "assets/flink/package.mjs")]);
    const pack = () => {
      execFileSync(process.execPath, [join(project, "assets/flink/package.mjs")], { cwd: project, encoding: "utf8", env: { ...process.env, NODE_PATH: join(ROOT, "node_modules") } });
      return manifest.jobs.map((j) => readFileSync(join(project, j.zip)));
    };
    const first = pack();
    const second = pack();
    expect(second).toEqual(first);
    manifest.jobs.forEach((job, i) => {
      const entries = unzipSync(first[i]!);
      expect(Object.keys(entries).sort()).toEqual(["job.sql", job.jarfile, "run_sql.py"]);
      expect(new TextDecoder().decode(entries["job.sql"])).toBe(fileOf(files, job.sql));
      // The sample's stream is Avro: the connector and the format, merged into the one jar Managed Flink loads.
      expect(job.jars.map((j) => j.artifact)).toEqual(["flink-sql-connector-kinesis", "flink-sql-avro"]);
      const lib = unzipSync(entries[job.jarfile]!);
      expect(new TextDecoder().decode(lib["META-INF/services/org.apache.flink.table.factories.Factory"])).toBe(job.jars.map((j) => factory(j) + "\n").join(""));
      for (const j of job.jars) expect(lib[`org/example/${j.artifact.replace(/-/g, "_")}/Factory.class`], j.artifact).toBeDefined();
      expect(new TextDecoder().decode(lib["META-INF/MANIFEST.MF"])).toContain("flink-sql-connector-kinesis");
      expect(Object.keys(lib).filter((p) => p.endsWith(".SF"))).toEqual([]);
    });
  }, 60_000);
});

describe("package.json", () => {
  test("pins the @pulumi versions this repository type-checks the programs against", () => {
    const installed = (name: string) => (JSON.parse(readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
    for (const name of ["@pulumi/pulumi", "@pulumi/aws", "fflate", "typescript", "@types/node"] as const) expect(VERSIONS[name], name).toBe(installed(name));
    const pkg = JSON.parse(fileOf(projectOf("samples/ad_click_through.mlp"), "package.json")!);
    expect(pkg.dependencies).toEqual({ "@pulumi/aws": VERSIONS["@pulumi/aws"], "@pulumi/pulumi": VERSIONS["@pulumi/pulumi"] });
    expect(pkg.scripts).toEqual({ "package-flink": "node assets/flink/package.mjs" });
    const repo = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { devDependencies: Record<string, string> };
    for (const name of ["@pulumi/pulumi", "@pulumi/aws", "@pulumi/policy", "asl-validator", "yaml"]) expect(repo.devDependencies[name], name).toBeDefined();
  });
});
