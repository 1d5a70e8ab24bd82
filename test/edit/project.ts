// A small folder for the `mlp edit` suites: a data-only pipeline (DuckDB, no Python) with
// its CSV, a library file it imports, and things the server must not list.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const SALES = `store,amount,sold_at,kind
a,5,2026-11-28 10:00:00,web
a,,2026-11-29 11:00:00,shop
b,7,2026-11-20 10:00:00,web
b,3,2026-11-29T12:00:00Z,shop
c,1,2026-11-01 00:00:00,web
`;

export const SHOP = `// A shop's sales, cleaned and summed per store.
pipeline shop {}

import { Sale } from "lib/sale.mlp"

source sales: Table<Sale> {
  uri    = "s3://lake/sales/"
  format = parquet
}

cleanse clean(sales) {
  fill   amount = 0.0
  derive big = amount > 5.0
}

aggregate per_store(clean) {
  by     store
  window = 30d
  total: float = sum(amount)
  n:     int   = count()
}

split halves(clean) {
  train = 0.5
  test  = 0.5
  by    = store
}

target local {
  sources = { sales: "data/sales.csv" }
  now     = "2026-11-30T00:00:00Z"
}
`;

export const SALE = `schema Sale {
  store:   string
  amount:  float?
  sold_at: timestamp
  kind:    enum(web, shop)
}
`;

/** A fresh copy of the folder; returns its path. */
export function shopFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), "mlp-edit-"));
  mkdirSync(join(dir, "data"));
  mkdirSync(join(dir, "lib"));
  mkdirSync(join(dir, "node_modules", "x"), { recursive: true });
  mkdirSync(join(dir, ".hidden"));
  writeFileSync(join(dir, "data/sales.csv"), SALES);
  writeFileSync(join(dir, "shop.mlp"), SHOP);
  writeFileSync(join(dir, "lib/sale.mlp"), SALE);
  writeFileSync(join(dir, "node_modules/x/dep.mlp"), SALE);
  writeFileSync(join(dir, ".hidden/secret.mlp"), SALE);
  return dir;
}
