// A file that changed on disk while it had unsaved edits here (or whose save was refused
// because it had): nothing is overwritten until the user picks which text to keep. Looking
// at the disk's version compares it with the text here without replacing either; taking it
// sets the user's text aside, offered back until they forget it (nothing is lost by a look).
import { useMemo, useState } from "react";
import { changedHunks, lineDiff } from "../model/linediff";
import { app } from "../state/app";
import { backToMine, forgetMine, keepMine, takeDisk } from "../state/server";
import { useSelector } from "../state/store";

/** The lines that differ between the text here and the disk's, with a little context. */
function Comparison({ path, disk }: { path: string; disk: string }) {
  const mine = useSelector(app, (s) => s.texts[path] ?? "");
  const hunks = useMemo(() => changedHunks(lineDiff(mine, disk)), [mine, disk]);
  return (
    <div className="conflict-compare" role="region" aria-label={`${path}: your text and the disk's, lines that differ`} tabIndex={0} data-testid="conflict-compare">
      <div className="muted">
        <span className="diff-mine">− only in your text</span> · <span className="diff-disk">+ only on disk</span> · your text stays in the editor
      </div>
      <pre>
        {hunks.map((l, i) =>
          l === null ? (
            <div key={i} className="diff-gap">⋯</div>
          ) : (
            <div key={i} className={`diff-${l.kind}`}>
              {l.kind === "mine" ? "− " : l.kind === "disk" ? "+ " : "  "}
              {l.text}
            </div>
          ),
        )}
      </pre>
    </div>
  );
}

function Conflict({ path, disk }: { path: string; disk: string | null }) {
  const [comparing, setComparing] = useState(false);
  if (disk === null)
    return (
      <div className="conflict">
        <span>
          <b>{path}</b> was removed on disk while it has unsaved edits here.
        </span>
        <button type="button" onClick={() => void keepMine(path)} data-testid="conflict-mine">Keep mine (write it)</button>
        <button type="button" onClick={() => takeDisk(path)} data-testid="conflict-use-disk">Leave it unsaved</button>
      </div>
    );
  return (
    <div className="conflict-entry">
      <div className="conflict">
        <span>
          <b>{path}</b> changed on disk while it has unsaved edits here; your text stays until you choose.
        </span>
        <button type="button" aria-expanded={comparing} onClick={() => setComparing(!comparing)} data-testid="conflict-disk">
          {comparing ? "Hide the disk version" : "Show the disk version"}
        </button>
        <button type="button" onClick={() => takeDisk(path)} title="Your text is set aside, and can be brought back" data-testid="conflict-use-disk">
          Use the disk version
        </button>
        <button type="button" onClick={() => void keepMine(path)} data-testid="conflict-mine">Keep mine (write it)</button>
      </div>
      {comparing && <Comparison path={path} disk={disk} />}
    </div>
  );
}

/** After "Use the disk version": the user's text, offered back. */
function SetAside({ path }: { path: string }) {
  return (
    <div className="conflict">
      <span>
        <b>{path}</b> shows the disk version; your edits are set aside (Undo also brings them back).
      </span>
      <button type="button" onClick={() => backToMine(path)} data-testid="back-to-mine">Back to my version</button>
      <button type="button" onClick={() => forgetMine(path)} data-testid="forget-mine">Forget my version</button>
    </div>
  );
}

export function ConflictBanner() {
  const conflicts = useSelector(app, (s) => s.server?.conflicts ?? null);
  const setAside = useSelector(app, (s) => s.server?.setAside ?? null);
  const paths = conflicts ? Object.keys(conflicts) : [];
  const aside = setAside ? Object.keys(setAside).filter((p) => !conflicts?.[p]) : [];
  return (
    <>
      {paths.length > 0 && (
        <div className="conflicts" role="alert" data-testid="conflict">
          {paths.map((p) => (
            <Conflict key={p} path={p} disk={conflicts![p]!.text} />
          ))}
        </div>
      )}
      {aside.length > 0 && (
        <div className="conflicts set-aside" role="status" data-testid="set-aside">
          {aside.map((p) => (
            <SetAside key={p} path={p} />
          ))}
        </div>
      )}
    </>
  );
}
