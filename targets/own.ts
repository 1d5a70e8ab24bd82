// Objects keyed by what the .mlp file wrote (hyperparameters, tags, parameters, step ids).
// `o[k] = v` with k = "__proto__" sets the object's prototype instead of adding a key, so the
// key would vanish from the generated JSON, YAML or TypeScript: keys are defined, never assigned.

/** Adds `k` as an own, enumerable property, whatever its name. */
export function setOwn<T>(o: { [k: string]: T }, k: string, v: T): void {
  // Defining a property is slow next to assigning one: only the one key that needs it pays.
  if (k === "__proto__") Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}
