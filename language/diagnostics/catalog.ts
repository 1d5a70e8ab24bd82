// Every diagnostic the toolchain can emit. Codes are stable: never renumber, only add.
// The language reference (language/REFERENCE.md) documents each one; a test keeps the two in step.
import type { Severity } from "./diagnostic";

interface Entry {
  severity: Severity;
  title: string;
}

const e = (title: string): Entry => ({ severity: "error", title });
const w = (title: string): Entry => ({ severity: "warning", title });

export const CATALOG = {
  // 01xx: lexical and syntax
  MLP0101: e("unexpected token"),
  MLP0102: e("unterminated string"),
  MLP0103: e("invalid character"),
  MLP0104: e("invalid escape in string"),
  MLP0105: e("nesting too deep"),
  MLP0106: e("malformed number"),
  MLP0107: e("too many syntax errors"),
  MLP0108: e("not a text file"),
  MLP0109: e("number out of range"),
  // 02xx: names and declarations
  MLP0201: e("unknown step kind"),
  MLP0202: e("unknown step"),
  MLP0203: e("duplicate name"),
  MLP0204: e("unknown schema"),
  MLP0205: e("unknown type"),
  MLP0206: e("imported name not found"),
  MLP0207: e("cannot load imported file"),
  MLP0208: e("unknown port"),
  MLP0209: e("unknown attribute"),
  MLP0210: e("missing attribute"),
  MLP0211: e("cycle between steps"),
  MLP0212: e("unknown function"),
  MLP0213: e("wrong number of inputs"),
  MLP0214: e("more than one pipeline"),
  MLP0215: e("operation not allowed in this step"),
  MLP0216: e("unknown target"),
  MLP0217: e("duplicate attribute"),
  MLP0218: e("more than one layout block"),
  // 03xx: columns, types and expressions
  MLP0301: e("unknown column"),
  MLP0302: e("type mismatch"),
  MLP0303: e("nullable value where a non-null one is required"),
  MLP0304: e("not a member of the enum"),
  MLP0305: e("operator applied to the wrong types"),
  MLP0306: e("wrong arguments to a function"),
  MLP0307: e("aggregate function outside aggregate"),
  MLP0308: e("column name clash in join"),
  MLP0309: e("ambiguous or missing time column"),
  MLP0310: e("invalid attribute value"),
  MLP0311: e("input of the wrong artifact type"),
  MLP0312: e("duplicate column"),
  MLP0313: e("invalid type"),
  MLP0314: e("invalid cron expression"),
  MLP0315: e("`every` without a table window"),
  MLP0316: e("as-of join on a column that is not a timestamp"),
  MLP0317: e("as-of join's right side is not unique per key and time"),
  MLP0318: e("as-of join that is not backward"),
  MLP0319: e("`within` without `asof`"),
  MLP0320: e("online features over a history without its time"),
  MLP0321: e("`resources` on a streaming step"),
  // 04xx: training, tuning, evaluation, deployment
  MLP0401: e("label not in the training data"),
  MLP0402: e("nullable label"),
  MLP0403: e("label does not fit the task"),
  MLP0404: e("metric does not fit the task"),
  MLP0405: e("search key is not a hyperparameter"),
  MLP0406: e("invalid search range"),
  MLP0407: e("grid search needs choice()"),
  MLP0408: e("parallel exceeds trials"),
  MLP0409: e("distributed training needs pytorch or tensorflow"),
  MLP0410: e("training needs batch data"),
  MLP0411: e("stream deployment needs streaming data"),
  MLP0412: e("batch deployment needs data"),
  MLP0413: e("split fractions do not sum to 1"),
  // 05xx: variants and targets
  MLP0501: e("variant overrides an unknown step"),
  MLP0502: e("variant overrides an unknown attribute"),
  MLP0503: e("variant value of the wrong type"),
  MLP0504: e("duplicate variant override"),
  MLP0505: e("data location the target cannot reach"),
  // 06xx: warnings
  MLP0601: w("deployed model is not gated by evaluate"),
  MLP0602: w("output is never used"),
  MLP0603: w("layout names an unknown step"),
  MLP0604: w("hopping window leaves gaps"),
  MLP0605: w("dedupe without keep"),
  MLP0606: w("training rows may see the future"),
} satisfies Record<string, Entry>;

export type Code = keyof typeof CATALOG;
