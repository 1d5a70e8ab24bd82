// Paths from the .mlp that a target reads, uploads or points a job at. The checker refuses
// paths outside the project, but a target may be given an IR that never went through it
// (`lower` of a crafted program, an edited graph file), and the AWS program uploads whatever
// folder an entry names: so every target checks again before it writes anything.
import type { IrDocument } from "../compiler/ir";
import { TargetError } from "../compiler/target-api";

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/**
 * Why a project file path (an entry script, a notebook) is not a file inside the project, or
 * undefined. `..` is refused even where it would come back inside: the AWS target uploads the
 * entry's folder, and `a/../train.py` would upload the whole project under another name.
 */
export function projectFileProblem(path: string): string | undefined {
  if (path.trim() === "") return "it is empty";
  if (path.startsWith("/")) return "it is an absolute path";
  if (path.startsWith("~")) return "it starts with `~` (a home folder)";
  if (SCHEME.test(path)) return "it is a URL or a drive, not a file of the project";
  if (path.split("/").includes("..")) return "it has a `..` segment";
  return undefined;
}

/**
 * Why a data location (a source's uri, a batch output) leaves the project through `..`, or
 * undefined. Absolute paths and URLs name a place outside the project on purpose; a relative
 * path is read relative to the project, so it must stay in it.
 */
export function projectDataProblem(path: string): string | undefined {
  if (path.startsWith("/") || path.startsWith("~") || SCHEME.test(path)) return undefined;
  return path.split("/").includes("..") ? "it is relative to the project and has a `..` segment" : undefined;
}

export type PathAttr = "entry" | "notebook" | "uri" | "output";

/**
 * Throws a TargetError naming the step and attribute of the first path outside the project,
 * among the attributes the target reads or references (`use` all of them).
 */
export function checkProjectPaths(ir: IrDocument, use: readonly PathAttr[] = ["entry", "notebook", "uri", "output"]): void {
  const refuse = (id: string, attr: string, path: string, why: string, what: string): never => {
    throw new TargetError(`\`${id}\`.${attr} = ${JSON.stringify(path)} is outside the project: ${why}; ${what}`);
  };
  const file = "an entry script or notebook must be a relative path to a file inside the project folder";
  const data = "a relative data path must stay inside the project folder (write an absolute path or a URL for data elsewhere)";
  for (const n of ir.nodes) {
    let p: string | undefined;
    let problem: string | undefined;
    if (n.kind === "train" && use.includes("entry") && (problem = projectFileProblem((p = n.config.entry)))) refuse(n.id, "entry", p, problem, file);
    else if (n.kind === "notebook" && use.includes("notebook") && (problem = projectFileProblem((p = n.config.path)))) refuse(n.id, "path", p, problem, file);
    else if (n.kind === "source" && use.includes("uri") && (p = n.config.uri) !== undefined && (problem = projectDataProblem(p))) refuse(n.id, "uri", p, problem, data);
    else if (n.kind === "deploy" && use.includes("output") && (p = n.config.output) !== undefined && (problem = projectDataProblem(p))) refuse(n.id, "output", p, problem, data);
  }
}
