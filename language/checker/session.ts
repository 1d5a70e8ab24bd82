// A check session: checks a program again and again as its files change (the editor and the
// language server check on every keystroke), starting from what the last check found.
import type * as A from "../ast";
import { DiagnosticSink, sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic";
import { parse, type ParseResult } from "../parser";
import { reparse, type Moved } from "../reparse";
import { UNKNOWN } from "../types";
import { carry, carryAll, changedDecls, downstream, replacedSteps, sameResults, shapeOf, type Shape } from "./edits";
import { assignIds, checkTargetReach, checkVariantPrograms, collectOrder, cyclicFiles, FileChecker, ownedOf, poisonedOf, Run, UnreadableFile, type Owned } from "./files";
import { checkLeakage } from "./leakage";
import type { CheckedFile, CheckedProgram, CheckedVariant, FileLoader, StepInfo } from "./model";
import { StepResults } from "./reuse";
import { withSteps } from "./table";

/** What a check is for, beyond what the file itself says. */
export interface CheckOptions {
  /**
   * The targets the program is about to be compiled for (`mlp compile --target`, the editor's
   * compile), in addition to those its own `target` blocks name: data one of them cannot reach
   * is an error then too (MLP0505).
   */
  compiledFor?: readonly string[];
}

/**
 * Checks a program again and again as its files change (the editor and the language server
 * check on every keystroke): a changed file is parsed again only in the declarations the
 * change touched (reparse.ts); an edit that only rewrote steps' bodies is checked from the
 * last check, those steps and what they reach (`quick`); otherwise a step whose declaration,
 * inputs and schemas are unchanged is not checked again (reuse.ts). The result is always
 * what `checkProgram` would give.
 */
export class CheckSession {
  /** Diagnostics raised by each step's own body (code and offset within it), so a `use` reports only what its new inputs cause. */
  readonly bodyKeys = new WeakMap<StepInfo, Set<string>>();
  /**
   * `variantsInFull`: check each variant's whole program again instead of only the steps its
   * overrides reach (the reference the tests hold the quick way to). `once`: no check follows
   * (checkProgram), so nothing is kept for one: each step's results would be stored for the
   * next check at a cost of a third of a 10,000-step check's garbage, for none to read them.
   */
  constructor(readonly options: { variantsInFull?: boolean; once?: boolean } = {}) {}

  /** The latest parse of each file, and the last one without syntax errors (the base of incremental parsing). */
  private readonly parses: ParseCache = new Map();
  private readonly clean: ParseCache = new Map();
  /** Per declaration, how many of the kept trees (latest and last clean parse of each file) hold it. */
  private readonly holders = new Map<A.Decl, number>();
  /** Declarations no kept tree holds any more, since the last prune. */
  private dead: A.Decl[] = [];
  /** The last incremental parse of each file: from which parse, to which, and where the text moved. */
  private readonly edits = new Map<string, { from: ParseResult; to: ParseResult; moved: Moved }>();
  /**
   * Checks made since the session began: in full, from the last one (quick), and of those how
   * many kept the last check's whole-graph results (see carryTail).
   */
  readonly checks = { full: 0, quick: 0, carried: 0 };
  /** The last check of each entry, for the next to start from (see quick). */
  private readonly last = new Map<string, LastCheck>();
  private readonly steps = new StepResults({
    decls: (file) => this.parses.get(file)?.result.ast.decls,
    live: (d) => this.holders.has(d),
  });

  check(path: string, loader: FileLoader, text?: string, options: CheckOptions = {}): CheckedProgram {
    const compiledFor = options.compiledFor ?? [];
    const quick = this.options.once ? undefined : this.quick(path, loader, text, compiledFor);
    if (quick) {
      this.checks.quick++;
      return quick;
    }
    this.checks.full++;
    const run = new Run(loader, this);
    const entry = run.file(path, text);
    if (!entry) throw new UnreadableFile(path);
    const order = collectOrder(entry);
    assignIds(order, entry);
    const base: CheckedVariant = { entry, files: run.files, order };
    const shape = shapeOf(order, path);
    const done = this.finish(base, run.diagnostics, loader, compiledFor, shape);
    if (!this.options.once) {
      // The entry's diagnostics by owner; the rest are the file's own and other files'.
      const owned = ownedOf.get(entry);
      const mine = new Set<Diagnostic>(owned?.variants);
      for (const list of owned?.steps.values() ?? []) for (const d of list) mine.add(d);
      const rest = run.diagnostics.filter((d) => !mine.has(d));
      this.remember(path, compiledFor, base, rest, owned, shape, done.tail);
    }
    return done.program;
  }

  /** Leakage, reach and the variants' programs, from the entry's checked program. */
  private finish(base: CheckedVariant, found: readonly Diagnostic[], loader: FileLoader, compiledFor: readonly string[], shape: Shape): { program: CheckedProgram; tail: Tail } {
    const variants = new Map<string, CheckedVariant>();
    const graph = [...checkLeakage(base.order), ...checkTargetReach(base.entry, base.order, compiledFor)];
    const ofVariants = checkVariantPrograms(base, loader, this, [...found, ...graph], variants, compiledFor, shape);
    return this.assemble(base, found, { graph, ofVariants, variants });
  }

  private assemble(base: CheckedVariant, found: readonly Diagnostic[], tail: Tail): { program: CheckedProgram; tail: Tail } {
    this.steps.prune(this.dead, this.holders.size);
    this.dead = [];
    const diagnostics = sortDiagnostics([...found, ...tail.graph, ...tail.ofVariants]);
    return { program: { entry: base.entry, files: base.files, order: base.order, diagnostics, variants: tail.variants }, tail };
  }

  /**
   * After a quick edit whose steps came out as they were (sameResults), what the whole graph
   * and the variants give is the last check's: its leakage, reach and variant diagnostics
   * moved with the text, and each variant's program with the edited steps in place. Undefined
   * when a variant's overrides reach an edited step (its program is checked again) or a
   * diagnostic sits in the replaced text.
   */
  private carryTail(last: LastCheck, base: CheckedVariant, again: ReadonlyMap<StepInfo, StepInfo>, replaced: ReadonlyMap<A.Decl, A.StepDecl>, ast: A.SourceFileAst, moved: Moved | undefined): Tail | undefined {
    const path = base.entry.path;
    const graph = carryAll(last.tail.graph, path, moved);
    const ofVariants = graph && carryAll(last.tail.ofVariants, path, moved);
    if (!ofVariants) return undefined;
    const variants = new Map<string, CheckedVariant>();
    // The edited declarations sit together, at the same places in the old and new trees.
    const { first } = changedDecls(last.entry.ast.decls, ast.decls);
    for (const [name, v] of last.tail.variants) {
      // A variant that changes nothing is the file's own program.
      if (v === last.base) {
        variants.set(name, base);
        continue;
      }
      // The variant's program, aligned with the file's order when only the steps its overrides
      // reach were checked again (Run.variantOf): the edited steps it shares with the file are
      // the file's new ones; a step of its own that the edit reaches (downstream of an edited
      // step) came out as it was, and is the same step reading the new ones.
      const now = new Map<StepInfo, StepInfo>(again);
      const mineNow: StepInfo[] = [];
      const order = v.order.slice();
      for (const [old, fresh] of again) {
        const k = last.shape.position.get(old.name)!;
        const mine = v.order[k]!;
        if (mine === old) {
          mineNow.push(fresh);
          order[k] = fresh;
          continue;
        }
        // An edited declaration the variant overrides, or a `use` (its body may be one): the variant's program is checked again.
        if (mine.file !== old.file || mine.name !== old.name || replaced.has(old.decl as A.StepDecl) || mine.decl.kind === "use") return undefined;
        const inputs = mine.inputs.map((i) => {
          const up = i.step && now.get(i.step);
          return up ? { ...i, step: up, artifact: up.outputs.get(i.output) ?? UNKNOWN } : i;
        });
        const copy: StepInfo = { ...mine, inputs };
        const keys = this.bodyKeys.get(mine);
        if (keys) this.bodyKeys.set(copy, keys);
        now.set(mine, copy);
        mineNow.push(copy);
        order[k] = copy;
      }
      // The variant's tree (one declaration for each of the file's): the edited declarations, which no override touches, in place.
      const decls = v.entry.ast.decls.slice();
      for (let k = first; k < first + replaced.size; k++) decls[k] = ast.decls[k]!;
      const entry: CheckedFile = { ...v.entry, text: base.entry.text, lines: base.entry.lines, ast: { ...ast, decls }, steps: withSteps(v.entry.steps, mineNow) };
      variants.set(name, { entry, files: v.files.map((f) => (f === v.entry ? entry : f)), order });
    }
    return { graph, ofVariants, variants };
  }

  /**
   * The check again from the last one of `path`, when only its text changed and the change
   * replaced step declarations by steps of the same names, kinds and inputs (an attribute,
   * an expression or a column typed into a body: what typing mostly is). The replaced steps
   * and those they reach are checked again; the rest of the graph, the file-level rules'
   * diagnostics and the other files are the last check's, moved with the text. Undefined
   * when the change did more: a check in full follows.
   */
  private quick(path: string, loader: FileLoader, text: string | undefined, compiledFor: readonly string[]): CheckedProgram | undefined {
    const last = this.last.get(path);
    if (!last || last.compiledFor !== compiledFor.join("\n")) return undefined;
    const src = text ?? loader.read(path);
    if (src === undefined) return undefined;
    for (const f of last.base.files) if (f !== last.entry && loader.read(f.path) !== f.text) return undefined;
    const parsed = this.parse(src, path);
    // The same text parses to the same tree: nothing moved.
    let moved: Moved | undefined;
    if (parsed !== last.parse) {
      const edit = this.edits.get(path);
      if (!edit || edit.to !== parsed || edit.from !== last.parse) return undefined;
      moved = edit.moved;
    }
    const replaced = replacedSteps(last.entry.ast.decls, parsed.ast.decls, last.entry.steps);
    if (!replaced) return undefined;
    // The last check's diagnostics that stand: none may sit in the replaced text.
    const rest = carryAll(last.rest, path, moved);
    if (!rest) return undefined;
    const run = new Run(loader, this);
    const sink = new DiagnosticSink(path);
    const dirty = downstream(last.shape, [...replaced.keys()].map((d) => d.name.name));
    // Every diagnostic checkEdit reports is a step's or the variant rules': all in `owned`.
    const { file, again } = new FileChecker(run, { path, text: src, ast: parsed.ast, lines: parsed.lines }, sink).checkEdit(last.entry, replaced, dirty);
    const owned = ownedOf.get(file)!;
    for (const [s, list] of last.owned) {
      if (again.has(s)) continue;
      const kept = carryAll(list, path, moved);
      if (!kept) return undefined;
      owned.steps.set(s, kept);
    }
    const order = last.base.order.slice();
    for (const [old, fresh] of again) order[last.shape.position.get(old.name)!] = fresh;
    const base: CheckedVariant = { entry: file, files: last.base.files.map((f) => (f === last.base.entry ? file : f)), order };
    const found = [...rest, ...owned.variants];
    for (const list of owned.steps.values()) for (const d of list) found.push(d);
    const tail = sameResults(again) ? this.carryTail(last, base, again, replaced, parsed.ast, moved) : undefined;
    if (tail) this.checks.carried++;
    const done = tail ? this.assemble(base, found, tail) : this.finish(base, found, loader, compiledFor, last.shape);
    this.remember(path, compiledFor, base, rest, owned, last.shape, done.tail);
    return done.program;
  }

  /** What the next check of `path` may start from (see quick): copies of the diagnostics, apart from the tree's spans. */
  private remember(path: string, compiledFor: readonly string[], base: CheckedVariant, rest: Diagnostic[], owned: Owned | undefined, shape: Shape, tail: Tail): void {
    this.last.delete(path);
    const { entry } = base;
    const parse = this.parses.get(path)?.result;
    // A file with a cycle or a failed import is checked in full (its order and scope are not the whole story).
    if (!owned || !parse || parse.diagnostics.length > 0 || cyclicFiles.has(entry) || poisonedOf.has(entry) || rest.some((d) => d.code === "MLP0207")) return;
    const copy = (ds: readonly Diagnostic[]) => ds.map((d) => carry(d, path, undefined)!);
    const steps = new Map<StepInfo, Diagnostic[]>();
    for (const [s, list] of owned.steps) steps.set(s, copy(list));
    this.last.set(path, {
      entry,
      parse,
      compiledFor: compiledFor.join("\n"),
      base,
      shape,
      rest: copy(rest),
      owned: steps,
      tail: { graph: copy(tail.graph), ofVariants: copy(tail.ofVariants), variants: tail.variants },
    });
    // A few documents at a time (the language server checks each open one).
    if (this.last.size > 8) this.last.delete(this.last.keys().next().value!);
  }

  /** Each text is parsed once: a variant's checks reuse the parses of the files, later checks their unchanged declarations. */
  parse(text: string, path: string): ParseResult {
    const hit = this.parses.get(path);
    if (hit && hit.text === text) return hit.result;
    const base = this.clean.get(path);
    const again = base && reparse(base.result, base.text, text, path);
    const result = again?.result ?? parse(text, path);
    if (this.options.once) {
      this.parses.set(path, { text, result });
      return result;
    }
    this.keep(this.parses, path, { text, result });
    if (again) this.edits.set(path, { from: base.result, to: result, moved: again.moved });
    else this.edits.delete(path);
    if (result.diagnostics.length === 0) this.keep(this.clean, path, { text, result });
    return result;
  }

  /**
   * Puts a parse in `cache`, counting which declarations the kept trees hold: a tree
   * reparsed from the one it replaces shares all but the edited declarations (a common
   * prefix and suffix), so only those are counted in and out.
   */
  private keep(cache: ParseCache, path: string, entry: { text: string; result: ParseResult }): void {
    const before = cache.get(path)?.result.ast.decls ?? [];
    const after = entry.result.ast.decls;
    cache.set(path, entry);
    const changed = changedDecls(before, after);
    for (let i = changed.first; i < changed.after; i++) this.holders.set(after[i]!, (this.holders.get(after[i]!) ?? 0) + 1);
    for (let i = changed.first; i < changed.before; i++) {
      const d = before[i]!;
      const n = this.holders.get(d)! - 1;
      if (n > 0) this.holders.set(d, n);
      else {
        this.holders.delete(d);
        this.dead.push(d);
      }
    }
  }

  get results(): StepResults {
    return this.steps;
  }
}

/** What a session's next check of an entry may start from (CheckSession.quick). */
interface LastCheck {
  entry: CheckedFile;
  /** The entry's parse the check read (the base of the next incremental parse when it is clean). */
  parse: ParseResult;
  compiledFor: string;
  /** The entry's program (files and order as the program lists them). */
  base: CheckedVariant;
  shape: Shape;
  /** Diagnostics no step of the entry owns: the file's own rules' and other files'. */
  rest: Diagnostic[];
  /** Each of the entry's steps' own diagnostics (binding, rules, unused warning). */
  owned: Map<StepInfo, Diagnostic[]>;
  tail: Tail;
}

/** What the whole graph gives after the files are checked: leakage and reach (`graph`), and the variants' programs and their diagnostics. */
interface Tail {
  graph: Diagnostic[];
  ofVariants: Diagnostic[];
  variants: Map<string, CheckedVariant>;
}

/** Parse results by path, with the text they were parsed from. */
type ParseCache = Map<string, { text: string; result: ParseResult }>;
