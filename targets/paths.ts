// Paths from the .mlp that a target reads, uploads or points a job at. The checker refuses
// paths outside the project, but a target may be given an IR that never went through it
// (`lower` of a crafted program, an edited graph file), and the AWS program uploads whatever
// folder an entry names: so every target checks again before it writes anything.
import type { IrDocument } from "../compiler/ir";
import { TargetError } from "../compiler/target-api";
import { projectDataProblem, projectFileProblem } from "../language/paths";

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
