// Hostile strings: every string a .mlp file can put into the Slurm files (paths, URIs,
// hyperparameters, notebook parameters, settings, and step ids built from an imported
// file's name) holds quotes, backticks, $(...), semicolons and newlines. The generated
// files must parse, and when run they must hand each string over verbatim and run
// nothing of it: each `$(touch ...)` would leave a marker file behind.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TargetError } from "../../../compiler/target-api";
import { jobFiles } from "../../../targets/slurm/jobs";
import { Plan } from "../../../targets/slurm/plan";
import { settingsProblems } from "../../../targets/slurm/prelude";
import { submitScript } from "../../../targets/slurm/submit";
import { bashSyntaxErrors, calls, emitIr, fakeJobs, fakeSbatch, irOf, project, MODEL_PYTHON, PYTHON, pythonParses, pythonSyntaxErrors, run, standIns, tmp, writeOut } from "./helpers";

/** A .mlp string literal for `s` (the language escapes `"`, `\`, newline and tab). */
const lit = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\t/g, "\\t")}"`;

/** Files named PWNED-... anywhere under `dirs`: each one is a command from the .mlp that ran. */
function markers(...dirs: string[]): string[] {
  const found: string[] = [];
  const walk = (d: string, depth: number) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (e.startsWith("PWNED")) found.push(p);
      if (depth > 0 && e !== "node_modules" && e !== ".git" && statSync(p, { throwIfNoEntry: false })?.isDirectory()) walk(p, depth - 1);
    }
  };
  for (const d of dirs) walk(d, 20);
  return found;
}

