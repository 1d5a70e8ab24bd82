// A file that changed on disk while it had unsaved edits here (or whose save was refused
// because it had): nothing is overwritten until the user picks which text to keep.
import { app } from "../state/app";
import { keepMine, takeDisk } from "../state/server";
import { useSelector } from "../state/store";

export function ConflictBanner() {
  const conflicts = useSelector(app, (s) => s.server?.conflicts ?? null);
  const paths = conflicts ? Object.keys(conflicts) : [];
  if (!paths.length) return null;
  return (
    <div className="conflicts" role="alert" data-testid="conflict">
      {paths.map((p) => (
        <div className="conflict" key={p}>
          <b>{p}</b> {conflicts![p]!.text === null ? "was removed on disk" : "changed on disk"} while it has unsaved edits here.
          <button type="button" onClick={() => takeDisk(p)} data-testid="conflict-disk">Show the disk version</button>
          <button type="button" onClick={() => void keepMine(p)} data-testid="conflict-mine">Keep mine (write it)</button>
        </div>
      ))}
    </div>
  );
}
