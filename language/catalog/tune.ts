import * as z from "zod";
import { positiveInt } from "./values";
import { defineKind } from "./kind";

const metric = z.string();
const num = z.number();

/** A value `choice` picks from. */
const choiceValue = () => z.union([num, z.string(), z.boolean()]);
/** The spaces other than `choice`, the same as written and in their normal shape. */
const ranges = () =>
  [
    z.object({ uniform: z.tuple([num, num]) }).strict(),
    z.object({ loguniform: z.tuple([num, num]) }).strict(),
    z.object({ intrange: z.tuple([z.number().int(), z.number().int()]) }).strict(),
  ] as const;

const makeSearchSpace = () => z.union([z.object({ choice: z.array(choiceValue()).or(choiceValue()) }).strict(), ...ranges()]);
let madeSearchSpace: ReturnType<typeof makeSearchSpace> | undefined;
/** One search-space entry: `lr = loguniform(1e-5, 1e-2)`. Made on first use, as the kinds' configs are (kind.ts). */
export const searchSpace = () => (madeSearchSpace ??= makeSearchSpace());
export const SEARCH_FUNCTIONS = ["choice", "uniform", "loguniform", "intrange"] as const;

export const tune = defineKind({
  kind: "tune",
  category: "model",
  doc:
    "Tunes a model's hyperparameters: runs `trials` trainings (`parallel` at a time) with values drawn " +
    "from the `search { hp = choice(..) | uniform(a, b) | loguniform(a, b) | intrange(a, b) }` space by the " +
    "`strategy` (grid, random, bayesian) and keeps the best by the `objective`, `maximize(METRIC)` or `minimize(METRIC)`.",
  inputs: [{ name: "model", accepts: ["Model"], doc: "The training to repeat." }],
  outputs: [{ name: "out", produces: ["Model"], doc: "The best model found." }],
  config: () => z
    .object({
      objective: z
        .union([z.object({ maximize: metric }).strict(), z.object({ minimize: metric }).strict()])
        .describe("maximize(METRIC) or minimize(METRIC)"),
      strategy: z.enum(["grid", "random", "bayesian"]).describe("How trials pick values"),
      trials: positiveInt.describe("Number of training runs"),
      parallel: positiveInt.default(1).describe("Trials running at once"),
    })
    .strict(),
  ops: [],
  columns: false,
  blocks: ["search"],
  sink: false,
});

export type SearchSpace = z.output<ReturnType<typeof normalSpace>>;
/** A search space in one shape per function: `choice` always lists its values. Only the IR reads it (once). */
export const normalSpace = () => z.union([z.object({ choice: z.array(choiceValue()) }).strict(), ...ranges()]);

/** The decoded value of a search entry in its normal shape, or undefined when it is not a valid space. */
export function searchSpaceOf(value: unknown): SearchSpace | undefined {
  const r = searchSpace().safeParse(value);
  if (!r.success) return undefined;
  const v = r.data;
  return "choice" in v ? { choice: Array.isArray(v.choice) ? v.choice : [v.choice] } : v;
}
