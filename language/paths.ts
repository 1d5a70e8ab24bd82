// POSIX-style path helpers: import resolution, and which paths of a pipeline stay inside its
// project (the checker's schemas and every target read the same rules). The checker runs in
// the browser too, so it cannot use node:path.

export function dirname(p: string): string {
  const i = p.lastIndexOf("/");
  return i < 0 ? "." : i === 0 ? "/" : p.slice(0, i);
}

export function normalize(p: string): string {
  const abs = p.startsWith("/");
  const out: string[] = [];
  for (const part of p.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === ".." && out.length > 0 && out[out.length - 1] !== "..") out.pop();
    else if (part !== ".." || !abs) out.push(part);
  }
  const s = out.join("/");
  return abs ? "/" + s : s || ".";
}

/** Resolves an import specifier against the importing file's path. */
export function resolveImport(from: string, spec: string): string {
  return spec.startsWith("/") ? normalize(spec) : normalize(`${dirname(from)}/${spec}`);
}

/** `lib/customer.mlp` -> `customer`. */
export function stem(p: string): string {
  const base = p.slice(p.lastIndexOf("/") + 1);
  return base.replace(/\.mlp$/, "");
}

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


/**
 * A data location AWS has no route to (an HDFS cluster): the checker reports it for a pipeline
 * compiled for AWS (MLP0505), and the AWS target refuses it should an IR skip the checker.
 */
export function awsCannotReach(location: string): boolean {
  return /^hdfs:\/\//i.test(location);
}
