// The process side of a CLI entry: wires a `main` to the real streams and exit code.
// An unexpected exception is a bug in mlp, reported as one line, never a stack trace.
// Shared by the full CLI (entry.ts) and the `mlp check` start-up bundle (check-entry.ts),
// which must behave the same.
import type { main as Main } from "./cli";

/**
 * `lazyStreams`: touch stdout and stderr only when there is something to write. Making
 * process.stdout of a pipe loads node's networking (tens of ms); a clean check writes nothing.
 * Only for a `main` that writes through its io alone (check): others, like the language
 * server, write to the streams themselves and need the error handlers from the start.
 */
export function runMain(main: typeof Main, { lazyStreams = false } = {}): void {
  // A reader that goes away (`mlp graph x | head`) is not an error; any other failed write
  // (`> /dev/full`) lost output, which must not end as success.
  let reported = false;
  const watched = new Set<string>();
  const stream = (name: "stdout" | "stderr"): NodeJS.WriteStream => {
    const s = process[name];
    if (!watched.has(name)) {
      watched.add(name);
      s.on("error", (e: NodeJS.ErrnoException) => {
        if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
        if (!reported && name === "stdout") stream("stderr").write(`mlp: cannot write to stdout: ${e.code === "ENOSPC" ? "no space left on the device" : (e.code ?? e.message)}\n`);
        reported = true;
        process.exitCode = 2;
      });
    }
    return s;
  };
  if (!lazyStreams) for (const name of ["stdout", "stderr"] as const) stream(name);

  // An empty write (a clean check in the github format) has nothing to write: it makes no stream.
  const write = (name: "stdout" | "stderr") => (s: string) => {
    if (s !== "" || !lazyStreams) stream(name).write(s);
  };
  // Whether stdout is a terminal is asked of the stream, when a command first wants to know: to
  // write there. Asked beforehand, it loads node's tty module and its networking, which a clean
  // check, writing nothing, never needs.
  const tty = () => stream("stdout").isTTY === true;
  const io = {
    out: write("stdout"),
    err: write("stderr"),
    get tty() {
      return tty();
    },
    get color() {
      return tty() && !process.env.NO_COLOR;
    },
  };
  const internal = (e: unknown) => {
    stream("stderr").write(`mlp: internal error: ${(e as Error)?.message ?? String(e)} (please report this with the input file)\n`);
    if (process.env.MLP_DEBUG) stream("stderr").write(`${(e as Error)?.stack}\n`);
    return 3;
  };
  const finish = (code: number) => {
    process.exitCode = reported ? 2 : code;
  };
  try {
    const code = main(process.argv.slice(2), io);
    if (typeof code === "number") finish(code);
    else code.then(finish, (e: unknown) => finish(internal(e)));
  } catch (e) {
    finish(internal(e));
  }
}
