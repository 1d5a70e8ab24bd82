// The step catalog: every kind the language knows, in palette order. The checker, the
// graph IR, the editor and the targets read kinds, categories and operations from here.
import type * as z from "zod";
import type { OpKind } from "../ast";
import { aggregate } from "./aggregate";
import { cleanse } from "./cleanse";
import { deploy } from "./deploy";
import { evaluate } from "./evaluate";
import { features } from "./features";
import { join } from "./join";
import type { KindCategory, StepKind } from "./kind";
import { notebook } from "./notebook";
import { register } from "./register";
import { source } from "./source";
import { split } from "./split";
import { train } from "./train";
import { tune } from "./tune";

/** Every kind by name; a kind added here must be handled wherever a `Record<KindName, ...>` is kept. */
export const KINDS = { source, cleanse, aggregate, join, features, split, train, tune, evaluate, register, deploy, notebook } as const;
export type KindName = keyof typeof KINDS;
/** A kind's decoded attributes (defaults applied), inferred from its zod schema. */
export type ConfigOf<K extends KindName> = z.output<(typeof KINDS)[K]["config"]>;

export const STEP_KINDS: readonly StepKind[] = Object.values(KINDS);
export const KIND_NAMES = Object.keys(KINDS) as KindName[];

export function stepKind(name: string): StepKind | undefined {
  return isKindName(name) ? KINDS[name] : undefined;
}

export function isKindName(name: string): name is KindName {
  return Object.prototype.hasOwnProperty.call(KINDS, name);
}

/** The kinds of a category, in palette order. */
export function kindsOf(category: KindCategory): KindName[] {
  return KIND_NAMES.filter((k) => KINDS[k].category === category);
}

/** Kinds whose rows the data engines compute. */
export const DATA_KINDS: ReadonlySet<string> = new Set(kindsOf("data"));

/** The operation table: which kind each body operation belongs to (`filter` -> cleanse). */
export const OP_HOME: Readonly<Record<OpKind, KindName>> = (() => {
  const home = {} as Record<OpKind, KindName>;
  for (const k of KIND_NAMES) for (const op of KINDS[k].ops) home[op] ??= k;
  return home;
})();

export { aggregate, cleanse, deploy, evaluate, features, join, notebook, register, source, split, train, tune };
export type { InputPort, KindCategory, OutputPort, StepKind } from "./kind";
