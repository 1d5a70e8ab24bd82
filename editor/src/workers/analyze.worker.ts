// Runs parse -> check -> lower off the main thread, so typing and dragging never wait
// for the checker. Requests carry all open texts; replies carry the whole analysis.
// A request can ask for a preview first: the graph as parsed, posted before the check
// starts, so a large file is drawn in a fraction of the time its check takes.
import { CheckSession } from "../../../language/checker/program";
import { analyze } from "../model/analyze";
import type { Direction } from "../model/positions";
import { previewOf, type Preview } from "../model/preview";

export interface AnalyzeRequest {
  id: number;
  entry: string;
  files: Record<string, string>;
  preview?: boolean;
  /** How the preview places the steps its layout block does not. */
  direction?: Direction;
}

export type AnalyzeReply =
  | { id: number; ok: true; analysis: ReturnType<typeof analyze> }
  | { id: number; ok: true; preview: Preview }
  | { id: number; ok: false; error: string };

/** Kept between requests: each keystroke re-checks only what it changed. */
const session = new CheckSession();

self.onmessage = (e: MessageEvent<AnalyzeRequest>) => {
  const { id, entry, files, preview, direction } = e.data;
  if (preview && files[entry] !== undefined) {
    try {
      (self as unknown as Worker).postMessage({ id, ok: true, preview: previewOf(entry, files[entry], direction) } satisfies AnalyzeReply);
    } catch {
      // The check below reports what went wrong; the graph then simply waits for it.
    }
  }
  let reply: AnalyzeReply;
  try {
    reply = { id, ok: true, analysis: analyze(entry, files, session) };
  } catch (err) {
    reply = { id, ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  (self as unknown as Worker).postMessage(reply);
};
