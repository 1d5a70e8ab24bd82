// targets/local/sorted-json.ts writes `json(sortKeys(v))` in one pass: it must give the same
// text as the copies it replaces for every node of the samples and conformance files (the local
// plan's step definitions, the fingerprints of `mlp run`), and leave what it does not take to them.
import { describe, expect, it } from "vitest";
import { json, RawNumber, sortKeys, type JsonValue } from "../../compiler/json-text";
import type { ValidNode } from "../../compiler/ir";
import { definitionCopied, NOT_IN_DEFINITION } from "../../targets/local/plan";
import { plainJson, sortedJson } from "../../targets/local/sorted-json";
import { cases, compileIr } from "./helpers";

describe("sortedJson", () => {
  it("writes every node of every case as the sorted copy does", () => {
    let nodes = 0;
    for (const c of cases()) {
      const { ir, errors } = compileIr(c.path);
      if (errors.length) continue;
      for (const n of ir.nodes) {
        expect(sortedJson(n, { ascii: true, skip: NOT_IN_DEFINITION })).toBe(definitionCopied(n as ValidNode));
        nodes++;
      }
    }
    expect(nodes).toBeGreaterThan(100);
  });

  it("escapes like json: non-ASCII with ascii, as JSON.stringify without", () => {
    const v = { b: "é\u2028\n\"", a: [1.5, -0, Infinity, null, true, { d: "x", c: "\ud800" }] };
    expect(sortedJson(v, { ascii: true })).toBe(json(sortKeys(v as JsonValue), true));
    expect(sortedJson(v, { ascii: false })).toBe(json(sortKeys(v as JsonValue), false));
    expect(sortedJson(v, { ascii: true })).toContain("\\u00e9");
  });

  it("writes numbers as spelled, unless keys are left out (the copy made them plain objects)", () => {
    const v = { lr: new RawNumber(1, "1.0") };
    expect(sortedJson(v, { ascii: false })).toBe('{"lr":1.0}');
    expect(sortedJson(v, { ascii: true, skip: NOT_IN_DEFINITION })).toBeUndefined();
  });

  it("spells every number as written, at any depth, and takes no string for one", () => {
    const v = { z: [new RawNumber(1, "1.0"), { y: new RawNumber(2, "2e0"), x: new RawNumber(3, "3") }], a: "\u00000", b: "é" };
    const plain = { z: [new RawNumber(1, "1.0"), { y: new RawNumber(2, "2e0") }], a: "0" };
    for (const ascii of [true, false]) {
      expect(sortedJson(plain, { ascii })).toBe(json(sortKeys(plain as JsonValue), ascii));
      expect(sortedJson(plain, { ascii })).toContain("1.0");
      // A string that could read as a placeholder: left to the copy, or written as it does.
      expect(sortedJson(v, { ascii }) ?? json(sortKeys(v as JsonValue), ascii)).toBe(json(sortKeys(v as JsonValue), ascii));
      expect(sortedJson({ "\u00000": 1, n: new RawNumber(1, "1.0") }, { ascii })).toBeUndefined();
    }
  });

  it("leaves to the copies what would change in them: index keys, __proto__, holes, undefined, class instances", () => {
    const proto = JSON.parse('{"__proto__": 1, "a": 2}');
    for (const v of [{ "10": 1, "9": 2 }, proto, [1, , 2], { x: undefined }, { d: new Date(0) }]) expect(sortedJson(v, { ascii: true })).toBeUndefined();
  });

  it("plainJson writes what json writes, keys in their own order", () => {
    let nodes = 0;
    for (const c of cases()) {
      const { ir, errors } = compileIr(c.path);
      if (errors.length) continue;
      for (const n of ir.nodes) {
        expect(plainJson(n as unknown as JsonValue)).toBe(json(n as unknown as JsonValue));
        nodes++;
      }
    }
    expect(nodes).toBeGreaterThan(100);
    const v = { z: [new RawNumber(1, "1.0"), { y: "é\u2028", x: new RawNumber(3, "3") }], "10": 1, a: "\u00000", n: -0 };
    for (const ascii of [true, false]) {
      expect(plainJson(v as JsonValue, ascii)).toBe(json(v as JsonValue, ascii));
      expect(plainJson({ b: new RawNumber(2, "2.50"), a: "é" }, ascii)).toBe(json({ b: new RawNumber(2, "2.50"), a: "é" }, ascii));
    }
    expect(plainJson({ b: new RawNumber(2, "2.50") })).toBe('{"b":2.50}');
  });
});
