// The grammar: a chevrotain parser that builds the AST directly (embedded actions), with a
// span on every node. Error recovery is on: chevrotain inserts or deletes single tokens and
// re-syncs at statement boundaries, so one run reports every independent syntax error.
// What the errors say lives in syntax-errors.ts, the nesting limits in limits.ts, and the
// entry function that runs lexer, grammar and both in parser.ts.
import { EmbeddedActionsParser, type IOrAlt, type IToken } from "chevrotain";
import type * as A from "./ast";
import * as T from "./lexer";
import { NO_SPAN, type Span } from "./span";

type OpBody = A.Op extends infer O ? (O extends unknown ? Omit<O, "span" | "keyword" | keyof A.Comments> : never) : never;

const OP_TOKENS: Record<string, A.CompareOp> = { EqEq: "==", NotEq: "!=", Lt: "<", LtEq: "<=", Gt: ">", GtEq: ">=" };

export class MlpParser extends EmbeddedActionsParser {
  constructor() {
    super(T.allTokens, { recoveryEnabled: true, maxLookahead: 3, skipValidations: true });
    this.performSelfAnalysis();
  }

  // ---------- helpers (only called inside ACTION or after recording) ----------

  private tokSpan(t: IToken): Span {
    if (Number.isNaN(t.startOffset) || t.isInsertedInRecovery) {
      const prev = this.LA(0);
      const end = Number.isNaN(prev.endOffset!) ? 0 : prev.endOffset! + 1;
      const line = prev.endLine ?? 1;
      const col = (prev.endColumn ?? 0) + 1;
      return { start: end, line, col, end, endLine: line, endCol: col };
    }
    return {
      start: t.startOffset,
      line: t.startLine!,
      col: t.startColumn!,
      end: t.endOffset! + 1,
      endLine: t.endLine!,
      endCol: t.endColumn! + 1,
    };
  }

  /** Span from a start token (or span) to the last consumed token. */
  private from(start: IToken | Span): Span {
    const e = this.LA(0);
    const real = (t: IToken) => !Number.isNaN(t.startOffset) && !t.isInsertedInRecovery;
    // The common case reads the tokens directly: one object per call (this runs for every node).
    if (real(e) && (!("image" in start) || real(start))) {
      const end = e.endOffset! + 1;
      if ("image" in start) {
        if (end < start.endOffset! + 1) return this.tokSpan(start);
        return { start: start.startOffset, line: start.startLine!, col: start.startColumn!, end, endLine: e.endLine!, endCol: e.endColumn! + 1 };
      }
      if (end < start.end) return start;
      return { start: start.start, line: start.line, col: start.col, end, endLine: e.endLine!, endCol: e.endColumn! + 1 };
    }
    const s = "image" in start ? this.tokSpan(start) : start;
    const t = this.tokSpan(e);
    if (t.end < s.end) return s;
    return { start: s.start, line: s.line, col: s.col, end: t.end, endLine: t.endLine, endCol: t.endCol };
  }

  private ident(t: IToken): A.Ident {
    return { kind: "ident", name: t.isInsertedInRecovery ? "" : t.image, span: this.tokSpan(t) };
  }

  private exprOr(e: A.Expr | undefined, t: IToken): A.Expr {
    return e ?? { kind: "error", span: this.tokSpan(t) };
  }

  // ---------- file ----------

  // Recovery keeps what was parsed: complete declarations are collected as they end, and a
  // declaration cut short by an error (say a missing `}` at the end of the file) is kept
  // with the statements it had, instead of vanishing with everything before it.
  private collected: A.Decl[] = [];
  private partial: { decl: A.Decl; start: IToken } | undefined;

  startFile(): void {
    this.stray.length = 0;
    this.collected = [];
    this.partial = undefined;
  }

  private begin<D extends A.Decl>(decl: D, start: IToken): D {
    this.partial = { decl, start };
    return decl;
  }

