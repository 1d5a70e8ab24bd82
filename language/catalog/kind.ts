// The shape of a step kind's catalog entry. One module per kind fills it in; the
// checker, the editor's palette and inspector, and the targets all read these.
import type * as z from "zod";
import type { OpKind } from "../ast";
import type { ArtifactKind } from "../types";

export interface InputPort {
  name: string;
  accepts: readonly ArtifactKind[];
  /** Only batch data (no Stream, no streaming Features). */
  batchOnly?: boolean;
  optional?: boolean;
  /** Takes any number of inputs (notebook). */
  variadic?: boolean;
  doc: string;
}

export interface OutputPort {
  name: string;
  /** What can come out; the checker computes the exact artifact. */
  produces: readonly ArtifactKind[];
  doc: string;
}

/**
 * What a kind is for: `data` steps compute rows (the SQL targets lower them), `model` steps
 * train, tune, gate and register models, `serve` puts a model to work, `report` runs a notebook.
 */
export type KindCategory = "data" | "model" | "serve" | "report";

export interface StepKind<C extends z.ZodType = z.ZodType, K extends string = string> {
  kind: K;
  category: KindCategory;
  /** One paragraph for the palette, the inspector and the reference. */
  doc: string;
  inputs: readonly InputPort[];
  outputs: readonly OutputPort[];
  /** The attributes (`name = value`) of the body, as decoded plain data. */
  config: C;
  /** Body operations the kind accepts (`filter`, `by`, ...). */
  ops: readonly OpKind[];
  /** Accepts `name: TYPE = EXPR` column definitions. */
  columns: boolean;
  /** Nested blocks, e.g. tune's `search { ... }`. */
  blocks: readonly string[];
  /** A sink needs no consumer (no "output is never used" warning). */
  sink: boolean;
}

/**
 * A kind's entry, whose `config` schema is made when it is first read: a check reads a few
 * kinds, and making every kind's schemas is start-up time (issue 15).
 */
export const defineKind = <C extends z.ZodType, K extends string>(k: Omit<StepKind<C, K>, "config"> & { config: () => C }): StepKind<C, K> => {
  const make = k.config;
  let made: C | undefined;
  // The getter takes the place of the function: the keys stay in the same order.
  return {
    ...k,
    get config() {
      return (made ??= make());
    },
  };
};
