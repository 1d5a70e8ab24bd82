// The server's JSON encoder for outgoing messages: like vscode-jsonrpc's own, except that a reply
// marked with `sentAgain` is turned into bytes once and those bytes are reused each time the same
// object is sent again. The outline of a 10,000-step file is 2.5 MB of JSON, asked for on every
// focus, scroll and breadcrumb while the text stays the same; stringifying it and copying it into
// a buffer was 20 ms of every answer (a --cpu-prof of the server under test/bench/lsp.mjs).
// Everything else is encoded as vscode-jsonrpc does (JSON.stringify, then bytes in the charset).
import type { ContentTypeEncoder, Message } from "vscode-languageserver/node";

/** Results that will be sent unchanged again; their encoded bytes once they were sent. */
const reused = new WeakMap<object, Buffer | undefined>();

/** Marks `result` as sent again unchanged: the caller must not change it after this. */
export function sentAgain<T extends object>(result: T): T {
  reused.set(result, undefined);
  return result;
}

/** Room left before a reused result for the start of each reply (`{"jsonrpc":"2.0","id":17,`). */
const HEAD_ROOM = 64;

/**
 * The bytes `"result":…}` with HEAD_ROOM free bytes before them. Copying 2.5 MB into a new
 * buffer per reply (Buffer.concat) cost 7 ms; the reply's start is written into the room instead.
 */
function tailOf(result: unknown, charset: BufferEncoding): Buffer {
  const tail = `"result":${JSON.stringify(result)}}`;
  const bytes = Buffer.allocUnsafe(HEAD_ROOM + Buffer.byteLength(tail, charset));
  bytes.write(tail, HEAD_ROOM, charset);
  return bytes;
}

function encode(msg: Message, charset: BufferEncoding, inPlace: boolean): Buffer {
  const { result, ...rest } = msg as Message & { result?: unknown };
  if (result === null || typeof result !== "object" || !reused.has(result)) return Buffer.from(JSON.stringify(msg), charset);
  let tail = reused.get(result);
  if (!tail) reused.set(result, (tail = tailOf(result, charset)));
  // `rest` holds at least `jsonrpc` and `id`: its JSON is `{…}`, reopened for the result.
  const head = Buffer.from(`${JSON.stringify(rest).slice(0, -1)},`, charset);
  if (!inPlace || head.length > HEAD_ROOM) return Buffer.concat([head, tail.subarray(HEAD_ROOM)]);
  // The room is overwritten by the next reply of the same result. The writer encodes a message
  // only once the one before is written (vscode-jsonrpc's WriteableStreamMessageWriter holds a
  // lock until the stream's write callback), so no reply still being written is changed.
  head.copy(tail, HEAD_ROOM - head.length);
  return tail.subarray(HEAD_ROOM - head.length);
}

/**
 * The encoder. `inPlace` only for a stream done with a chunk when its write callback runs (the
 * process's stdout: a pipe, socket or file); an in-memory stream may keep the chunk for a reader
 * after that, and would see its start change, so each reply then gets its own copy.
 */
export function jsonEncoder(inPlace: boolean): ContentTypeEncoder {
  return {
    name: "application/json",
    encode: (msg, options) => {
      try {
        return Promise.resolve(encode(msg, (options.charset ?? "utf-8") as BufferEncoding, inPlace));
      } catch (e) {
        return Promise.reject(e);
      }
    },
  };
}
