// The editor build the browser suites share (test/editor-build.ts), on a stand-in project with
// a stand-in build: built once when suites ask at the same time, reused while nothing changed,
// built again when a source or the dependencies changed, and never stuck on a dead builder.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { builtEditor, type BuildPlace } from "../editor-build";

const tmp = mkdtempSync(join(tmpdir(), "mlp-editor-build-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const HOUR_AGO = new Date(Date.now() - 3_600_000);
const touch = (path: string, when: Date) => utimesSync(path, when, when);

/** A project with editor sources an hour old, and a build that counts its runs. */
function place(name: string, buildMs = 0): BuildPlace & { builds: () => number } {
  const root = join(tmp, name);
  mkdirSync(join(root, "editor", "src"), { recursive: true });
  mkdirSync(join(root, "samples"));
  for (const f of ["editor/src/main.tsx", "samples/shop.mlp", "package-lock.json"]) {
    writeFileSync(join(root, f), "x");
    touch(join(root, f), HOUR_AGO);
  }
  let builds = 0;
  return {
    home: join(root, "test", ".tmp", "editor-build"),
    root,
    builds: () => builds,
    async build(outDir) {
      builds++;
      await new Promise((r) => setTimeout(r, buildMs));
      mkdirSync(outDir, { recursive: true });
      writeFileSync(join(outDir, "index.html"), `build ${builds}`);
    },
  };
}

describe("the shared editor build", () => {
  it("builds once for suites asking at the same time, and reuses it while nothing changed", async () => {
    const at = place("once", 400);
    const dirs = await Promise.all([builtEditor(at), builtEditor(at), builtEditor(at)]);
    expect(at.builds()).toBe(1);
    expect(new Set(dirs).size).toBe(1);
    expect(readFileSync(join(dirs[0]!, "index.html"), "utf8")).toBe("build 1");
    expect(await builtEditor(at)).toBe(dirs[0]);
    expect(at.builds()).toBe(1);
  });

  it("builds again when an editor source, a sample or the dependencies changed since the build began", async () => {
    const at = place("changed");
    const first = await builtEditor(at);
    touch(join(at.root, "editor/src/main.tsx"), new Date(Date.now() + 1000));
    const second = await builtEditor(at);
    expect(at.builds()).toBe(2);
    expect(second).not.toBe(first);
    expect(readFileSync(join(second, "index.html"), "utf8")).toBe("build 2");
    // A build an hour old is removed with the next; one just replaced may still be served.
    expect(readFileSync(join(first, "index.html"), "utf8")).toBe("build 1");
    // The samples the static build's menu holds.
    touch(join(at.root, "samples/shop.mlp"), new Date(Date.now() + 2000));
    await builtEditor(at);
    expect(at.builds()).toBe(3);
    touch(join(at.root, "package-lock.json"), new Date(Date.now() + 3000));
    await builtEditor(at);
    expect(at.builds()).toBe(4);
  });

  it("takes over the lock of a builder that died, and releases it when a build fails", async () => {
    const at = place("dead");
    mkdirSync(join(at.home, "lock"), { recursive: true });
    touch(join(at.home, "lock"), HOUR_AGO);
    await builtEditor(at);
    expect(at.builds()).toBe(1);

    const failing = place("failing");
    const build = failing.build;
    failing.build = () => {
      throw new Error("vite failed");
    };
    await expect(builtEditor(failing)).rejects.toThrow("vite failed");
    failing.build = build;
    await builtEditor(failing);
    expect(failing.builds()).toBe(1);
  });
});