  private finish<D extends A.Decl>(decl: D, start: IToken): D {
    decl.span = this.from(start);
    this.partial = undefined;
    return decl;
  }

  private takePartial(): A.Decl | undefined {
    const p = this.partial;
    this.partial = undefined;
    if (!p) return undefined;
    p.decl.span = this.from(p.start);
    return p.decl;
  }

  private readonly keepPartial = { recoveryValueFunc: () => this.takePartial() as never };

  file = this.RULE(
    "file",
    (): A.Decl[] => {
      this.MANY(() => {
        const d = this.SUBRULE(this.decl);
        this.ACTION(() => d && this.collected.push(d));
      });
      return this.collected;
    },
    {
      recoveryValueFunc: () => {
        const p = this.takePartial();
        if (p) this.collected.push(p);
        return this.collected;
      },
    },
  );

  private decl = this.RULE("decl", (): A.Decl =>
    this.OR<A.Decl>([
      { ALT: () => this.SUBRULE(this.importDecl) },
      { ALT: () => this.SUBRULE(this.settingsDecl) },
      { ALT: () => this.SUBRULE(this.schemaDecl) },
      { ALT: () => this.SUBRULE(this.useDecl) },
      { ALT: () => this.SUBRULE(this.variantDecl) },
      { ALT: () => this.SUBRULE(this.layoutDecl) },
      { ALT: () => this.SUBRULE(this.stepDecl) },
    ]),
    this.keepPartial,
  );

  private importDecl = this.RULE("importDecl", (): A.ImportDecl => {
    const start = this.CONSUME(T.Import);
    this.CONSUME(T.LCurly);
    const names = this.SUBRULE(this.identList);
    this.CONSUME(T.RCurly);
    this.CONSUME(T.From);
    const path = this.CONSUME(T.StringLit);
    return this.ACTION(() => ({
      kind: "import",
      names: names ?? [],
      from: { value: unquote(path.image), span: this.tokSpan(path) },
      span: this.from(start),
    }));
  });

  /** `pipeline NAME { ... }` and `target NAME { ... }`: a name and its settings. */
  private settingsDecl = this.RULE(
    "settingsDecl",
    (): A.PipelineDecl | A.TargetDecl => {
      const start = this.OR([{ ALT: () => this.CONSUME(T.Pipeline) }, { ALT: () => this.CONSUME(T.Target) }]);
      const name = this.CONSUME(T.Identifier);
      const kind = start.tokenType === T.Pipeline ? "pipeline" : "target";
      return this.attrDecl(start, () => ({ kind, name: this.ident(name), body: [], span: this.tokSpan(start) }), (d) => d.body);
    },
    this.keepPartial,
  );

  private layoutDecl = this.RULE(
    "layoutDecl",
    (): A.LayoutDecl => {
      const start = this.CONSUME(T.Layout);
      return this.attrDecl(start, () => ({ kind: "layout", entries: [], span: this.tokSpan(start) }), (d) => d.entries);
    },
    this.keepPartial,
  );

  /** The `{ name = value ... }` part of a pipeline, target or layout declaration, kept when cut short. */
  private attrDecl<D extends A.PipelineDecl | A.TargetDecl | A.LayoutDecl>(start: IToken, make: () => D, attrs: (d: D) => A.Attr[]): D {
    const d = this.ACTION(() => this.begin(make(), start));
    this.SUBRULE(this.attrBlock, { ARGS: [d && attrs(d)] });
    return this.ACTION(() => this.finish(d, start));
  }

  private attrBlock = this.RULE("attrBlock", (into: A.Attr[]): void => {
    this.CONSUME(T.LCurly);
    this.MANY(() => {
      const a = this.SUBRULE(this.attr);
      this.ACTION(() => a && into.push(a));
    });
    this.CONSUME(T.RCurly);
  });

