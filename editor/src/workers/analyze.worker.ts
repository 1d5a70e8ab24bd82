// Runs parse -> check -> lower off the main thread, so typing and dragging never wait
// for the checker. Requests carry all open texts; replies carry the whole analysis.
import { analyze } from "../model/analyze";

export interface AnalyzeRequest {
  id: number;
  entry: string;
  files: Record<string, string>;
}

export type AnalyzeReply = { id: number; ok: true; analysis: ReturnType<typeof analyze> } | { id: number; ok: false; error: string };

self.onmessage = (e: MessageEvent<AnalyzeRequest>) => {
  const { id, entry, files } = e.data;
  let reply: AnalyzeReply;
  try {
    reply = { id, ok: true, analysis: analyze(entry, files) };
  } catch (err) {
    reply = { id, ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  (self as unknown as Worker).postMessage(reply);
};
