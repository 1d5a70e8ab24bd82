// The language server's JSON encoder: a reply marked as sent again is encoded once, and every
// message still comes out as the bytes of its JSON, whatever its id, in either way of reuse.
import { describe, expect, it } from "vitest";
import type { Message } from "vscode-languageserver/node";
import { jsonEncoder, sentAgain } from "../../compiler/lsp/encoder";

const options = { charset: "utf-8" as const };
const reply = (id: number | string, result: unknown) => ({ jsonrpc: "2.0", id, result }) as Message;
const text = async (inPlace: boolean, msg: Message) => Buffer.from(await jsonEncoder(inPlace).encode(msg, options)).toString("utf8");

describe("the server's JSON encoder", () => {
  // Not only ASCII: the room before a reused result is counted in bytes, not characters.
  const outline = () => sentAgain([{ name: "städte", detail: "cleanse", children: [{ name: "ü" }] }]);

  for (const inPlace of [true, false]) {
    it(`sends a reused result as its JSON under each request's id (in place: ${inPlace})`, async () => {
      const result = outline();
      for (const id of [1, 7, 12345, "a-string-id", "x".repeat(100)]) {
        const msg = reply(id, result);
        expect(await text(inPlace, msg)).toBe(JSON.stringify(msg));
      }
    });
  }

  it("encodes a reused result once: a change after the first send is not sent", async () => {
    const result = outline();
    await text(true, reply(1, result));
    result[0]!.name = "changed";
    expect(JSON.parse(await text(true, reply(2, result))).result[0].name).toBe("städte");
  });

  it("leaves a reply already encoded as it was when it is not in place", async () => {
    const result = outline();
    const encoder = jsonEncoder(false);
    const first = await encoder.encode(reply(1, result), options);
    const copy = Buffer.from(first);
    await encoder.encode(reply("a much longer id than the first", result), options);
    expect(Buffer.from(first).equals(copy)).toBe(true);
  });

  it("encodes any other message as its JSON, each time anew", async () => {
    const result = [{ name: "a" }];
    expect(await text(true, reply(3, result))).toBe(JSON.stringify(reply(3, result)));
    result[0]!.name = "b";
    expect(await text(true, reply(4, result))).toContain('"name":"b"');
    const note = { jsonrpc: "2.0", method: "textDocument/publishDiagnostics", params: { uri: "file:///x", diagnostics: [] } } as Message;
    expect(await text(true, note)).toBe(JSON.stringify(note));
    expect(await text(true, reply(5, null))).toBe('{"jsonrpc":"2.0","id":5,"result":null}');
  });
});
