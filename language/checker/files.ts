// Checks the files of a program: reads a file and its imports through a FileLoader, then
// runs the rule families over each file in a fixed order (declarations and imports, schemas,
// step inputs and order, each step's rules, settings, variants, warnings), and checks each
// variant's program. A CheckSession (session.ts) drives it and keeps what it found.
import type * as A from "../ast";
import { stepKind, STEP_KINDS } from "../catalog";
import { TARGET_SETTINGS, pipelineSettings } from "../catalog/settings";
import { didYouMean, DiagnosticSink, type Diagnostic } from "../diagnostics/diagnostic";
import { CATALOG } from "../diagnostics/catalog";
import { awsCannotReach, resolveImport, stem } from "../paths";
import type { Span } from "../span";
import { UNKNOWN } from "../types";
import { checkConfig } from "./config";
import { bindInputs, orderSteps, type Scope } from "./graph";
import type { CheckedFile, CheckedVariant, Config, FileLoader, FileUnit, Report, SchemaInfo, StepInfo } from "./model";
import { schemaFromDecl } from "./schemas";
import { checkLayout } from "./layout";
import { checkStep } from "./steps";
import { checkVariants, patchVariant, withVariant } from "./variants";
import { downstream, type Shape } from "./edits";
import { warnIfUnused } from "./warnings";
import { checkLeakage } from "./leakage";
import type { Lookups, StepResults } from "./reuse";
import type { CheckSession } from "./session";
import { withSteps, type Steps } from "./table";

const KEYWORDS = ["import", "pipeline", "schema", "use", "variant", "target", "layout"];

/**
 * Each variant compiles to its own stack, so the whole file is checked again with the
 * variant's values in place; that checked program is what lowering a variant reads (the
 * variant is applied once, here). Errors that only the variant causes are reported against it.
 */
