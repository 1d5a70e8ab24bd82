// What each setting (`name = value`) of a step kind, the pipeline or a target is: its
// documentation and, for a closed set of values, the values — read from the same zod
// schemas the checker decodes settings with.
import * as z from "zod";
import { stepKind } from "../catalog";
import { pipelineSettings, TARGET_SETTINGS } from "../catalog/settings";

export interface SettingInfo {
  doc: string;
  /** The values it takes, when they are a closed set (written as names). */
  values?: string[];
  required: boolean;
}

type Json = { properties?: Record<string, Json & { description?: string }>; required?: string[]; enum?: unknown[]; anyOf?: Json[]; description?: string };

const cache = new Map<z.ZodType, Map<string, SettingInfo>>();

export function settingsOf(schema: z.ZodType): Map<string, SettingInfo> {
  const hit = cache.get(schema);
  if (hit) return hit;
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Json;
  const required = new Set(json.required ?? []);
  const out = new Map<string, SettingInfo>();
  for (const [name, p] of Object.entries(json.properties ?? {})) {
    const values = (p.enum ?? p.anyOf?.flatMap((a) => a.enum ?? []) ?? []).filter((v): v is string => typeof v === "string");
    const info: SettingInfo = { doc: p.description ?? p.anyOf?.find((a) => a.description)?.description ?? "", required: required.has(name) };
    if (values.length) info.values = values;
    out.set(name, info);
  }
  cache.set(schema, out);
  return out;
}

/** The settings of a step of `kind`, of the pipeline, or of a target (`name` says which). */
export function settingsFor(owner: "step" | "pipeline" | "target", kindOrTarget?: string): Map<string, SettingInfo> {
  if (owner === "pipeline") return settingsOf(pipelineSettings);
  if (owner === "target") {
    const schema = kindOrTarget ? TARGET_SETTINGS[kindOrTarget as keyof typeof TARGET_SETTINGS] : undefined;
    return schema ? settingsOf(schema) : new Map();
  }
  const k = kindOrTarget ? stepKind(kindOrTarget) : undefined;
  return k ? settingsOf(k.config) : new Map();
}

export function settingDocs(owner: "step" | "pipeline" | "target", kind?: string): Map<string, string> {
  return new Map([...settingsFor(owner, kind)].map(([k, v]) => [k, v.doc]));
}
