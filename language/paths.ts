// POSIX-style path helpers for import resolution. The checker runs in the browser
// too, so it cannot use node:path.

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
