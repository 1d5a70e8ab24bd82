// `mlp init [DIR]`: a new project that works at once — a pipeline with its data (a CSV made
// here, the same every time), a scikit-learn entry script, a .gitignore and a CI workflow
// that checks and compiles the pipeline. Nothing is overwritten: if any of these files
// exists, nothing is written.
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import GITIGNORE from "./init/gitignore.template?raw";
import PIPELINE from "./init/pipeline.mlp.template?raw";
import TRAIN from "./init/train.py.template?raw";
import WORKFLOW from "./init/workflow.yml.template?raw";

export class InitRefused extends Error {}

/** The pipeline's name from the folder's: a name of the language (`my-shop` gives `my_shop`). */
export function pipelineName(dir: string): string {
  const n = basename(resolve(dir)).toLowerCase().replace(/[^a-z0-9_]+/g, "_").replace(/^_+|_+$/g, "");
  if (!n) return "my_pipeline";
  return /^\d/.test(n) ? `p_${n}` : n;
}

/** 400 customers whose churn follows their plan, spend and tenure (with noise): a model can learn it. */
export function customersCsv(): string {
  let seed = 20261204;
  const rnd = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const rows = ["customer_id,age,plan,monthly_spend,tenure_months,churned"];
  for (let i = 1; i <= 400; i++) {
    const plan = rnd() < 0.5 ? "free" : rnd() < 0.7 ? "pro" : "enterprise";
    const spend = plan === "free" ? rnd() * 20 : plan === "pro" ? 20 + rnd() * 60 : 80 + rnd() * 200;
    const tenure = Math.floor(rnd() * 60);
    const age = rnd() < 0.05 ? "" : String(18 + Math.floor(rnd() * 60));
    const risk = 1.2 - tenure / 30 - spend / 120 + (plan === "free" ? 0.8 : 0) + (rnd() - 0.5) * 1.2;
    rows.push(`c${String(i).padStart(4, "0")},${age},${plan},${spend.toFixed(2)},${tenure},${risk > 0.3}`);
  }
  return rows.join("\n") + "\n";
}

export function projectFiles(dir: string): Record<string, string> {
  return {
    "pipeline.mlp": PIPELINE.replaceAll("{{name}}", pipelineName(dir)),
    "models/churn/train.py": TRAIN,
    "data/customers.csv": customersCsv(),
    ".gitignore": GITIGNORE,
    ".github/workflows/mlp.yml": WORKFLOW,
  };
}

/** Writes the project into `dir` (made if missing); returns the files written, relative to it. */
export function initProject(dir: string): string[] {
  const files = projectFiles(dir);
  const taken = Object.keys(files).filter((f) => existsSync(join(dir, f)));
  if (taken.length) throw new InitRefused(`${dir} already has ${taken.join(", ")}; nothing was written (init never overwrites)`);
  const written: string[] = [];
  try {
    for (const [rel, text] of Object.entries(files)) {
      const path = join(dir, rel);
      mkdirSync(dirname(path), { recursive: true });
      const tmp = join(dirname(path), `.${basename(path)}.mlp-init-${process.pid}.tmp`);
      writeFileSync(tmp, text);
      renameSync(tmp, path);
      written.push(rel);
    }
  } catch (e) {
    // All or nothing: what was written is taken back.
    for (const rel of written) rmSync(join(dir, rel), { force: true });
    throw e;
  }
  return written;
}
