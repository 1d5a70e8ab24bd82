// A file's step table after a check that made only some of its steps again (an edit of step
// bodies, a variant's values): the last table with those steps in place, without copying it.
// Names never change in such a check, so the names and their order are the last table's.
import type { StepInfo } from "./model";

export type Steps = ReadonlyMap<string, StepInfo>;

/** `prev` with the steps of `changes` in place of those of the same names. */
export function withSteps(prev: Steps, changes: Iterable<StepInfo>): Steps {
  const base = prev instanceof Layered ? prev.base : prev;
  const over = new Map(prev instanceof Layered ? prev.over : undefined);
  for (const s of changes) over.set(s.name, s);
  // Past a few hundred changes a flat table is cheaper to read than a layer over one.
  if (over.size * 16 <= base.size) return new Layered(base, over);
  const flat = new Map(base);
  for (const [k, v] of over) flat.set(k, v);
  return flat;
}

class Layered implements ReadonlyMap<string, StepInfo> {
  constructor(
    readonly base: Steps,
    readonly over: ReadonlyMap<string, StepInfo>,
  ) {}
  get size(): number {
    return this.base.size;
  }
  get(name: string): StepInfo | undefined {
    return this.over.get(name) ?? this.base.get(name);
  }
  has(name: string): boolean {
    return this.base.has(name);
  }
  keys(): MapIterator<string> {
    return this.base.keys();
  }
  *entries(): MapIterator<[string, StepInfo]> {
    for (const [k, v] of this.base) yield [k, this.over.get(k) ?? v];
  }
  *values(): MapIterator<StepInfo> {
    for (const [k, v] of this.base) yield this.over.get(k) ?? v;
  }
  [Symbol.iterator](): MapIterator<[string, StepInfo]> {
    return this.entries();
  }
  forEach(f: (value: StepInfo, key: string, map: ReadonlyMap<string, StepInfo>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) f.call(thisArg, v, k, this);
  }
}