  private schemaDecl = this.RULE(
    "schemaDecl",
    (): A.SchemaDecl => {
      const start = this.CONSUME(T.Schema);
      const name = this.CONSUME(T.Identifier);
      const d = this.ACTION(() => this.begin<A.SchemaDecl>({ kind: "schema", name: this.ident(name), fields: [], span: this.tokSpan(start) }, start));
      this.CONSUME(T.LCurly);
      this.MANY(() => {
        const f = this.CONSUME2(T.Identifier);
        this.CONSUME(T.Colon);
        const type = this.SUBRULE(this.typeRef);
        this.ACTION(() => d.fields.push({ name: this.ident(f), type: type ?? this.errorType(f), span: this.from(f) }));
      });
      this.CONSUME(T.RCurly);
      return this.ACTION(() => this.finish(d, start));
    },
    this.keepPartial,
  );

  private errorType(t: IToken): A.TypeRef {
    const span = this.tokSpan(t);
    return { kind: "type", name: { kind: "ident", name: "", span }, nullable: false, span };
  }

  private useDecl = this.RULE("useDecl", (): A.UseDecl => {
    const start = this.CONSUME(T.Use);
    const name = this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    const of = this.CONSUME2(T.Identifier);
    const inputs = this.SUBRULE(this.inputs);
    return this.ACTION(() => ({ kind: "use", name: this.ident(name), of: this.ident(of), inputs: inputs ?? [], span: this.from(start) }));
  });

  private variantDecl = this.RULE("variantDecl", (): A.VariantDecl => {
    const start = this.CONSUME(T.Variant);
    const name = this.CONSUME(T.Identifier);
    const d = this.ACTION(() => this.begin<A.VariantDecl>({ kind: "variant", name: this.ident(name), overrides: [], span: this.tokSpan(start) }, start));
    this.CONSUME(T.LCurly);
    this.MANY(() => {
      // `pipeline.schedule = ...` overrides the pipeline's own settings.
      const first = this.OR([{ ALT: () => this.CONSUME2(T.Identifier) }, { ALT: () => this.CONSUME(T.Pipeline) }]);
      const path = [first];
      this.MANY2(() => {
        this.CONSUME(T.Dot);
        path.push(this.CONSUME3(T.Identifier));
      });
      this.CONSUME(T.Equals);
      const value = this.SUBRULE(this.expr);
      this.ACTION(() =>
        d.overrides.push({ path: path.map((t) => this.ident(t)), value: this.exprOr(value, first), span: this.from(first) }),
      );
    });
    this.CONSUME(T.RCurly);
    return this.ACTION(() => this.finish(d, start));
  }, this.keepPartial);

  private stepDecl = this.RULE("stepDecl", (): A.StepDecl => {
    const kind = this.CONSUME(T.Identifier);
    const name = this.CONSUME2(T.Identifier);
    let inputs: A.InputRef[] | undefined;
    let output: A.ArtifactTypeRef | undefined;
    this.OPTION(() => {
      inputs = this.SUBRULE(this.inputs);
    });
    this.OPTION2(() => {
      this.CONSUME(T.Colon);
      output = this.SUBRULE(this.artifactType);
    });
    const d = this.ACTION(() => {
      const d: A.StepDecl = { kind: "step", stepKind: this.ident(kind), name: this.ident(name), body: [], span: this.tokSpan(kind) };
      if (inputs) d.inputs = inputs;
      if (output) d.output = output;
      return this.begin(d, kind);
    });
    this.SUBRULE(this.body, { ARGS: [d?.body] });
    return this.ACTION(() => this.finish(d, kind));
  }, this.keepPartial);

  private inputs = this.RULE("inputs", (): A.InputRef[] => {
    const list: A.InputRef[] = [];
    this.CONSUME(T.LParen);
    this.MANY_SEP({
      SEP: T.Comma,
      DEF: () => {
        const r = this.SUBRULE(this.inputRef);
        this.ACTION(() => r && list.push(r));
      },
    });
    this.CONSUME(T.RParen);
    return list;
  }, { recoveryValueFunc: () => [] });

