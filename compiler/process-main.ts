// The process side of a CLI entry: wires a `main` to the real streams and exit code.
// An unexpected exception is a bug in mlp, reported as one line, never a stack trace.
// Shared by the full CLI (entry.ts) and the `mlp check` start-up bundle (check-entry.ts),
// which must behave the same.
import type { main as Main } from "./cli";

export function runMain(main: typeof Main): void {
  // A reader that goes away (`mlp graph x | head`) is not an error; any other failed write
  // (`> /dev/full`) lost output, which must not end as success.
  let reported = false;
  for (const [name, stream] of [["stdout", process.stdout], ["stderr", process.stderr]] as const)
    stream.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
      if (!reported && name === "stdout") process.stderr.write(`mlp: cannot write to stdout: ${e.code === "ENOSPC" ? "no space left on the device" : (e.code ?? e.message)}\n`);
      reported = true;
      process.exitCode = 2;
    });

  const color = !!process.stdout.isTTY && !process.env.NO_COLOR;
  const internal = (e: unknown) => {
    process.stderr.write(`mlp: internal error: ${(e as Error)?.message ?? String(e)} (please report this with the input file)\n`);
    if (process.env.MLP_DEBUG) process.stderr.write(`${(e as Error)?.stack}\n`);
    return 3;
  };
  const finish = (code: number) => {
    process.exitCode = reported ? 2 : code;
  };
  try {
    const code = main(process.argv.slice(2), { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s), color, tty: !!process.stdout.isTTY });
    if (typeof code === "number") finish(code);
    else code.then(finish, (e: unknown) => finish(internal(e)));
  } catch (e) {
    finish(internal(e));
  }
}
