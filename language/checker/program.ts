// The checker's entry: reads a file and its imports through a FileLoader, then runs
// the rule families over each file in a fixed order (declarations and imports,
// schemas, step inputs and order, each step's rules, settings, variants, warnings).
import type * as A from "../ast";
import { stepKind, STEP_KINDS } from "../catalog";
import { TARGET_SETTINGS, pipelineSettings } from "../catalog/settings";
import { didYouMean, DiagnosticSink, sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic";
import { CATALOG } from "../diagnostics/catalog";
import { parse, type ParseResult } from "../parser";
import { reparse } from "../reparse";
import { awsCannotReach, resolveImport, stem } from "../paths";
import type { Span } from "../span";
import { UNKNOWN } from "../types";
import { checkConfig } from "./config";
import { bindInputs, orderSteps, type Scope } from "./graph";
import type { CheckedFile, CheckedProgram, CheckedVariant, Config, FileLoader, FileUnit, Report, SchemaInfo, StepInfo } from "./model";
import { schemaFromDecl } from "./schemas";
import { checkLayout } from "./layout";
import { checkStep } from "./steps";
import { checkVariants, withVariant } from "./variants";
import { warnIfUnused } from "./warnings";
import { checkLeakage } from "./leakage";
import { StepResults, type Lookups } from "./reuse";
import { carry, carryAll, downstream, replacedSteps, sameResults, shapeOf, type Shape } from "./edits";
import type { Moved } from "../reparse";

const KEYWORDS = ["import", "pipeline", "schema", "use", "variant", "target", "layout"];

/** What a check is for, beyond what the file itself says. */
export interface CheckOptions {
  /**
   * The targets the program is about to be compiled for (`mlp compile --target`, the editor's
   * compile), in addition to those its own `target` blocks name: data one of them cannot reach
   * is an error then too (MLP0505).
   */
  compiledFor?: readonly string[];
}

/** Check `path` (read through `loader`, or `text` when given) with everything it imports. Never throws. */
export function checkProgram(path: string, loader: FileLoader, text?: string, options: CheckOptions = {}): CheckedProgram {
  return new CheckSession({ once: true }).check(path, loader, text, options);
}

/**
 * Checks a program again and again as its files change (the editor and the language server
 * check on every keystroke): a changed file is parsed again only in the declarations the
 * change touched, and a step whose declaration, inputs and schemas are unchanged is not
 * checked again (reuse.ts). The result is always what `checkProgram` would give.
 */
export class CheckSession {
  /** Diagnostics raised by each step's own body, so a `use` reports only what its new inputs cause. */
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
    const done = this.finish(base, run.diagnostics, loader, compiledFor);
    if (!this.options.once) {
      // The entry's diagnostics by owner; the rest are the file's own and other files'.
      const owned = ownedOf.get(entry);
      const mine = new Set<Diagnostic>(owned?.variants);
      for (const list of owned?.steps.values() ?? []) for (const d of list) mine.add(d);
      const rest = run.diagnostics.filter((d) => !mine.has(d));
      this.remember(path, compiledFor, base, rest, owned, undefined, done.tail);
    }
    return done.program;
  }

  /** Leakage, reach and the variants' programs, from the entry's checked program. */
  private finish(base: CheckedVariant, found: readonly Diagnostic[], loader: FileLoader, compiledFor: readonly string[]): { program: CheckedProgram; tail: Tail } {
    const variants = new Map<string, CheckedVariant>();
    const graph = [...checkLeakage(base.order), ...checkTargetReach(base.entry, base.order, compiledFor)];
    const ofVariants = checkVariantPrograms(base, loader, this, [...found, ...graph], variants, compiledFor);
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
    const before = last.entry.ast.decls;
    let first = 0;
    while (first < before.length && before[first] === ast.decls[first]) first++;
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
      const steps = new Map(v.entry.steps);
      const order = v.order.slice();
      for (const [old, fresh] of again) {
        const k = last.shape.position.get(old.name)!;
        const mine = v.order[k]!;
        if (mine === old) {
          steps.set(old.name, fresh);
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
        steps.set(old.name, copy);
        order[k] = copy;
      }
      // The variant's tree (one declaration for each of the file's): the edited declarations, which no override touches, in place.
      const decls = v.entry.ast.decls.slice();
      for (let k = first; k < first + replaced.size; k++) decls[k] = ast.decls[k]!;
      const entry: CheckedFile = { ...v.entry, text: base.entry.text, lines: base.entry.lines, ast: { ...ast, decls }, steps };
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
    const done = tail ? this.assemble(base, found, tail) : this.finish(base, found, loader, compiledFor);
    this.remember(path, compiledFor, base, rest, owned, last.shape, done.tail);
    return done.program;
  }

  /** What the next check of `path` may start from (see quick): copies of the diagnostics, apart from the tree's spans. */
  private remember(path: string, compiledFor: readonly string[], base: CheckedVariant, rest: Diagnostic[], owned: Owned | undefined, shape: Shape | undefined, tail: Tail): void {
    this.last.delete(path);
    const { entry, order } = base;
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
      shape: shape ?? shapeOf(order, path),
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
    let p = 0;
    while (p < before.length && p < after.length && before[p] === after[p]) p++;
    let b = before.length;
    let a = after.length;
    while (b > p && a > p && before[b - 1] === after[a - 1]) {
      b--;
      a--;
    }
    for (let i = p; i < a; i++) this.holders.set(after[i]!, (this.holders.get(after[i]!) ?? 0) + 1);
    for (let i = p; i < b; i++) {
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

/**
 * Each variant compiles to its own stack, so the whole file is checked again with the
 * variant's values in place; that checked program is what lowering a variant reads (the
 * variant is applied once, here). Errors that only the variant causes are reported against it.
 */
function checkVariantPrograms(
  program: CheckedVariant,
  loader: FileLoader,
  session: CheckSession,
  base: readonly Diagnostic[],
  into: Map<string, CheckedVariant>,
  compiledFor: readonly string[],
): Diagnostic[] {
  const entry = program.entry;
  const variants = entry.ast.decls.filter((d): d is A.VariantDecl => d.kind === "variant");
  if (variants.length === 0) return [];
  const known = new Set(base.map((d) => key(d.code, d.span.start, d.message)));
  const out: Diagnostic[] = [];
  for (const v of variants) {
    const overrides = validOverrides.get(entry)?.get(v) ?? [];
    // A variant that changes nothing (no override passed its own checks) is the file's own
    // program: checking it again would only repeat the work (and a file may have hundreds).
    if (overrides.length === 0) {
      if (!into.has(v.name.name)) into.set(v.name.name, program);
      continue;
    }
    // An override of an imported step changes that step in its own file.
    const patches = new Map<string, A.Override[]>();
    for (const o of overrides) {
      const step = entry.imports.get(o.path[0]?.name ?? "")?.step;
      if (step) patches.set(step.file, [...(patches.get(step.file) ?? []), o]);
    }
    const again = new Run(loader, session, patches);
    const ast = withVariant(entry.ast, overrides);
    // Overrides of the file's own steps: only the steps they reach are checked again.
    const quick = patches.size === 0 && !session.options.variantsInFull ? again.variantOf(program, ast, overrides) : undefined;
    const checked = quick?.file ?? again.file(entry.path, entry.text, ast)!;
    const order = quick?.order ?? collectOrder(checked);
    if (!into.has(v.name.name)) {
      if (!quick) assignIds(order, checked);
      into.set(v.name.name, { entry: checked, files: again.files, order });
    }
    // Errors, and the one warning a variant's values can newly cause: a leak into training.
    // (The variant rules proper, MLP0501-0504, were reported on the file itself.)
    for (const d of [...again.diagnostics, ...checkLeakage(order), ...checkTargetReach(checked, order, compiledFor)]) {
      if ((d.severity !== "error" && d.code !== "MLP0606") || d.file !== entry.path || (d.code.startsWith("MLP05") && d.code !== "MLP0505") || known.has(key(d.code, d.span.start, d.message))) continue;
      known.add(key(d.code, d.span.start, d.message));
      const inside = d.span.start >= v.span.start && d.span.end <= v.span.end;
      // Blame the override of the step the error sits in, else the variant as a whole.
      const owner = entry.ast.decls.find((x) => x.kind === "step" && d.span.start >= x.span.start && d.span.end <= x.span.end) as A.StepDecl | undefined;
      const blamed = v.overrides.find((o) => owner && o.path[0]?.name === owner.name.name);
      out.push({
        ...d,
        message: `with variant \`${v.name.name}\`: ${d.message}`,
        span: inside ? d.span : (blamed?.span ?? v.name.span),
        notes: inside ? d.notes : [{ message: d.label ?? "here, once the variant's values apply", file: d.file, span: d.span }, ...(d.notes ?? [])],
      });
    }
  }
  return out;
}

/** The entry file's diagnostics by what raised them, kept for a session's next check. */
interface Owned {
  steps: Map<StepInfo, Diagnostic[]>;
  variants: Diagnostic[];
}
const ownedOf = new WeakMap<CheckedFile, Owned>();

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

/** Files with a dependency cycle: their variants are checked in full. */
const cyclicFiles = new WeakSet<CheckedFile>();
/** Names whose import failed, by file: a variant stays as quiet about them as the file. */
const poisonedOf = new WeakMap<CheckedFile, Set<string>>();

/** Parse results by path, with the text they were parsed from. */
type ParseCache = Map<string, { text: string; result: ParseResult }>;

/** The entry file itself could not be read: an I/O problem for the caller, not a diagnostic. */
export class UnreadableFile extends Error {
  constructor(readonly path: string) {
    super(`cannot read ${path}`);
  }
}

class Run {
  readonly files: CheckedFile[] = [];
  readonly diagnostics: Diagnostic[] = [];
  private readonly byPath = new Map<string, CheckedFile | "loading">();
  /**
   * `patches`: per imported file, the variant's overrides of steps imported from it; the
   * variant's program is checked with those steps' values in place too.
   */
  constructor(
    private readonly loader: FileLoader,
    readonly session: CheckSession,
    private readonly patches: ReadonlyMap<string, readonly A.Override[]> = new Map(),
  ) {}

  /** Checks a file once per run; `ast` replaces its parsed text (a variant's patched tree). */
  file(path: string, text?: string, ast?: A.SourceFileAst): CheckedFile | undefined {
    const seen = this.byPath.get(path);
    if (seen === "loading") return undefined;
    if (seen) return seen;
    const src = text ?? this.loader.read(path);
    if (src === undefined) return undefined;
    this.byPath.set(path, "loading");
    const parsed = this.session.parse(src, path);
    for (const d of parsed.diagnostics) this.diagnostics.push(d);
    const sink = new DiagnosticSink(path);
    const patch = ast ? undefined : this.patches.get(path);
    const tree = ast ?? (patch ? withVariant(parsed.ast, patch) : parsed.ast);
    const unit = new FileChecker(this, { path, text: src, ast: tree, lines: parsed.lines }, sink);
    const checked = unit.check();
    // A loop, not push(...list): a file can raise more diagnostics than a call takes arguments.
    for (const d of sink.list) this.diagnostics.push(d);
    this.byPath.set(path, checked);
    this.files.push(checked);
    return checked;
  }

  /**
   * The entry file with a variant's values in place (`ast`), built from the file's own checked
   * program: steps the overrides do not reach (not overridden, no overridden step upstream)
   * are the same StepInfo objects, the others are bound and checked again. Imports and schemas
   * are the file's (a variant sets step attributes and pipeline settings, nothing else).
   * Undefined when the file has a cycle (its order is then not the whole story).
   */
  variantOf(base: CheckedVariant, ast: A.SourceFileAst, overrides: readonly A.Override[]): { file: CheckedFile; order: StepInfo[] } | undefined {
    const entry = base.entry;
    if (cyclicFiles.has(entry)) return undefined;
    const sink = new DiagnosticSink(entry.path);
    const { file, again } = new FileChecker(this, { path: entry.path, text: entry.text, ast, lines: entry.lines }, sink).checkVariant(entry, base.order, overrides);
    for (const d of sink.list) this.diagnostics.push(d);
    this.byPath.set(entry.path, file);
    this.files.push(file, ...base.files.filter((f) => f !== entry));
    // The graph's shape is the file's: its order (and ids) with the steps checked again in place.
    return { file, order: base.order.map((s) => again.get(s) ?? s) };
  }

  isLoading(path: string): boolean {
    return this.byPath.get(path) === "loading";
  }
}

class FileChecker implements Scope {
  private readonly schemas = new Map<string, SchemaInfo>();
  private steps = new Map<string, StepInfo>();
  private readonly imports: CheckedFile["imports"] = new Map();
  private readonly declared = new Map<string, A.Ident>();
  /** Names whose import failed (already reported); uses of them report nothing more. */
  private readonly poisoned = new Set<string>();
  private readonly report: Report;
  private pipeline: A.PipelineDecl | undefined;
  private layout: A.LayoutDecl | undefined;
  /** What raises the diagnostics reported now: a step (its binding, rules, unused warning), the variant rules, or the file. */
  private owner: StepInfo | "variants" | undefined;
  /** The diagnostics raised by each owner, kept for a session's next check (none for a one-shot check). */
  private readonly owned: Owned | undefined;

  constructor(
    private readonly run: Run,
    private readonly unit: FileUnit,
    sink: DiagnosticSink,
  ) {
    const owned: Owned | undefined = run.session.options.once ? undefined : { steps: new Map(), variants: [] };
    this.owned = owned;
    this.report = owned
      ? (code, span, message, extras) => {
          sink.report(code, span, message, extras);
          const owner = this.owner;
          if (owner === undefined) return;
          const d = sink.list[sink.list.length - 1]!;
          if (owner === "variants") owned.variants.push(d);
          else {
            const list = owned.steps.get(owner);
            if (list) list.push(d);
            else owned.steps.set(owner, [d]);
          }
        }
      : (code, span, message, extras) => sink.report(code, span, message, extras);
  }

  step(name: string): StepInfo | undefined {
    return this.steps.get(name) ?? this.imports.get(name)?.step;
  }
  stepNames(): Iterable<string> {
    return [...this.steps.keys(), ...[...this.imports].filter(([, v]) => v.step).map(([k]) => k)];
  }
  isPoisoned(name: string): boolean {
    return this.poisoned.has(name);
  }
  isSchema(name: string): boolean {
    return this.schemaNamed(name) !== undefined;
  }
  schemaNamed(name: string): SchemaInfo | undefined {
    return this.schemas.get(name) ?? this.imports.get(name)?.schema;
  }

  check(): CheckedFile {
    const decls = this.unit.ast.decls;
    for (const d of decls) if (d.kind === "import") this.checkImport(d);
    for (const d of decls) this.declare(d);
    for (const d of decls) if (d.kind === "schema" && this.schemas.get(d.name.name)?.decl === d) this.schemas.get(d.name.name)!.schema = schemaFromDecl(d, this.report);

    const local = [...this.steps.values()];
    for (const s of local) this.bindStep(s);
    this.owner = undefined;
    const { order, cyclic } = orderSteps(local, (s) => this.dependencies(s), this.report);
    for (const s of order) this.checkOne(s);
    this.owner = undefined;
    for (const s of cyclic) s.outputs = new Map([["out", UNKNOWN]]);
    const hasCycle = cyclic.size > 0;

    const pipelineConfig = this.pipeline
      ? checkConfig(pipelineSettings, this.pipeline.body, { owner: `pipeline \`${this.pipeline.name.name}\``, ownerSpan: this.pipeline.name.span, report: this.report })
      : {};
    const targets = new Map<string, Config>();
    for (const d of decls) if (d.kind === "target") this.checkTarget(d, targets);
    const checked: CheckedFile = { ...this.unit, steps: this.steps, schemas: this.schemas, imports: this.imports, pipelineConfig, targets };
    if (this.pipeline) checked.pipeline = this.pipeline;
    if (hasCycle) cyclicFiles.add(checked);
    if (this.poisoned.size > 0) poisonedOf.set(checked, this.poisoned);
    if (this.layout) checkLayout(this.layout, this, this.report);
    this.owner = "variants";
    validOverrides.set(checked, checkVariants(this.unit.path, decls, this, pipelineConfig, this.report));
    this.owner = undefined;
    if (this.owned) ownedOf.set(checked, this.owned);
    if (this.pipeline)
      for (const s of local) {
        this.owner = s;
        warnIfUnused(s, this.report);
      }
    this.owner = undefined;
    return checked;
  }

  /** See Run.variantOf. `again`: the file's steps the overrides reach, and what replaces each. */
  checkVariant(base: CheckedFile, order: readonly StepInfo[], overrides: readonly A.Override[]): { file: CheckedFile; again: Map<StepInfo, StepInfo> } {
    for (const [k, v] of base.imports) this.imports.set(k, v);
    for (const [k, v] of base.schemas) this.schemas.set(k, v);
    for (const n of poisonedOf.get(base) ?? []) this.poisoned.add(n);
    // Only the overridden steps' declarations (and the pipeline's) differ from the file's.
    const targets = new Set(overrides.map((o) => o.path[0]?.name ?? ""));
    const decls = new Map<string, A.StepDecl>();
    for (const d of this.unit.ast.decls) {
      if (d.kind === "pipeline") this.pipeline ??= d;
      else if (d.kind === "step" && targets.has(d.name.name) && !decls.has(d.name.name)) decls.set(d.name.name, d);
    }
    const again = new Map<StepInfo, StepInfo>();
    for (const s of order) {
      if (s.file !== base.path) continue;
      const decl = s.decl.kind === "step" ? decls.get(s.name) : undefined;
      const changed = decl !== undefined && decl !== s.decl;
      const upstream = s.inputs.some((i) => i.step !== undefined && again.has(i.step));
      const of = s.decl.kind === "use" ? base.steps.get(s.decl.of.name) : undefined;
      if (!changed && !upstream && !(of !== undefined && again.has(of))) continue;
      const d = decl ?? s.decl;
      const fresh = d.kind === "step" ? this.newStep(s.name, s.kind, d, d) : this.newStep(s.name, undefined, d, undefined);
      fresh.id = s.id;
      again.set(s, fresh);
    }
    for (const [name, s] of base.steps) this.steps.set(name, again.get(s) ?? s);
    for (const fresh of again.values()) this.bindStep(fresh);
    for (const fresh of again.values()) this.checkOne(fresh);
    const pipelineConfig =
      this.pipeline && this.pipeline !== base.pipeline
        ? checkConfig(pipelineSettings, this.pipeline.body, { owner: `pipeline \`${this.pipeline.name.name}\``, ownerSpan: this.pipeline.name.span, report: this.report })
        : base.pipelineConfig;
    const file: CheckedFile = { ...this.unit, steps: this.steps, schemas: base.schemas, imports: base.imports, pipelineConfig, targets: base.targets };
    if (this.pipeline) file.pipeline = this.pipeline;
    return { file, again };
  }

  /**
   * See CheckSession.quick: the file after an edit that replaced the step declarations in
   * `replaced` (old -> new) by steps of the same names, kinds and inputs. Those steps, the
   * steps downstream of them and the `use`s of them (`dirty`, upstream first) are made again,
   * bound and checked (each reusing its stored results when its inputs came out the same);
   * every other step is the last check's StepInfo. The variant rules read steps' configs, so
   * they run again too.
   */
  checkEdit(base: CheckedFile, replaced: ReadonlyMap<A.Decl, A.StepDecl>, dirty: readonly string[]): { file: CheckedFile; again: Map<StepInfo, StepInfo> } {
    for (const [k, v] of base.imports) this.imports.set(k, v);
    for (const [k, v] of base.schemas) this.schemas.set(k, v);
    if (base.pipeline) this.pipeline = base.pipeline;
    const again = new Map<StepInfo, StepInfo>();
    for (const name of dirty) {
      const s = base.steps.get(name)!;
      const d = replaced.get(s.decl) ?? s.decl;
      const fresh = d.kind === "step" ? this.newStep(s.name, s.kind, d, d) : this.newStep(s.name, undefined, d, undefined);
      fresh.id = s.id;
      again.set(s, fresh);
    }
    this.steps = new Map(base.steps);
    for (const fresh of again.values()) this.steps.set(fresh.name, fresh);
    // Binding counts each consumer on its upstream step: a step kept from the last check was
    // counted then, by the same consumers (the graph's shape is unchanged), so it keeps its count.
    const counts = new Map<StepInfo, number>();
    for (const old of again.keys()) for (const i of old.inputs) if (i.step && !again.has(i.step)) counts.set(i.step, i.step.consumers);
    for (const fresh of again.values()) this.bindStep(fresh);
    for (const [s, n] of counts) s.consumers = n;
    for (const fresh of again.values()) this.checkOne(fresh);
    if (this.pipeline)
      for (const fresh of again.values()) {
        this.owner = fresh;
        warnIfUnused(fresh, this.report);
      }
    const file: CheckedFile = { ...this.unit, steps: this.steps, schemas: base.schemas, imports: base.imports, pipelineConfig: base.pipelineConfig, targets: base.targets };
    if (this.pipeline) file.pipeline = this.pipeline;
    this.owner = "variants";
    validOverrides.set(file, checkVariants(this.unit.path, this.unit.ast.decls, this, base.pipelineConfig, this.report));
    this.owner = undefined;
    if (this.owned) ownedOf.set(file, this.owned);
    return { file, again };
  }

  // ---------- declarations and imports ----------

  private claim(name: A.Ident, what: string): boolean {
    if (name.name === "") return false;
    const prev = this.declared.get(name.name);
    if (prev) {
      this.report("MLP0203", name.span, `\`${name.name}\` is declared twice`, {
        label: `second ${what} named \`${name.name}\``,
        notes: [{ message: "first declared here", file: this.unit.path, span: prev.span }],
        help: "names of schemas, steps and imports are unique within a file",
      });
      return false;
    }
    this.declared.set(name.name, name);
    return true;
  }

  private checkImport(d: A.ImportDecl): void {
    const target = resolveImport(this.unit.path, d.from.value);
    if (this.run.isLoading(target)) {
      this.report("MLP0207", d.from.span, `import cycle: \`${d.from.value}\` imports this file back`);
      for (const n of d.names) if (this.claim(n, "import")) this.poisoned.add(n.name);
      return;
    }
    const file = this.run.file(target);
    if (!file) {
      this.report("MLP0207", d.from.span, `cannot read \`${d.from.value}\``, { label: `looked for ${target}` });
      for (const n of d.names) if (this.claim(n, "import")) this.poisoned.add(n.name);
      return;
    }
    const exported = [...file.schemas.keys(), ...file.steps.keys()];
    for (const n of d.names) {
      if (!this.claim(n, "import")) continue;
      const schema = file.schemas.get(n.name);
      const step = file.steps.get(n.name);
      if (!schema && !step) {
        this.poisoned.add(n.name);
        this.report("MLP0206", n.span, `\`${n.name}\` is not declared in \`${d.from.value}\``, {
          help: didYouMean(n.name, exported) ?? (exported.length ? `it declares ${exported.join(", ")}` : "it declares nothing"),
        });
        continue;
      }
      const entry: { from: string; step?: StepInfo; schema?: SchemaInfo } = { from: d.from.value };
      if (step) entry.step = step;
      if (schema) entry.schema = schema;
      this.imports.set(n.name, entry);
    }
  }

  private declare(d: A.Decl): void {
    switch (d.kind) {
      case "pipeline":
        if (this.pipeline) {
          this.report("MLP0214", d.name.span, `a file holds one pipeline; \`${this.pipeline.name.name}\` is already declared`, {
            notes: [{ message: "first pipeline", file: this.unit.path, span: this.pipeline.name.span }],
          });
        } else this.pipeline = d;
        return;
      case "layout":
        // The graph holds one layout; a second would vanish without a word.
        if (this.layout) {
          this.report("MLP0218", keywordSpan(d.span, "layout"), "a file holds one `layout` block; one is already declared", {
            label: "second layout",
            notes: [{ message: "first layout", file: this.unit.path, span: keywordSpan(this.layout.span, "layout") }],
            help: "merge its entries into the first `layout` block",
          });
        } else this.layout = d;
        return;
      case "schema":
        if (this.claim(d.name, "schema")) this.schemas.set(d.name.name, { name: d.name.name, decl: d, file: this.unit.path, schema: undefined! });
        return;
      case "step": {
        const kind = stepKind(d.stepKind.name);
        if (!kind && d.stepKind.name !== "") {
          this.report("MLP0201", d.stepKind.span, `unknown step kind \`${d.stepKind.name}\``, {
            help: didYouMean(d.stepKind.name, [...STEP_KINDS.map((k) => k.kind), ...KEYWORDS]) ?? `the step kinds are ${STEP_KINDS.map((k) => k.kind).join(", ")}`,
          });
        }
        if (this.claim(d.name, "step")) this.steps.set(d.name.name, this.newStep(d.name.name, kind?.kind, d, d));
        return;
      }
      case "use":
        if (this.claim(d.name, "step")) this.steps.set(d.name.name, this.newStep(d.name.name, undefined, d, undefined));
        return;
      default:
        return;
    }
  }

  private newStep(name: string, kind: string | undefined, decl: A.StepDecl | A.UseDecl, body: A.StepDecl | undefined): StepInfo {
    return { id: name, name, kind, decl, body, file: this.unit.path, inputs: [], config: {}, configOk: false, outputs: new Map(), consumers: 0, types: new Map() };
  }

  // ---------- steps ----------

  private bindStep(s: StepInfo): void {
    this.owner = s;
    const d = s.decl;
    if (d.kind === "use") {
      const of = this.step(d.of.name);
      if (!of) {
        if (d.of.name !== "" && !this.poisoned.has(d.of.name))
          this.report("MLP0202", d.of.span, `unknown step \`${d.of.name}\``, {
            label: "nothing to re-apply",
            help: didYouMean(d.of.name, [...this.stepNames()].filter((n) => n !== d.name.name)),
          });
      } else if (of.decl.kind === "use") {
        s.kind = of.kind;
        s.body = of.body;
      } else {
        s.kind = of.kind;
        s.body = of.decl;
      }
      s.inputs = bindInputs(s, d.inputs, s.kind ? stepKind(s.kind) : undefined, this, this.report);
      return;
    }
    if (d.inputs && s.kind === "source" && d.inputs.length > 0) {
      this.report("MLP0213", d.inputs[0]!.span, "a source takes no inputs", { help: `write \`source ${s.name}: Table<Schema> { ... }\`` });
      s.inputs = [];
      return;
    }
    s.inputs = bindInputs(s, d.inputs ?? [], s.kind ? stepKind(s.kind) : undefined, this, this.report);
  }

  /** Upstream steps, plus the step a `use` re-applies (its body is checked first). */
  private dependencies(s: StepInfo): StepInfo[] {
    const deps = s.inputs.flatMap((i) => (i.step ? [i.step] : []));
    if (s.decl.kind === "use") {
      const of = this.step(s.decl.of.name);
      if (of) deps.push(of);
    }
    return deps;
  }

  private checkOne(s: StepInfo): void {
    this.owner = s;
    for (const i of s.inputs) if (i.step) i.artifact = i.step.outputs.get(i.output) ?? UNKNOWN;
    if (!s.kind || !s.body) {
      s.outputs = new Map([["out", UNKNOWN]]);
      return;
    }
    const schemaNamed = (n: string) => this.schemaNamed(n);
    const schemaNames = () => [...this.schemas.keys(), ...this.imports.keys()];
    if (s.decl.kind === "use") {
      const of = this.step(s.decl.of.name)!;
      const baseline = this.run.session.bodyKeys.get(of.decl.kind === "use" ? this.originalOf(of) : of) ?? new Set<string>();
      const use = s.decl;
      const redirect: Report = (code, span, message, extras) => {
        // The body's own mistakes are reported once, where they are written.
        if (baseline.has(key(code, span.start))) return;
        this.report(code, use.span, `re-applying \`${use.of.name}\` to ${use.inputs.map((i) => `\`${i.step.name}\``).join(", ")}: ${message}`, {
          help: extras?.help,
          notes: [{ message: extras?.label ?? "in this part of the re-applied body", file: of.file, span }],
        });
      };
      checkStep(s, { step: s, body: s.body, report: redirect, schemaNamed, schemaNames });
      return;
    }
    const keys = new Set<string>();
    const recording: Report = (code, span, message, extras) => {
      keys.add(key(code, span.start));
      this.report(code, span, message, extras);
    };
    this.run.session.bodyKeys.set(s, keys);
    if (this.run.session.options.once) {
      checkStep(s, { step: s, body: s.body, report: recording, schemaNamed, schemaNames });
      return;
    }
    const results = this.run.session.results;
    if (results.reuse(s, schemaNamed, schemaNames, recording)) return;
    // Checked, with what the rules looked up and reported, for the next check to reuse.
    const lookups: Lookups = { schemas: [], names: undefined };
    const reports: Parameters<StepResults["store"]>[2] = [];
    checkStep(s, {
      step: s,
      body: s.body,
      report: (code, span, message, extras) => {
        reports.push({ code, span, message, extras });
        recording(code, span, message, extras);
      },
      schemaNamed: (n) => {
        const found = schemaNamed(n);
        lookups.schemas.push([n, found]);
        return found;
      },
      schemaNames: () => (lookups.names = schemaNames()),
    });
    results.store(s, lookups, reports);
  }

  private originalOf(s: StepInfo): StepInfo {
    let cur = s;
    const seen = new Set<StepInfo>();
    while (cur.decl.kind === "use" && !seen.has(cur)) {
      seen.add(cur);
      const next = this.step(cur.decl.of.name);
      if (!next) break;
      cur = next;
    }
    return cur;
  }

  // ---------- settings ----------

  private checkTarget(d: A.TargetDecl, targets: Map<string, Config>): void {
    const name = d.name.name;
    const schema = TARGET_SETTINGS[name as keyof typeof TARGET_SETTINGS];
    if (!schema) {
      this.report("MLP0216", d.name.span, `unknown target \`${name}\``, { help: didYouMean(name, Object.keys(TARGET_SETTINGS)) ?? `the targets are ${Object.keys(TARGET_SETTINGS).join(", ")}` });
      return;
    }
    const first = this.unit.ast.decls.find((x): x is A.TargetDecl => x.kind === "target" && x.name.name === name);
    if (targets.has(name) && first) {
      this.report("MLP0203", d.name.span, `target \`${name}\` is configured twice`, { notes: [{ message: "first configured here", file: this.unit.path, span: first.name.span }] });
      return;
    }
    targets.set(name, checkConfig(schema, d.body, { owner: `target \`${name}\``, ownerSpan: d.name.span, report: this.report }));
  }
}

/**
 * Data a target cannot reach: a pipeline compiled for AWS (a `target aws` block, or compiled
 * with that target) runs its Glue jobs, SageMaker jobs and batch transforms on AWS, which has
 * no route to an HDFS cluster, so a source `uri` or a batch deployment's `output` on `hdfs://`
 * would only fail once deployed. Imported steps included (the entry's targets decide where
 * they run).
 */
function checkTargetReach(entry: CheckedFile, order: readonly StepInfo[], compiledFor: readonly string[]): Diagnostic[] {
  if (!entry.targets.has("aws") && !compiledFor.includes("aws")) return [];
  const out: Diagnostic[] = [];
  const awsBlock = entry.ast.decls.find((d): d is A.TargetDecl => d.kind === "target" && d.name.name === "aws");
  for (const s of order) {
    if (s.decl.kind !== "step" || (s.kind !== "source" && s.kind !== "deploy")) continue;
    const attrName = s.kind === "source" ? "uri" : "output";
    const attr = s.decl.body.find((st): st is A.Attr => st.kind === "attr" && st.name.name === attrName);
    const value = s.config[attrName];
    if (!attr || typeof value !== "string" || !awsCannotReach(value)) continue;
    out.push({
      severity: CATALOG.MLP0505.severity,
      code: "MLP0505",
      message: `\`${s.name}\` ${s.kind === "source" ? "reads" : "writes"} \`${value}\`, which AWS cannot reach`,
      file: s.file,
      span: attr.value.span,
      label: "an HDFS location",
      help: `copy the data to S3 (s3://...) or compile for onprem`,
      ...(awsBlock ? { notes: [{ message: "the file is compiled for AWS", file: entry.path, span: awsBlock.name.span }] } : {}),
    });
  }
  return out;
}

/** The keyword a declaration's span starts with, to point at it rather than the whole block. */
function keywordSpan(s: Span, keyword: string): Span {
  const end = Math.min(s.end, s.start + keyword.length);
  return { ...s, end, endLine: s.line, endCol: s.col + (end - s.start) };
}

/** Per checked file, the variant overrides that passed their own checks. */
const validOverrides = new WeakMap<CheckedFile, Map<A.VariantDecl, A.Override[]>>();

const key = (code: string, start: number, message = "") => `${code}@${start}:${message}`;

/** Every step the entry's graph holds, upstream first: imported steps and their own inputs included. */
function collectOrder(entry: CheckedFile): StepInfo[] {
  const out: StepInfo[] = [];
  const seen = new Set<StepInfo>();
  const visit = (root: StepInfo) => {
    // Iterative post-order: a long chain must not overflow the stack.
    const stack: [StepInfo, number][] = [[root, 0]];
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const [s, i] = top;
      if (i === 0) {
        if (seen.has(s)) {
          stack.pop();
          continue;
        }
        seen.add(s);
      }
      const next = s.inputs[i];
      if (next) {
        top[1] = i + 1;
        if (next.step && !seen.has(next.step)) stack.push([next.step, 0]);
        continue;
      }
      stack.pop();
      out.push(s);
    }
  };
  for (const [, v] of entry.imports) if (v.step) visit(v.step);
  for (const s of entry.steps.values()) visit(s);
  return out;
}

/** Imported steps keep their name unless a step of the entry file (or another import) has it. */
function assignIds(order: StepInfo[], entry: CheckedFile): void {
  const taken = new Set<string>();
  for (const s of order) if (s.file === entry.path) taken.add(s.name);
  for (const [name, v] of entry.imports) if (v.step) taken.add(name);
  for (const s of order) {
    if (s.file === entry.path || entry.imports.get(s.name)?.step === s) {
      s.id = s.name;
      continue;
    }
    let id = taken.has(s.name) ? `${stem(s.file)}__${s.name}` : s.name;
    for (let n = 2; taken.has(id); n++) id = `${stem(s.file)}__${s.name}_${n}`;
    taken.add(id);
    s.id = id;
  }
}