describe("slurm target: hostile strings stay data", { timeout: 180_000 }, () => {
  const dir = tmp("hostile");
  // Each piece would run a command, end a quote or start a new statement if it were code;
  // a command that ran leaves a file named PWNED-... in its working folder.
  const evil = (tag: string) => `${tag} it's "q" \`touch PWNED-bt\` $(touch PWNED-dollar); touch PWNED-semi\n$HOME \\ end`;
  const libName = `we'ird $(touch PWNED-lib) \`x\`;\nname`;
  const S = {
    uri: `data/${evil("uri")}`,
    entry: `models/${evil("entry")}.py`,
    hp: evil("hp"),
    choice: evil("choice"),
    output: `out/${evil("output")}`,
    notebook: `notebooks/${evil("nb")}.ipynb`,
    param: evil("param"),
    master: `spark://h:7077' ; touch PWNED-master ; '\`x\`$(y)\n`,
    modelDir: `model dir/${evil("models")}`,
    version: evil("version"),
    libData: `lib-data/${evil("libdata")}`,
  };
  const projectDir = join(dir, "project");
  mkdirSync(join(projectDir, "lib"), { recursive: true });
  writeFileSync(
    join(projectDir, "lib", `${libName}.mlp`),
    `schema Row {\n  id: string\n  x:  float\n  y:  float\n}\n\nsource rows: Table<Row> {\n  uri    = ${lit(S.libData)}\n  format = csv\n}\n\ncleanse lib_rows(rows) {\n  filter x > 0.0\n}\n`,
  );
  const main = join(projectDir, "hostile.mlp");
  writeFileSync(
    main,
    `import { lib_rows } from ${lit(`./lib/${libName}.mlp`)}

pipeline hostile {
  version  = ${lit(S.version)}
  schedule = cron("0 3 * * *")
}

schema Row {
  id: string
  x:  float
  y:  float
}

source rows: Table<Row> {
  uri    = ${lit(S.uri)}
  format = csv
}

train model(rows) {
  framework   = sklearn
  entry       = ${lit(S.entry)}
  label       = y
  hyperparams = { name: ${lit(S.hp)}, n: 3 }
}

tune tuned(model) {
  objective = minimize(rmse)
  strategy  = grid
  trials    = 2
  parallel  = 1
  search {
    name = choice(${lit(S.choice)}, "plain")
  }
}

evaluate gate(tuned, rows) {
  require rmse <= 100.0
}

register reg(gate) {
  name = "hostile"
}

deploy scores(reg, rows) {
  mode     = batch
  schedule = cron("0 4 * * *")
  output   = ${lit(S.output)}
}

notebook nb(gate, rows, lib_rows) {
  path       = ${lit(S.notebook)}
  parameters = { p: ${lit(S.param)}, n: 1 }
}

target onprem {
  spark_master    = ${lit(S.master)}
  slurm_partition = "debug"
  model_dir       = ${lit(S.modelDir)}
}
`,
  );
  const ir = irOf(main);
  const files = emitIr(ir);
  const slurm = writeOut(join(dir, "out"), files, ir);
  project(projectDir, ir, join(dir, "data"));

  it("compiles: the imported step's id carries the file name, while file names stay plain", () => {
    expect(ir.nodes.map((n) => n.id)).toContain(`${libName}__rows`);
    for (const f of files) expect(f.path, f.path).toMatch(/^[A-Za-z0-9_.]+$/);
    expect(files.some((f) => /^we_ird___touch_PWNED_lib___x___name__rows_[0-9a-z]+\.sbatch$/.test(f.path))).toBe(true);
  });

  it("passes bash -n and Python's parser (also the one-line ast check, file by file)", () => {
    const shell = files.filter((f) => /\.(sbatch|sh)$/.test(f.path)).map((f) => join(slurm, f.path));
    const py = files.filter((f) => f.path.endsWith(".py")).map((f) => join(slurm, f.path));
    expect(bashSyntaxErrors(shell)).toEqual([]);
    expect(pythonSyntaxErrors(py)).toEqual([]);
    for (const p of py) expect(pythonParses(p), p).toBe(true);
  });

  it("keeps hostile text out of #SBATCH lines and comments (no line break can escape them)", () => {
    for (const f of files) {
      for (const line of f.contents.split("\n")) {
        if (line.startsWith("#SBATCH") || line.startsWith("#SCRON")) expect(line, f.path).toMatch(/^#(SBATCH|SCRON) --[a-z-]+(=[A-Za-z0-9_.:%/,@+-]+)?$/);
      }
    }
  });

  it("runs the whole pipeline: every string arrives verbatim and no command in them runs", () => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...standIns(dir), MLP_SBATCH: fakeSbatch(dir), MLP_RUN_ID: "h1", MLP_PYTHON: MODEL_PYTHON, MLP_DATA_DIR: join(dir, "data") };
    delete env.MLP_MODEL_DIR;
    const r = run("bash", [join(slurm, "submit.sh")], { cwd: projectDir, env, timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(fakeJobs(dir).filter((j) => j.state !== "COMPLETED")).toEqual([]);

    // Spark: the master and the SQL file of the step whose id holds the library's file name.
    const spark = calls(dir).filter((c) => c.tool === "spark-sql");
    for (const c of spark) expect((c.args as string[]).slice(0, 2)).toEqual(["--master", S.master]);
    const files = spark.map((c) => (c.args as string[])[(c.args as string[]).indexOf("-f") + 1]!);
    expect(files).toContain(`${slurm}/../spark/${libName}__rows.sql`);

    // The model folder setting is used as written (relative: under the project).
    const modelDir = join(projectDir, S.modelDir);
    const runDir = join(modelDir, "hostile/runs/h1");
    expect(existsSync(runDir)).toBe(true);

    // Training contract: channels, hyperparameters (JSON, SM_HP_*, arguments), entry path.
    const trials = [0, 1].map((t) => JSON.parse(readFileSync(join(runDir, "tuned/trials", String(t), "model/model.json"), "utf8")).seen);
    expect(trials.map((t) => t.hps.name).sort()).toEqual([S.choice, "plain"].sort());
    const hostileTrial = trials.find((t) => t.hps.name === S.choice)!;
    expect(hostileTrial.env.SM_HP_NAME).toBe(S.choice);
    expect(JSON.parse(hostileTrial.env.SM_HPS)).toEqual({ n: 3, name: S.choice });
    // SageMaker's convention (and mlp_model.py's): sorted, `--x` even for a one-letter name.
    expect(hostileTrial.argv).toEqual(["--n", "3", "--name", S.choice]);
    // A trial trains on the tune's split of the training data and never sees the gate's data.
    expect(hostileTrial.env.SM_CHANNEL_TRAIN).toBe(join(runDir, "tuned/data/train"));
    expect(hostileTrial.env.SM_CHANNEL_VALIDATION).toBe(join(runDir, "tuned/data/validation"));
    expect(hostileTrial.env.SM_CHANNEL_TEST).toBeUndefined();
    expect(JSON.parse(hostileTrial.env.SM_CHANNELS)).toEqual(["train", "validation"]);
    expect(hostileTrial.cwd).toBe(join(projectDir, S.entry, ".."));

    // Registry metadata keeps the pipeline version verbatim.
    const meta = JSON.parse(readFileSync(join(modelDir, "registry/hostile/1/metadata.json"), "utf8"));
    expect(meta.pipeline_version).toBe(S.version);
    expect(meta.entry).toBe(S.entry);

    // Notebook: path, parameters and input locations.
    const nb = calls(dir).find((c) => c.tool === "papermill")!;
    expect((nb.args as string[])[0]).toBe(join(projectDir, S.notebook));
    expect(nb.parameters).toEqual({
      p: S.param,
      n: 1,
      mlp_inputs: { gate: join(runDir, "tuned/model"), rows: join(dir, "data/runs/h1/rows"), lib_rows: join(dir, "data/runs/h1/lib_rows") },
    });

    // Batch scoring writes to the hostile output folder.
    rmSync(join(dir, "data/runs/h1/rows"), { recursive: true });
    mkdirSync(join(dir, "data/runs/h1/rows"), { recursive: true });
    writeFileSync(join(dir, "data/runs/h1/rows/part-0.json"), JSON.stringify([{ id: "a" }]));
    const score = run("bash", [join(slurm, "scores.sbatch")], { cwd: slurm, env: { ...env, MLP_PROJECT_DIR: projectDir } });
    expect(score.status, score.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(projectDir, S.output, "part-0.json.out"), "utf8"))).toEqual([{ prediction: expect.any(Number), row: 0 }]);

    // The schedule renders and its command lines are valid shell.
    const sched = run("bash", [join(slurm, "submit.sh"), "--schedule"], { cwd: projectDir });
    expect(sched.status).toBe(0);
    const lines = sched.stdout.split("\n").filter((l) => /^\d/.test(l));
    expect(lines.length).toBe(2);
    for (const l of lines) expect(run("bash", ["-n", "-c", l.split(" ").slice(5).join(" ")]).status).toBe(0);

    expect(markers(dir)).toEqual([]);
    expect(markers(process.cwd()).filter((p) => !p.startsWith(dir))).toEqual([]);
  }, 180_000);

  it("refuses a partition or account that is not a Slurm name when compiling, instead of writing scripts that fail", () => {
    // Edited into the IR: the checker may refuse these too, the target must hold without it.
    const bad = structuredClone(ir);
    bad.settings.onprem.slurm_partition = "gpu\ntouch PWNED-part";
    bad.settings.onprem.slurm_account = "a b";
    let message = "";
    try {
      emitIr(bad);
    } catch (e) {
      expect(e).toBeInstanceOf(TargetError);
      message = (e as Error).message;
    }
    expect(message).toBe(
      'slurm_partition "gpu\\ntouch PWNED-part" is not a valid Slurm partition name (letters, digits and _ . , : + @ -, not starting with one of . , : + @ -); ' +
        'slurm_account "a b" is not a valid Slurm account name (letters, digits and _ . , : + @ -, not starting with one of . , : + @ -); fix the target onprem block',
    );
    // Defence in depth: scripts written with the problems (not through emitSlurm) still stop, and never name them on #SBATCH.
    const plan = new Plan(bad);
    const problems = settingsProblems(plan.settings);
    const out = [...plan.jobs.flatMap((j) => jobFiles(plan, j, problems)), { path: "submit.sh", contents: submitScript(plan, problems) }];
    for (const f of out) expect(f.contents).not.toMatch(/^#SBATCH --(partition|account)/m);
    const d = writeOut(join(dir, "bad"), out);
    const r = run("bash", [join(d, "submit.sh")], { cwd: projectDir, env: { ...process.env, MLP_SBATCH: "/bin/false" } });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("is not a valid Slurm partition name");
    const job = run("bash", [join(d, "rows.sbatch")], { cwd: d });
    expect(job.status).toBe(2);
    expect(job.stderr).toContain("is not a valid Slurm account name");
    expect(markers(dir)).toEqual([]);
  });
});