  private inputRef = this.RULE("inputRef", (): A.InputRef => {
    let port: IToken | undefined;
    this.OPTION(() => {
      port = this.CONSUME(T.Identifier);
      this.CONSUME(T.Colon);
    });
    const step = this.CONSUME2(T.Identifier);
    let output: IToken | undefined;
    this.OPTION2(() => {
      this.CONSUME(T.Dot);
      output = this.CONSUME3(T.Identifier);
    });
    return this.ACTION(() => {
      const r: A.InputRef = { step: this.ident(step), span: this.from(port ?? step) };
      if (port) r.port = this.ident(port);
      if (output) r.output = this.ident(output);
      return r;
    });
  });

  private artifactType = this.RULE("artifactType", (): A.ArtifactTypeRef => {
    const name = this.CONSUME(T.Identifier);
    let schema: IToken | undefined;
    this.OPTION(() => {
      this.CONSUME(T.Lt);
      schema = this.CONSUME2(T.Identifier);
      this.CONSUME(T.Gt);
    });
    return this.ACTION(() => {
      const r: A.ArtifactTypeRef = { kind: "artifact", name: this.ident(name), span: this.from(name) };
      if (schema) r.schema = this.ident(schema);
      return r;
    });
  });

  private typeRef = this.RULE("typeRef", (): A.TypeRef => {
    const name = this.CONSUME(T.Identifier);
    let args: A.Expr[] | undefined;
    let nullable = false;
    this.OPTION(() => {
      this.CONSUME(T.LParen);
      args = [];
      this.MANY_SEP({
        SEP: T.Comma,
        DEF: () => {
          const e = this.SUBRULE(this.expr);
          this.ACTION(() => args!.push(this.exprOr(e, name)));
        },
      });
      this.CONSUME(T.RParen);
    });
    this.OPTION2(() => {
      this.CONSUME(T.Question);
      nullable = true;
    });
    return this.ACTION(() => {
      const r: A.TypeRef = { kind: "type", name: this.ident(name), nullable, span: this.from(name) };
      if (args) r.args = args;
      return r;
    });
  });

  // ---------- step bodies ----------

  /** `{ statements }`, appending to `into` as it goes. */
  private body = this.RULE("body", (into: A.BodyStmt[]): void => {
    this.CONSUME(T.LCurly);
    this.MANY(() => {
      const s = this.SUBRULE(this.stmt);
      this.ACTION(() => s && into.push(s));
    });
    this.CONSUME(T.RCurly);
  });

