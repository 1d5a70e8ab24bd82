// The step catalog: every kind the language knows, in palette order.
import { aggregate } from "./aggregate";
import { cleanse } from "./cleanse";
import { deploy } from "./deploy";
import { evaluate } from "./evaluate";
import { features } from "./features";
import { join } from "./join";
import type { StepKind } from "./kind";
import { notebook } from "./notebook";
import { register } from "./register";
import { source } from "./source";
import { split } from "./split";
import { train } from "./train";
import { tune } from "./tune";

export const STEP_KINDS: readonly StepKind[] = [source, cleanse, aggregate, join, features, split, train, tune, evaluate, register, deploy, notebook];

const byName = new Map(STEP_KINDS.map((k) => [k.kind, k]));

export function stepKind(name: string): StepKind | undefined {
  return byName.get(name);
}

export { aggregate, cleanse, deploy, evaluate, features, join, notebook, register, source, split, train, tune };
export type { InputPort, OutputPort, StepKind } from "./kind";