export function checkVariantPrograms(
  program: CheckedVariant,
  loader: FileLoader,
  session: CheckSession,
  base: readonly Diagnostic[],
  into: Map<string, CheckedVariant>,
  compiledFor: readonly string[],
  shape: Shape,
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
    const { ast, patched } = patchVariant(entry.ast, overrides);
    // Overrides of the file's own steps: only the steps they reach are checked again.
    const quick = patches.size === 0 && !session.options.variantsInFull ? again.variantOf(program, shape, ast, patched) : undefined;
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
export interface Owned {
  steps: Map<StepInfo, Diagnostic[]>;
  variants: Diagnostic[];
}
export const ownedOf = new WeakMap<CheckedFile, Owned>();


/** Files with a dependency cycle: their variants are checked in full. */
export const cyclicFiles = new WeakSet<CheckedFile>();
/** Names whose import failed, by file: a variant stays as quiet about them as the file. */
export const poisonedOf = new WeakMap<CheckedFile, Set<string>>();


/** The entry file itself could not be read: an I/O problem for the caller, not a diagnostic. */
export class UnreadableFile extends Error {
  constructor(readonly path: string) {
    super(`cannot read ${path}`);
  }
}

export class Run {
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
  variantOf(base: CheckedVariant, shape: Shape, ast: A.SourceFileAst, patched: ReadonlyMap<A.Decl, A.Decl>): { file: CheckedFile; order: StepInfo[] } | undefined {
    const entry = base.entry;
    if (cyclicFiles.has(entry)) return undefined;
    const sink = new DiagnosticSink(entry.path);
    const { file, again } = new FileChecker(this, { path: entry.path, text: entry.text, ast, lines: entry.lines }, sink).checkVariant(entry, shape, patched);
    for (const d of sink.list) this.diagnostics.push(d);
    this.byPath.set(entry.path, file);
    this.files.push(file, ...base.files.filter((f) => f !== entry));
    // The graph's shape is the file's: its order (and ids) with the steps checked again in place.
    const order = base.order.slice();
    for (const [s, fresh] of again) order[shape.position.get(s.name)!] = fresh;
    return { file, order };
  }

  isLoading(path: string): boolean {
    return this.byPath.get(path) === "loading";
  }
}

export class FileChecker implements Scope {
  /** Declared or imported here (check), or the last check's (checkVariant, checkEdit: a variant or a body edit changes neither). */
  private schemas = new Map<string, SchemaInfo>();
  /** The steps declared here (check). */
  private readonly local = new Map<string, StepInfo>();
  /** The file's steps: `local`, or the last check's with some in place (checkVariant, checkEdit). */
  private steps: Steps = this.local;
  private imports: CheckedFile["imports"] = new Map();
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

  /**
   * See Run.variantOf: `patched`, the declarations the variant's values changed (the file's ->
   * the variant's). `again`: the file's steps the overrides reach, and what replaces each.
   */
  checkVariant(base: CheckedFile, shape: Shape, patched: ReadonlyMap<A.Decl, A.Decl>): { file: CheckedFile; again: Map<StepInfo, StepInfo> } {
    for (const n of poisonedOf.get(base) ?? []) this.poisoned.add(n);
    // Only the overridden steps' declarations (and the pipeline's) differ from the file's.
    if (base.pipeline) this.pipeline = (patched.get(base.pipeline) as A.PipelineDecl | undefined) ?? base.pipeline;
    const decls = new Map<string, A.StepDecl>();
    for (const [d, p] of patched) if (d.kind === "step" && base.steps.get(d.name.name)?.decl === d) decls.set(d.name.name, p as A.StepDecl);
    const again = this.remake(base, downstream(shape, decls.keys()), (s) => decls.get(s.name) ?? s.decl);
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
    if (base.pipeline) this.pipeline = base.pipeline;
    const again = this.remake(base, dirty, (s) => replaced.get(s.decl) ?? s.decl);
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

  /**
   * The steps `names` (upstream first) of `base` made again from `declOf` their declarations,
   * bound and checked, in the base's scope (a variant or a body edit changes no name, import or
   * schema); every other step is the base's. Returns each step made again and what replaces it.
   */
  private remake(base: CheckedFile, names: Iterable<string>, declOf: (s: StepInfo) => A.StepDecl | A.UseDecl): Map<StepInfo, StepInfo> {
    this.imports = base.imports;
    this.schemas = base.schemas;
    const again = new Map<StepInfo, StepInfo>();
    for (const name of names) {
      const s = base.steps.get(name)!;
      const d = declOf(s);
      const fresh = d.kind === "step" ? this.newStep(s.name, s.kind, d, d) : this.newStep(s.name, undefined, d, undefined);
      fresh.id = s.id;
      again.set(s, fresh);
    }
    this.steps = withSteps(base.steps, again.values());
    // Binding counts each consumer on its upstream step. A step kept from the base was counted
    // there by the same consumers (the graph's shape is the base's), and the base's program
    // shares it: it keeps its count.
    const counts = new Map<StepInfo, number>();
    for (const old of again.keys()) for (const i of old.inputs) if (i.step && !again.has(i.step)) counts.set(i.step, i.step.consumers);
    for (const fresh of again.values()) this.bindStep(fresh);
    for (const [s, n] of counts) s.consumers = n;
    for (const fresh of again.values()) this.checkOne(fresh);
    return again;
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
        if (this.claim(d.name, "step")) this.local.set(d.name.name, this.newStep(d.name.name, kind?.kind, d, d));
        return;
      }
      case "use":
        if (this.claim(d.name, "step")) this.local.set(d.name.name, this.newStep(d.name.name, undefined, d, undefined));
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
      const at = s.body.span;
      const redirect: Report = (code, span, message, extras) => {
        // The body's own mistakes are reported once, where they are written.
        if (baseline.has(key(code, span.start - at.start))) return;
        this.report(code, use.span, `re-applying \`${use.of.name}\` to ${use.inputs.map((i) => `\`${i.step.name}\``).join(", ")}: ${message}`, {
          help: extras?.help,
          notes: [{ message: extras?.label ?? "in this part of the re-applied body", file: of.file, span }],
        });
      };
      checkStep(s, { step: s, body: s.body, report: redirect, schemaNamed, schemaNames });
      return;
    }
    // Where in its body each diagnostic sits: the body may move with the text before a `use`
    // of it is checked again (a session keeps a step an edit above it did not reach).
    // Made at the first report: most steps have none, and an absent set reads as an empty one.
    let keys: Set<string> | undefined;
    const at = s.body.span;
    const recording: Report = (code, span, message, extras) => {
      if (!keys) this.run.session.bodyKeys.set(s, (keys = new Set()));
      keys.add(key(code, span.start - at.start));
      this.report(code, span, message, extras);
    };
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
export function checkTargetReach(entry: CheckedFile, order: readonly StepInfo[], compiledFor: readonly string[]): Diagnostic[] {
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
export function collectOrder(entry: CheckedFile): StepInfo[] {
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
export function assignIds(order: StepInfo[], entry: CheckedFile): void {
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