  private stmt = this.RULE("stmt", (): A.BodyStmt =>
    this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        { GATE: () => this.LA(2).tokenType === T.Equals, ALT: () => this.SUBRULE(this.attr) },
        { GATE: () => this.LA(2).tokenType === T.Colon, ALT: () => this.SUBRULE(this.columnDef) },
        { GATE: () => this.LA(2).tokenType === T.LCurly, ALT: () => this.SUBRULE(this.block) },
        { ALT: () => this.SUBRULE(this.op) },
      ],
    }),
  );

  /** Stray tokens the grammar skips with an error of their own (`x = = 1`). */
  readonly stray: IToken[] = [];

  private attr = this.RULE("attr", (): A.Attr => {
    const name = this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    this.OPTION({
      GATE: () => this.LA(1).tokenType === T.Equals,
      DEF: () => {
        const extra = this.CONSUME2(T.Equals);
        this.ACTION(() => this.stray.push(extra));
      },
    });
    const value = this.SUBRULE(this.expr);
    return this.ACTION(() => ({ kind: "attr", name: this.ident(name), value: this.exprOr(value, name), span: this.from(name) }));
  });

  private columnDef = this.RULE("columnDef", (): A.ColumnDef => {
    const name = this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    const type = this.SUBRULE(this.typeRef);
    this.CONSUME(T.Equals);
    const value = this.SUBRULE(this.expr);
    return this.ACTION(() => ({
      kind: "column",
      name: this.ident(name),
      type: type ?? this.errorType(name),
      value: this.exprOr(value, name),
      span: this.from(name),
    }));
  });

  private block = this.RULE("block", (): A.Block => {
    const name = this.CONSUME(T.Identifier);
    const body: A.BodyStmt[] = [];
    this.SUBRULE(this.body, { ARGS: [body] });
    return this.ACTION(() => ({ kind: "block", name: this.ident(name), body, span: this.from(name) }));
  });

  private op = this.RULE("op", (): A.Op => {
    let kw!: IToken;
    const op = this.OR<OpBody>([
      {
        ALT: () => {
          kw = this.CONSUME(T.Filter);
          const cond = this.SUBRULE(this.expr);
          return this.ACTION(() => ({ kind: "filter" as const, cond: this.exprOr(cond, kw) }));
        },
      },
      {
        // `fill COL = EXPR` and `derive COL = EXPR`: a column and its new value.
        ALT: () => {
          kw = this.OR3([{ ALT: () => this.CONSUME(T.Fill) }, { ALT: () => this.CONSUME(T.Derive) }]);
          const column = this.CONSUME(T.Identifier);
          this.CONSUME(T.Equals);
          const value = this.SUBRULE2(this.expr);
          const kind = kw.tokenType === T.Fill ? ("fill" as const) : ("derive" as const);
          return this.ACTION(() => ({ kind, column: this.ident(column), value: this.exprOr(value, column) }));
        },
      },
      {
        ALT: () => {
          kw = this.CONSUME(T.Drop);
          const columns = this.SUBRULE(this.identList);
          return { kind: "drop" as const, columns: columns ?? [] };
        },
      },
      {
        ALT: () => {
          kw = this.CONSUME(T.Rename);
          const from = this.CONSUME3(T.Identifier);
          this.CONSUME(T.Arrow);
          const to = this.CONSUME4(T.Identifier);
          return this.ACTION(() => ({ kind: "rename" as const, from: this.ident(from), to: this.ident(to) }));
        },
      },
      {
        ALT: () => {
          kw = this.CONSUME(T.Cast);
          const column = this.CONSUME5(T.Identifier);
          this.CONSUME(T.As);
          const type = this.SUBRULE(this.typeRef);
          return this.ACTION(() => ({ kind: "cast" as const, column: this.ident(column), type: type ?? this.errorType(column) }));
        },
      },
      {
        ALT: () => {
          kw = this.CONSUME(T.Dedupe);
          this.CONSUME(T.By);
          const by = this.SUBRULE2(this.identList);
          let order: IToken | undefined;
          let col: IToken | undefined;
          this.OPTION(() => {
            this.CONSUME(T.Keep);
            order = this.OR5([{ ALT: () => this.CONSUME(T.Latest) }, { ALT: () => this.CONSUME(T.Earliest) }]);
            col = this.CONSUME6(T.Identifier);
          });
          return this.ACTION(() => {
            const r: OpBody = { kind: "dedupe" as const, by: by ?? [] };
            if (order && col) {
              if (order.tokenType === T.Earliest) r.earliest = this.ident(col);
              else r.latest = this.ident(col);
            }
            return r;
          });
        },
      },
      {
        // `by COLS`, `key COLS`, `keep COLS`: a list of columns.
        ALT: () => {
          kw = this.OR4([{ ALT: () => this.CONSUME2(T.By) }, { ALT: () => this.CONSUME(T.Key) }, { ALT: () => this.CONSUME2(T.Keep) }]);
          const columns = this.SUBRULE3(this.identList);
          const kind = kw.tokenType === T.Key ? ("key" as const) : kw.tokenType === T.Keep ? ("keep" as const) : ("by" as const);
          return { kind, columns: columns ?? [] };
        },
      },
      {
        ALT: () => {
          kw = this.CONSUME(T.Require);
          const metric = this.CONSUME7(T.Identifier);
          const op = this.SUBRULE(this.compareOp);
          const value = this.SUBRULE4(this.expr);
          return this.ACTION(() => ({
            kind: "require" as const,
            metric: this.ident(metric),
            op: op ?? ">=",
            value: this.exprOr(value, metric),
          }));
        },
      },
    ]);
    return this.ACTION(() => ({ ...op, keyword: this.tokSpan(kw), span: this.from(kw) }) as A.Op);
  });

  private compareOp = this.RULE("compareOp", (): A.CompareOp => {
    const t = this.OR((this.opAlts.compare ??= [
      { ALT: () => this.CONSUME(T.EqEq) },
      { ALT: () => this.CONSUME(T.NotEq) },
      { ALT: () => this.CONSUME(T.LtEq) },
      { ALT: () => this.CONSUME(T.GtEq) },
      { ALT: () => this.CONSUME(T.Lt) },
      { ALT: () => this.CONSUME(T.Gt) },
    ]));
    return this.ACTION(() => OP_TOKENS[t.tokenType.name] ?? "==");
  });

  private identList = this.RULE(
    "identList",
    (): A.Ident[] => {
      const list: A.Ident[] = [];
      this.AT_LEAST_ONE_SEP({
        SEP: T.Comma,
        DEF: () => {
          const t = this.CONSUME(T.Identifier);
          this.ACTION(() => list.push(this.ident(t)));
        },
      });
      return list;
    },
    // `import {} from ...`: the syntax error is reported; the tree still holds a list.
    { recoveryValueFunc: () => [] },
  );

  // ---------- expressions ----------

  expr = this.RULE("expr", (): A.Expr => {
    let left = this.SUBRULE(this.andExpr);
    this.MANY(() => {
      this.CONSUME(T.Or);
      const right = this.SUBRULE2(this.andExpr);
      this.ACTION(() => (left = binary("or", left, right)));
    });
    return left;
  });

  private andExpr = this.RULE("andExpr", (): A.Expr => {
    let left = this.SUBRULE(this.notExpr);
    this.MANY(() => {
      this.CONSUME(T.And);
      const right = this.SUBRULE2(this.notExpr);
      this.ACTION(() => (left = binary("and", left, right)));
    });
    return left;
  });

  // Prefix runs (`not not x`, `- -x`) are read in a loop rather than by recursion, so only
  // brackets deepen the parser's stack, and limits.ts bounds brackets.
  private notExpr = this.RULE("notExpr", (): A.Expr => {
    const nots: IToken[] = [];
    this.MANY(() => {
      const t = this.CONSUME(T.Not);
      this.ACTION(() => nots.push(t));
    });
    const operand = this.SUBRULE(this.cmpExpr);
    return this.ACTION(() => {
      if (nots.length === 0) return operand;
      let e = this.exprOr(operand, nots.at(-1)!);
      const end = this.tokSpan(this.LA(0));
      for (let i = nots.length - 1; i >= 0; i--) e = { kind: "unary", op: "not", operand: e, span: spanTo(this.tokSpan(nots[i]!), end) };
      return e;
    });
  });

  private cmpExpr = this.RULE("cmpExpr", (): A.Expr => {
    let left = this.SUBRULE(this.rangeExpr);
    this.OPTION(() =>
      this.OR([
        {
          ALT: () => {
            const op = this.SUBRULE(this.compareOp);
            const right = this.SUBRULE2(this.rangeExpr);
            this.ACTION(() => (left = binary(op, left, right)));
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Is);
            let negated = false;
            this.OPTION2(() => {
              this.CONSUME(T.Not);
              negated = true;
            });
            this.CONSUME(T.Null);
            this.ACTION(() => {
              const operand = left ?? { kind: "error" as const, span: this.tokSpan(this.LA(0)) };
              left = { kind: "isnull", operand, negated, span: this.from(operand.span) };
            });
          },
        },
      ]),
    );
    return left;
  });

  private rangeExpr = this.RULE("rangeExpr", (): A.Expr => {
    let left = this.SUBRULE(this.addExpr);
    this.OPTION(() => {
      this.CONSUME(T.DotDot);
      const hi = this.SUBRULE2(this.addExpr);
      this.ACTION(() => {
        const lo = left ?? { kind: "error" as const, span: this.tokSpan(this.LA(0)) };
        left = { kind: "range", lo, hi: hi ?? { kind: "error", span: lo.span }, span: this.from(lo.span) };
      });
    });
    return left;
  });

  private addExpr = this.RULE("addExpr", (): A.Expr => {
    let left = this.SUBRULE(this.mulExpr);
    this.MANY(() => {
      const op = this.OR((this.opAlts.add ??= [{ ALT: () => this.CONSUME(T.Plus) }, { ALT: () => this.CONSUME(T.Minus) }]));
      const right = this.SUBRULE2(this.mulExpr);
      this.ACTION(() => (left = binary(op.image as "+" | "-", left, right)));
    });
    return left;
  });

  private mulExpr = this.RULE("mulExpr", (): A.Expr => {
    let left = this.SUBRULE(this.unary);
    this.MANY(() => {
      const op = this.OR((this.opAlts.mul ??= [{ ALT: () => this.CONSUME(T.Star) }, { ALT: () => this.CONSUME(T.Slash) }, { ALT: () => this.CONSUME(T.Percent) }]));
      const right = this.SUBRULE2(this.unary);
      this.ACTION(() => (left = binary(op.image as "*" | "/" | "%", left, right)));
    });
    return left;
  });

  private unary = this.RULE("unary", (): A.Expr => {
    const minuses: IToken[] = [];
    this.MANY(() => {
      const t = this.CONSUME(T.Minus);
      this.ACTION(() => minuses.push(t));
    });
    const operand = this.SUBRULE(this.primary);
    return this.ACTION((): A.Expr => {
      if (minuses.length === 0) return operand;
      let e = this.exprOr(operand, minuses.at(-1)!);
      const end = this.tokSpan(this.LA(0));
      for (let i = minuses.length - 1; i >= 0; i--) {
        const t = this.tokSpan(minuses[i]!);
        const span = spanTo(t, end);
        // A minus directly before a number is part of the literal: `-2`, `-1e-3`. Only one:
        // in `--3` the first minus applies to the literal `-3`.
        if (e.kind === "number" && e.span.start === t.end && !e.raw.startsWith("-")) e = { kind: "number", value: -e.value, raw: "-" + e.raw, span };
        else e = { kind: "unary", op: "-", operand: e, span };
      }
      return e;
    });
  });

  // Alternatives that capture nothing of one call are built once (chevrotain's advice): a
  // fresh array of closures per call was a tenth of the parse's garbage.
  private primaryAlts?: IOrAlt<A.Expr>[];
  private opAlts: Partial<Record<"add" | "mul" | "compare", IOrAlt<IToken>[]>> = {};

  private primary = this.RULE("primary", (): A.Expr =>
    this.OR((this.primaryAlts ??= [
      {
        ALT: () => {
          const t = this.CONSUME(T.NumberLit);
          return this.ACTION(() => ({ kind: "number" as const, value: Number(t.image), raw: t.image, span: this.tokSpan(t) }));
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(T.Duration);
          return this.ACTION(() => ({ kind: "duration" as const, raw: t.image, span: this.tokSpan(t) }));
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(T.Size);
          return this.ACTION(() => ({ kind: "size" as const, raw: t.image, span: this.tokSpan(t) }));
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(T.StringLit);
          return this.ACTION(() => ({ kind: "string" as const, value: unquote(t.image), span: this.tokSpan(t) }));
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(T.UnterminatedString);
          return this.ACTION(() => ({ kind: "string" as const, value: unquote(t.image + '"'), span: this.tokSpan(t) }));
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(T.BadNumber);
          return this.ACTION(() => ({ kind: "error" as const, span: this.tokSpan(t) }));
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(T.True);
          return this.ACTION(() => ({ kind: "bool" as const, value: true, span: this.tokSpan(t) }));
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(T.False);
          return this.ACTION(() => ({ kind: "bool" as const, value: false, span: this.tokSpan(t) }));
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(T.Null);
          return this.ACTION(() => ({ kind: "null" as const, span: this.tokSpan(t) }));
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          const e = this.SUBRULE(this.expr);
          this.CONSUME(T.RParen);
          return e;
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(T.LBracket);
          const items: A.Expr[] = [];
          this.MANY_SEP({
            SEP: T.Comma,
            DEF: () => {
              const e = this.SUBRULE2(this.expr);
              this.ACTION(() => items.push(this.exprOr(e, t)));
            },
          });
          this.CONSUME(T.RBracket);
          return this.ACTION(() => ({ kind: "list" as const, items, span: this.from(t) }));
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(T.LCurly);
          const entries: A.ObjectEntry[] = [];
          this.MANY_SEP2({
            SEP: T.Comma,
            DEF: () => {
              const k = this.CONSUME(T.Identifier);
              this.CONSUME(T.Colon);
              const v = this.SUBRULE3(this.expr);
              this.ACTION(() => entries.push({ key: this.ident(k), value: this.exprOr(v, k) }));
            },
          });
          this.CONSUME(T.RCurly);
          return this.ACTION(() => ({ kind: "object" as const, entries, span: this.from(t) }));
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME2(T.Identifier);
          let args: A.Arg[] | undefined;
          this.OPTION(() => {
            args = this.SUBRULE(this.callArgs);
          });
          return this.ACTION((): A.Expr => {
            if (!args) return { kind: "ref", name: t.image, span: this.tokSpan(t) };
            return { kind: "call", callee: this.ident(t), args, span: this.from(t) };
          });
        },
      },
    ])),
  );

  private callArgs = this.RULE("callArgs", (): A.Arg[] => {
    const args: A.Arg[] = [];
    const open = this.CONSUME(T.LParen);
    this.MANY_SEP({
      SEP: T.Comma,
      DEF: () => {
        let name: IToken | undefined;
        this.OPTION({
          GATE: () => this.LA(2).tokenType === T.Colon,
          DEF: () => {
            name = this.CONSUME(T.Identifier);
            this.CONSUME(T.Colon);
          },
        });
        const value = this.SUBRULE(this.expr);
        this.ACTION(() => {
          const a: A.Arg = { value: this.exprOr(value, open) };
          if (name) a.name = this.ident(name);
          args.push(a);
        });
      },
    });
    this.CONSUME(T.RParen);
    return args;
  }, { recoveryValueFunc: () => [] });
}

