// The compile panel: choose a target and variant, browse the generated files, download
// them as a zip. Targets whose generator has not landed yet say so.
import { strToU8, zipSync } from "fflate";
import { useMemo, useState } from "react";
import { TARGETS } from "../../../compiler/targets";
import { variantNames } from "../../../compiler/variants";
import { compile, zipEntries, type CompileOutput } from "../model/compile";
import { app } from "../state/app";
import { freshAnalysis } from "../state/analysis";
import { download } from "../state/files";
import { useSelector } from "../state/store";

type Output = CompileOutput & { revision: number };

export function Compile() {
  const analysis = useSelector(app, (s) => s.analysis);
  const revision = useSelector(app, (s) => s.revision);
  const [target, setTarget] = useState("aws");
  const [variant, setVariant] = useState("");
  const [out, setOut] = useState<Output | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const variants = analysis ? variantNames(analysis.ir) : [];
  const multi = (out?.files.length ?? 0) > 0 && new Set(out!.files.map((f) => f.target)).size > 1;
  const name = (f: { target: string; path: string }) => (multi ? `${f.target}/${f.path}` : f.path);
  const shown = useMemo(() => out?.files.find((f) => name(f) === open) ?? out?.files[0], [out, open]);

  const run = async () => {
    const a = await freshAnalysis();
    const r: Output = { ...compile(a, target, variant), revision: app.get().revision };
    setOut(r);
    setOpen(r.files[0] ? name(r.files[0]) : null);
  };
  const zip = () => {
    if (!out) return;
    const entries = Object.fromEntries(Object.entries(zipEntries(out)).map(([k, v]) => [k, strToU8(v)]));
    const pipeline = analysis?.ir.pipeline?.name ?? "pipeline";
    download(`${pipeline}-${out.target}${out.variant ? `-${out.variant}` : ""}.zip`, zipSync(entries, { level: 6, mtime: new Date("2000-01-01T00:00:00Z") }) as BlobPart, "application/zip");
  };
  const def = TARGETS.find((t) => t.name === target);

  return (
    <div className="compile" data-testid="compile">
      <div className="compile-bar">
        <label>
          Target{" "}
          <select value={target} onChange={(e) => setTarget(e.target.value)} data-testid="compile-target">
            {TARGETS.map((t) => (
              <option key={t.name} value={t.name}>
                {t.name}
                {!t.members && !t.emit ? " (not built yet)" : ""}
              </option>
            ))}
          </select>
        </label>
        <label>
          Variant{" "}
          <select value={variant} onChange={(e) => setVariant(e.target.value)} data-testid="compile-variant">
            <option value="">(base)</option>
            {variants.map((v) => (
              <option key={v} value={v}>{v}</option>
            ))}
          </select>
        </label>
        <button type="button" className="primary" onClick={() => void run()} data-testid="compile-run">Compile</button>
        <button type="button" onClick={zip} disabled={!out?.files.length} data-testid="compile-zip">Download .zip</button>
        <span className="muted">{def?.description}</span>
        {out && out.revision !== revision && <span className="stale">the text changed since; compile again</span>}
      </div>
      {out && (
        <div className="compile-out">
          {out.blocked && <div className="banner error">{out.blocked}</div>}
          {out.notBuilt.length > 0 && (
            <div className="banner" data-testid="not-built">
              The <b>{out.notBuilt.join(", ")}</b> target{out.notBuilt.length > 1 ? "s are" : " is"} not built yet: its code generator has not landed in this version of mlp, so there is nothing to show for {out.notBuilt.length > 1 ? "them" : "it"}. `mlp compile --target {out.target}` reports the same. The program itself checks clean.
            </div>
          )}
          {out.failed.map((f) => (
            <div className="banner error" key={f.target}>
              {f.target} failed: {f.message}
            </div>
          ))}
          {out.files.length > 0 && (
            <div className="compile-files">
              <ul className="file-list" data-testid="compile-files">
                {out.files.map((f) => (
                  <li key={name(f)}>
                    <button type="button" className={shown && name(shown) === name(f) ? "active" : ""} onClick={() => setOpen(name(f))}>
                      {name(f)}
                    </button>
                  </li>
                ))}
              </ul>
              <pre className="file-view" data-testid="compile-view" tabIndex={0} role="region" aria-label={shown ? `${name(shown)} contents` : "file contents"}>{shown?.contents}</pre>
            </div>
          )}
        </div>
      )}
      {!out && <div className="muted pad">Compiles the open pipeline in the browser, with the same generators as `mlp compile`.</div>}
    </div>
  );
}
