// mlp_metrics.py: every metric against values worked out by hand, through sklearn.metrics
// and through the pure-Python fallback (MLP_METRICS_PURE=1); both must agree.
import { describe, expect, it } from "vitest";
import { HAVE_SKLEARN, python } from "./helpers";

const CASES = {
  // Binary 0/1: TP=3 (rows 0,3,6), FN=1 (row 2), FP=1 (row 4), TN=3.
  binary: { t: [1, 0, 1, 1, 0, 0, 1, 0], p: [1, 0, 0, 1, 1, 0, 1, 0], s: [0.9, 0.2, 0.4, 0.8, 0.6, 0.1, 0.7, 0.3] },
  // Three classes; per class (precision, recall): 0 (1, 1/2), 1 (1/2, 1/2), 2 (2/3, 1).
  multi: { t: [0, 1, 2, 2, 1, 0], p: [0, 2, 2, 2, 1, 1], s: [[0.7, 0.2, 0.1], [0.2, 0.5, 0.3], [0.1, 0.2, 0.7], [0.2, 0.2, 0.6], [0.3, 0.4, 0.3], [0.4, 0.5, 0.1]] },
  regression: { t: [3, 0, 2, 7], p: [2.5, 0.5, 2, 8] },
};

const SCRIPT = `
import json, sys, mlp_metrics as m
c = json.loads(sys.argv[1])
out = {}
for k in ["accuracy", "precision", "recall", "f1", "auc", "log_loss"]:
    out["binary." + k] = m.compute(k, c["binary"]["t"], c["binary"]["p"], c["binary"]["s"])
    out["multi." + k] = m.compute(k, c["multi"]["t"], c["multi"]["p"], c["multi"]["s"], classes=[0, 1, 2])
for k in ["rmse", "mae", "r2", "mape"]:
    out["regression." + k] = m.compute(k, c["regression"]["t"], c["regression"]["p"])
# bool labels: True is the positive class; a matrix with classes [False, True]
bt = [bool(v) for v in c["binary"]["t"]]
bp = [bool(v) for v in c["binary"]["p"]]
out["bool.recall"] = m.compute("recall", bt, bp)
out["bool.auc"] = m.compute("auc", bt, bp, [[1 - s, s] for s in c["binary"]["s"]], classes=[False, True])
# numpy and pandas inputs
import numpy as np, pandas as pd
out["numpy.f1"] = m.compute("f1", pd.Series(c["binary"]["t"]), np.array(c["binary"]["p"]))
out["numpy.auc"] = m.compute("auc", np.array(c["multi"]["t"]), None, np.array(c["multi"]["s"]), classes=np.array([0, 1, 2]))
out["mape.allzero"] = str(m.compute("mape", [0, 0], [1, 2]))
errors = []
for bad in [("auc", [1, 0], [1, 0], None), ("nope", [1], [1], None)]:
    try:
        m.compute(*bad)
    except ValueError as e:
        errors.append(str(e))
out["errors"] = errors
print(json.dumps(out))
`;

const ln = Math.log;
const EXPECTED: Record<string, number> = {
  "binary.accuracy": 6 / 8,
  "binary.precision": 3 / 4,
  "binary.recall": 3 / 4,
  "binary.f1": 3 / 4,
  // Positive scores 0.9 0.4 0.8 0.7 against negatives 0.2 0.6 0.1 0.3: 15 of 16 pairs ordered.
  "binary.auc": 15 / 16,
  "binary.log_loss": -(ln(0.9) + ln(0.8) + ln(0.4) + ln(0.8) + ln(0.4) + ln(0.9) + ln(0.7) + ln(0.7)) / 8,
  "multi.accuracy": 4 / 6,
  "multi.precision": (1 + 1 / 2 + 2 / 3) / 3,
  "multi.recall": (1 / 2 + 1 / 2 + 1) / 3,
  "multi.f1": (2 / 3 + 1 / 2 + 4 / 5) / 3,
  // One-vs-rest: classes 0 and 2 ordered perfectly (1.0); class 1, positives 0.5 and 0.4 against
  // 0.2 0.2 0.2 0.5: 0.5 wins 3 and ties 1, 0.4 wins 3: 6.5 of 8.
  "multi.auc": (1 + 6.5 / 8 + 1) / 3,
  "multi.log_loss": -(ln(0.7) + ln(0.5) + ln(0.7) + ln(0.6) + ln(0.4) + ln(0.4)) / 6,
  "regression.rmse": Math.sqrt((0.25 + 0.25 + 0 + 1) / 4),
  "regression.mae": (0.5 + 0.5 + 0 + 1) / 4,
  // mean 3; ss_tot = 0 + 9 + 1 + 16 = 26; ss_res = 1.5
  "regression.r2": 1 - 1.5 / 26,
  // rows with y_true = 0 skipped: (0.5/3 + 0/2 + 1/7) / 3
  "regression.mape": (0.5 / 3 + 0 + 1 / 7) / 3,
  "bool.recall": 3 / 4,
  "bool.auc": 15 / 16,
  "numpy.f1": 3 / 4,
  "numpy.auc": (1 + 6.5 / 8 + 1) / 3,
};

describe.skipIf(!HAVE_SKLEARN)("mlp_metrics.compute: known values", { timeout: 30_000 }, () => {
  for (const [path, env] of [["sklearn.metrics", {}], ["pure Python", { MLP_METRICS_PURE: "1" }]] as const) {
    it(`through ${path}`, () => {
      const r = python(["-c", SCRIPT, JSON.stringify(CASES)], { env });
      expect(r.stderr).toBe("");
      const out = JSON.parse(r.stdout);
      for (const [k, v] of Object.entries(EXPECTED)) expect(out[k], k).toBeCloseTo(v, 12);
      expect(out["mape.allzero"]).toBe("nan");
      expect(out.errors[0]).toMatch(/auc needs class probabilities/);
      expect(out.errors[1]).toMatch(/unknown metric 'nope'/);
    });
  }

  it("uses the fallback when sklearn does not import", () => {
    const code = "import sys; sys.modules['sklearn'] = None; sys.modules['sklearn.metrics'] = None\nimport mlp_metrics as m\nassert m._sklearn() is None\nprint(m.compute('auc', [1, 0, 1, 0], None, [0.8, 0.3, 0.3, 0.1]))";
    const r = python(["-c", code]);
    expect(r.stderr).toBe("");
    // 0.8 beats both, 0.3 beats 0.1 and ties 0.3: (2 + 1.5) / 4
    expect(Number(r.stdout)).toBeCloseTo(3.5 / 4, 12);
  });
});
