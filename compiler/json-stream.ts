// `JSON.stringify(value, null, 2)` written out in chunks: the IR of a 65,000-step pipeline
// is longer than the longest string V8 can build (F15), so `mlp graph` never builds it whole.
// Same bytes as JSON.stringify for the plain data the IR is (no toJSON, no cycles).

/** Calls `write` with consecutive pieces of the JSON text, each about `chunk` characters or less (a single long string value can exceed it). */
export function writeJson(value: unknown, write: (s: string) => void, chunk = 1 << 16): void {
  let buf: string[] = [];
  let size = 0;
  const put = (s: string) => {
    buf.push(s);
    size += s.length;
    if (size >= chunk) flush();
  };
  const flush = () => {
    if (size) write(buf.join(""));
    buf = [];
    size = 0;
  };
  const scalar = (v: unknown): string | undefined => {
    if (v === null) return "null";
    switch (typeof v) {
      case "string":
        return JSON.stringify(v);
      case "number":
        return Number.isFinite(v) ? String(v) : "null";
      case "boolean":
        return v ? "true" : "false";
      case "undefined":
      case "function":
      case "symbol":
        return undefined;
      case "bigint":
        // JSON.stringify throws on a bigint; keep its behaviour.
        throw new TypeError("Do not know how to serialize a BigInt");
      default:
        return undefined;
    }
  };
  const emit = (v: unknown, indent: string): void => {
    if (v !== null && typeof v === "object") {
      const inner = indent + "  ";
      if (Array.isArray(v)) {
        if (v.length === 0) return put("[]");
        put("[");
        v.forEach((x, i) => {
          put((i ? ",\n" : "\n") + inner);
          if (x !== null && typeof x === "object") emit(x, inner);
          else put(scalar(x) ?? "null");
        });
        put("\n" + indent + "]");
        return;
      }
      let first = true;
      for (const [k, x] of Object.entries(v)) {
        if (x === undefined || typeof x === "function" || typeof x === "symbol") continue;
        put((first ? "{\n" : ",\n") + inner + JSON.stringify(k) + ": ");
        first = false;
        emit(x, inner);
      }
      put(first ? "{}" : "\n" + indent + "}");
      return;
    }
    const s = scalar(v);
    if (s !== undefined) put(s);
  };
  emit(value, "");
  flush();
}
