// Golden files: the whole generated project of two samples, file by file, in
// test/fixtures/aws/<sample>/ (test/golden.ts; MLP_UPDATE=1 rewrites them). Also: the output is
// byte-identical from one compilation to the next.
import { expect, test } from "vitest";
import { expectGolden } from "../../golden";
import { emitAws } from "../../../targets/aws/index";
import { awsCases, compilationOf, projectOf } from "./harness";

test("ad_click_through matches its golden files", () => {
  expectGolden("aws", "ad_click_through", projectOf("samples/ad_click_through.mlp"));
});

// The eu variant overrides `stores`, a step imported from samples/lib/catalog.mlp: its stack reads retail-lake-eu.
test("demand_forecast matches its golden files", () => {
  expectGolden("aws", "demand_forecast", projectOf("samples/demand_forecast.mlp"));
});

test("every project is byte-identical from one compilation to the next", () => {
  for (const c of awsCases()) {
    const a = projectOf(c.path);
    const fresh = compilationOf(c.path);
    const b = emitAws({ ir: structuredClone(fresh.ir), variants: structuredClone(fresh.variants) });
    expect(b.map((f) => f.path)).toEqual(a.map((f) => f.path));
    b.forEach((f, i) => expect(f.contents, `${c.id}/${f.path}`).toBe(a[i]!.contents));
  }
});