/** From the start of `a` to the end of `b`; never backwards (recovery can insert tokens). descent.ts builds with it too. */
export function spanTo(a: Span, b: Span): Span {
  if (b.end < a.end) return a;
  return { start: a.start, line: a.line, col: a.col, end: b.end, endLine: b.endLine, endCol: b.endCol };
}

/** A binary expression node, as both parsers build it. */
export function binary(op: A.BinaryOp, leftOrNone: A.Expr | undefined, right: A.Expr | undefined): A.Expr {
  // After a recovered syntax error an operand may be missing; it becomes an error node.
  const left = leftOrNone ?? { kind: "error" as const, span: right?.span ?? NO_SPAN };
  const r = right ?? { kind: "error" as const, span: left.span };
  return {
    kind: "binary",
    op,
    left,
    right: r,
    span: { start: left.span.start, line: left.span.line, col: left.span.col, end: r.span.end, endLine: r.span.endLine, endCol: r.span.endCol },
  };
}

export const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", n: "\n", t: "\t" };

/** The value of a string literal; unknown escapes keep their character (the lexer pass reports them). */
export function unquote(image: string): string {
  const body = image.slice(1, -1);
  if (!body.includes("\\")) return body;
  return body.replace(/\\(.)/g, (_, c: string) => ESCAPES[c] ?? c);
}

