// Deterministic generator of large, valid pipelines for the benchmark and its test.
//
// `generatePipeline(n)` returns the text of one .mlp file with exactly `n` steps (`use`
// counts as a step: it is a node of the graph). The file checks with zero errors and
// zero warnings. It is built from blocks that look like the conformance pipelines:
//
//   churn (17 steps)  two table sources, a cleanse chain (filter/fill/dedupe, derive/rename),
//                     a join on a shared reference table (`countries`, read by every block),
//                     a windowed aggregate, a left join, online features, split, distributed
//                     train, tune, evaluate, register, endpoint and batch deploys, a notebook;
//   fraud (12)        a stream and a table source, stream cleanse, windowed stream aggregate,
//                     streaming features re-applied to the history with `use`, xgboost train,
//                     tune, evaluate, stream deploy;
//   houses (10)       table sources with a per-block schema, cleanse (filter/cast/derive/drop),
//                     join on a key pair, split, regression train, evaluate, register,
//                     endpoint and batch deploys.
//
// Blocks are wired to each other (fan-in and fan-out): block k's batch deploy scores block
// k-1's features, its notebook reads block k-1's fraud gate and block k-2's price gate, and
// every ten blocks a summary notebook reads the thirty gates of those blocks. What is left
// of the budget after the last whole block is filled with standalone fraud and houses
// parts, then notebooks. No randomness: the same `n` always gives the same bytes.

export interface GenerateOptions {
  /** Emit a `layout` block with a position for every step, as the editor does (default true). */
  layout?: boolean;
  /** Pipeline name (default `bench_N`). */
  name?: string;
}

/** The smallest step count the generator can produce exactly. */
export const MIN_STEPS = 1 + 17 + 12 + 10;

const SCHEMAS = `schema Customer {
  customer_id:   string
  age:           int?
  plan:          enum(free, pro, enterprise)
  monthly_spend: float
  signup_at:     timestamp
  churned:       bool
  country:       string
}

schema Order {
  order_id:    string
  customer_id: string
  amount:      float
  status:      enum(open, paid, refunded)
  ordered_at:  timestamp
}

schema Txn {
  txn_id:     string
  card_id:    string
  amount:     float
  merchant:   string
  country:    string
  event_time: timestamp
  is_fraud:   bool?
}

schema House {
  house_id: string
  area_m2:  float
  rooms:    int
  city:     string
  built:    date
  price:    float
}

schema Country {
  country_code: string
  gdp_band:     enum(low, mid, high)
  population:   int
}
`;

const GLOBAL_STEPS = [
  `// Reference data shared by every block (fan-out).
source countries: Table<Country> {
  uri    = "s3://acme-ref/countries/"
  format = delta
}`,
];

/** A step: its name (for layout and counting) and its text. */
interface Step {
  name: string;
  text: string;
}

/** Small deterministic variety (thresholds, sizes) from the block number. */
const pick = <T>(k: number, xs: readonly T[]): T => xs[k % xs.length]!;

const REGIONS = ["eu-west", "us-east", "ap-south", "sa-east", "af-north", "us-west", "eu-north"];

function churn(k: number): Step[] {
  const s = (name: string, text: string): Step => ({ name: `${name}_${k}`, text });
  const region = pick(k, REGIONS);
  const framework = pick(k, ["pytorch", "tensorflow"]);
  const distributed = pick(k, ["horovod", "ddp", "none"]);
  const strategy = pick(k, ["bayesian", "random", "grid"]);
  const scoreWith = k > 0 ? `customer_features_${k - 1}` : `customer_features_${k}`;
  const reportInputs = [`churn_gate_${k}`, `churn_split_${k}.test`];
  if (k > 0) reportInputs.push(`fraud_gate_${k - 1}`);
  if (k > 1) reportInputs.push(`price_gate_${k - 2}`);
  return [
    s("customers", `// Block ${k}: churn, fraud and house prices for ${region}.
source customers_${k}: Table<Customer> {
  uri    = "s3://acme-raw/${region}/customers/${k}/"
  format = parquet
}`),
    s("orders", `source orders_${k}: Table<Order> {
  uri    = "s3://acme-raw/${region}/orders/${k}/"
  format = ${pick(k, ["parquet", "delta", "csv"])}
}`),
    s("customers_clean", `cleanse customers_clean_${k}(customers_${k}) {
  filter monthly_spend >= 0.0 and customer_id is not null
  fill   age = 0
  dedupe by customer_id keep latest signup_at
}`),
    s("customers_norm", `cleanse customers_norm_${k}(customers_clean_${k}) {
  filter age >= ${16 + (k % 5)} or plan != "free"
  derive country     = upper(trim(country))
  derive tenure_days = days_between(signup_at, now())
  derive spend_band  = if(monthly_spend > ${50 + (k % 7) * 10}.0, "high", "low")
  rename spend_band -> spend_tier
}`),
    s("customers_geo", `join customers_geo_${k}(customers_norm_${k}, countries) {
  on   = country == country_code
  type = inner
}`),
    s("orders_clean", `cleanse orders_clean_${k}(orders_${k}) {
  filter amount > 0.0 and status != "refunded"
  derive amount_eur = round(amount * 0.92, 2)
  drop   order_id
}`),
    s("order_stats", `aggregate order_stats_${k}(orders_clean_${k}) {
  by     customer_id
  window = ${pick(k, ["30d", "7d", "90d"])}
  orders_30d: int       = count()
  spend_30d:  float     = sum(amount_eur)
  avg_order:  float     = avg(amount)
  last_order: timestamp = max(ordered_at)
}`),
    s("enriched", `// A left join: customers without orders keep their row, with null order stats.
join enriched_${k}(customers_geo_${k}, order_stats_${k}) {
  on   = customer_id
  type = left
}`),
    s("customer_features", `features customer_features_${k}(enriched_${k}) {
  key  customer_id
  keep churned
  tenure:       int   = tenure_days
  spend_log:    float = log1p(monthly_spend)
  is_paid:      bool  = plan != "free"
  age_years:    int   = age
  orders_30d:   int   = coalesce(orders_30d, 0)
  spend_30d:    float = coalesce(spend_30d, 0.0)
  avg_order:    float = coalesce(avg_order, 0.0)
  rich_country: bool  = gdp_band == "high"
  big_spender:  bool  = spend_tier == "high"
  store = online(ttl: ${pick(k, ["7d", "1d", "12h"])})
}`),
    s("churn_split", `split churn_split_${k}(customer_features_${k}) {
  train = 0.8
  test  = 0.2
  by    = customer_id
}`),
    s("churn_model", `train churn_model_${k}(churn_split_${k}.train) {
  framework   = ${framework}
  entry       = "models/churn/train.py"
  label       = churned
  hyperparams = { epochs: ${10 + (k % 20)}, lr: 0.001, layers: 3, dropout: 0.1 }
  resources   = { gpus: ${1 + (k % 4)}, nodes: ${distributed === "none" ? 1 : 2}, memory: 64GiB, timeout: 6h }
  distributed = ${distributed}
}`),
    s("churn_tuned", `tune churn_tuned_${k}(churn_model_${k}) {
  objective = maximize(auc)
  strategy  = ${strategy}
  trials    = ${20 + (k % 30)}
  parallel  = ${1 + (k % 8)}
  search {
${
  strategy === "grid"
    ? `    lr      = choice(0.0001, 0.001, 0.01)
    layers  = choice(2, 3, 4)
    dropout = choice(0.0, 0.1, 0.3)`
    : `    lr      = loguniform(1e-5, 1e-2)
    layers  = choice(2, 3, 4)
    dropout = uniform(0.0, 0.5)
    epochs  = intrange(5, 40)`
}
  }
}`),
    s("churn_gate", `evaluate churn_gate_${k}(churn_tuned_${k}, churn_split_${k}.test) {
  require auc >= 0.${80 + (k % 10)}
  require recall >= 0.6
}`),
    s("churn_registry", `register churn_registry_${k}(churn_gate_${k}) {
  name  = "churn-${region}-${k}"
  stage = ${pick(k, ["staging", "production"])}
}`),
    s("churn_api", `deploy churn_api_${k}(churn_registry_${k}) {
  mode      = endpoint
  instances = ${1 + (k % 3)}..${4 + (k % 5)}
  resources = { cpus: 2, memory: 4GiB }
}`),
    s("churn_nightly", `deploy churn_nightly_${k}(churn_registry_${k}, ${scoreWith}) {
  mode     = batch
  schedule = cron("${k % 60} ${k % 24} * * *")
  output   = "s3://acme-scores/churn/${k}/"
}`),
    s("churn_report", `notebook churn_report_${k}(${reportInputs.join(", ")}) {
  path       = "notebooks/churn_report.ipynb"
  parameters = { threshold: 0.5, block: ${k}, region: "${region}" }
}`),
  ];
}

function fraud(k: number): Step[] {
  const s = (name: string, text: string): Step => ({ name: `${name}_${k}`, text });
  const strategy = pick(k, ["random", "grid", "bayesian"]);
  return [
    s("txns_live", `source txns_live_${k}: Stream<Txn> {
  topic      = "card-transactions-${k}"
  format     = json
  event_time = event_time
  lateness   = ${pick(k, ["30s", "1m", "5m"])}
}`),
    s("txns_history", `source txns_history_${k}: Table<Txn> {
  uri    = "s3://acme-raw/transactions/${k}/"
  format = parquet
}`),
    s("txns_live_clean", `cleanse txns_live_clean_${k}(txns_live_${k}) {
  filter amount > 0.0
  derive merchant = lower(trim(merchant))
}`),
    s("txns_labelled", `cleanse txns_labelled_${k}(txns_history_${k}) {
  filter amount > 0.0
  fill   is_fraud = false
  derive merchant = lower(trim(merchant))
}`),
    s("txn_features", `features txn_features_${k}(txns_live_clean_${k}) {
  key  txn_id
  keep is_fraud
  amount_log:  float = log1p(amount)
  is_foreign:  bool  = country != "US"
  hour_of_day: int   = hour(event_time)
  weekday:     int   = day_of_week(event_time)
  store = online(ttl: 1h)
}`),
    s("txn_features_hist", `use txn_features_hist_${k} = txn_features_${k}(txns_labelled_${k})`),
    s("merchant_activity", `aggregate merchant_activity_${k}(txns_live_clean_${k}) {
  by     merchant
  window = ${pick(k, ["10m", "5m", "1h"])}
  txn_count:  int   = count()
  amount_sum: float = sum(amount)
  cards:      int   = count_distinct(card_id)
}`),
    s("merchant_features", `features merchant_features_${k}(merchant_activity_${k}) {
  key merchant
  txn_count_10m:  int   = txn_count
  amount_sum_10m: float = amount_sum
  avg_amount:     float = amount_sum / txn_count
  store = online(ttl: 1h)
}`),
    s("fraud_model", `train fraud_model_${k}(txn_features_hist_${k}) {
  framework   = xgboost
  entry       = "models/fraud/train.py"
  label       = is_fraud
  hyperparams = { max_depth: 6, eta: 0.3, rounds: ${100 + k} }
  resources   = { cpus: ${pick(k, [8, 16, 32])}, memory: 32GiB }
}`),
    s("fraud_tuned", `tune fraud_tuned_${k}(fraud_model_${k}) {
  objective = maximize(precision)
  strategy  = ${strategy}
  trials    = 20
  parallel  = 4
  search {
${
  strategy === "grid"
    ? `    max_depth = choice(4, 6, 8, 10)
    eta       = choice(0.01, 0.1, 0.3)`
    : `    max_depth = intrange(3, 12)
    eta       = loguniform(0.01, 0.3)`
}
  }
}`),
    s("fraud_gate", `evaluate fraud_gate_${k}(fraud_tuned_${k}, txn_features_hist_${k}) {
  require precision >= 0.9
  require auc >= 0.8
}`),
    s("fraud_scoring", `deploy fraud_scoring_${k}(fraud_gate_${k}, txn_features_${k}) {
  mode      = stream
  topic     = "fraud-scores-${k}"
  instances = ${1 + (k % 4)}
}`),
  ];
}

/** The houses part declares a schema of its own (returned separately: it is not a step). */
function houses(k: number): { schema: string; steps: Step[] } {
  const s = (name: string, text: string): Step => ({ name: `${name}_${k}`, text });
  const schema = `schema City_${k} {
  city_name:  string
  population: int
  region:     enum(north, south, east, west)
}`;
  return {
    schema,
    steps: [
      s("houses", `source houses_${k}: Table<House> {
  uri    = "data/houses/${k}.csv"
  format = csv
}`),
      s("cities", `source cities_${k}: Table<City_${k}> {
  uri    = "data/cities/${k}.json"
  format = json
}`),
      s("houses_clean", `cleanse houses_clean_${k}(houses_${k}) {
  filter area_m2 > 0.0 and price > 0.0
  cast   rooms as float
  derive age_years = year(today()) - year(built)
  derive price_m2  = price / area_m2
  drop   built
}`),
      s("houses_geo", `join houses_geo_${k}(houses_clean_${k}, cities_${k}) {
  on = city == city_name
}`),
      s("houses_split", `split houses_split_${k}(houses_geo_${k}) {
  train = 0.7
  test  = 0.3
  by    = house_id
}`),
      s("price_model", `train price_model_${k}(houses_split_${k}.train) {
  framework   = sklearn
  entry       = "train.py"
  label       = price
  task        = regression
  hyperparams = { alpha: 0.${1 + (k % 9)}, max_iter: 500 }
  resources   = { cpus: 4, memory: 8GiB }
}`),
      s("price_gate", `evaluate price_gate_${k}(price_model_${k}, houses_split_${k}.test) {
  require rmse <= ${20000 + (k % 10) * 1000}.0
  require r2 >= 0.7
}`),
      s("price_registry", `register price_registry_${k}(price_gate_${k}) {
  name = "price_${k}"
}`),
      s("price_api", `deploy price_api_${k}(price_registry_${k}) {
  mode = endpoint
}`),
      s("price_batch", `deploy price_batch_${k}(price_registry_${k}, houses_geo_${k}) {
  mode     = batch
  schedule = cron("0 ${k % 24} * * 1")
  output   = "s3://acme-scores/prices/${k}/"
  resources = { cpus: 8, memory: 16GiB }
}`),
    ],
  };
}

function summary(g: number, blocks: number[]): Step {
  const inputs = blocks.flatMap((k) => [`churn_gate_${k}`, `fraud_gate_${k}`, `price_gate_${k}`]);
  return {
    name: `summary_${g}`,
    text: `// Every model of blocks ${blocks[0]}..${blocks.at(-1)} in one report (fan-in).
notebook summary_${g}(
  ${inputs.join(",\n  ")}
) {
  path       = "notebooks/summary.ipynb"
  parameters = { group: ${g} }
  resources  = { cpus: 4, memory: 16GiB, timeout: 2h }
}`,
  };
}

/** The text of a valid pipeline of exactly `n` steps. */
export function generatePipeline(n: number, opts: GenerateOptions = {}): string {
  if (!Number.isInteger(n) || n < MIN_STEPS) throw new RangeError(`generatePipeline: need a whole number of steps >= ${MIN_STEPS}, got ${n}`);
  const steps: Step[] = [];
  const schemas: string[] = [SCHEMAS];
  const gates: string[] = [];
  for (const text of GLOBAL_STEPS) steps.push({ name: "countries", text });

  // Whole blocks while they fit (a summary follows every tenth block).
  let k = 0;
  for (;;) {
    const block = [...churn(k), ...fraud(k)];
    const h = houses(k);
    block.push(...h.steps);
    const withSummary = k % 10 === 9;
    if (steps.length + block.length + (withSummary ? 1 : 0) > n) break;
    schemas.push(h.schema);
    steps.push(...block);
    gates.push(`churn_gate_${k}`, `fraud_gate_${k}`, `price_gate_${k}`);
    if (withSummary) steps.push(summary((k + 1) / 10 - 1, Array.from({ length: 10 }, (_, i) => k - 9 + i)));
    k++;
  }
  // The rest: standalone parts, then notebooks over the existing gates.
  const fraudPart = fraud(k);
  if (steps.length + fraudPart.length <= n) {
    steps.push(...fraudPart);
    gates.push(`fraud_gate_${k}`);
  }
  const housesPart = houses(k);
  if (steps.length + housesPart.steps.length <= n) {
    schemas.push(housesPart.schema);
    steps.push(...housesPart.steps);
    gates.push(`price_gate_${k}`);
  }
  for (let i = 0; steps.length < n; i++) {
    const a = gates[i % gates.length]!;
    const b = gates[(i * 7 + 3) % gates.length]!;
    steps.push({
      name: `extra_report_${i}`,
      text: `notebook extra_report_${i}(${a === b ? a : `${a}, ${b}`}) {
  path = "notebooks/extra_${i % 5}.ipynb"
}`,
    });
  }
  if (steps.length !== n) throw new Error(`generatePipeline: produced ${steps.length} steps, wanted ${n}`);

  const name = opts.name ?? `bench_${n}`;
  const out: string[] = [
    `// Generated by test/bench/generate.ts: ${n} steps. Do not edit.
pipeline ${name} {
  version  = "1.0.${n}"
  owner    = "ml-platform@acme.example"
  schedule = cron("0 3 * * *")
}`,
    ...schemas,
    ...steps.map((s) => s.text),
    `// The EU team runs the first blocks with their own data and smaller endpoints.
variant eu {
  customers_0.uri            = "s3://acme-raw-eu/customers/"
  orders_0.uri               = "s3://acme-raw-eu/orders/"
  churn_api_0.instances      = 1..4
  churn_model_0.hyperparams.lr = 0.0005
  fraud_tuned_0.trials       = 10
}`,
    // (No `pipeline.schedule` override: the parser does not accept the `pipeline` keyword as a path head.)
    `variant staging {
${Array.from({ length: Math.min(k, 50) }, (_, i) => `  churn_registry_${i}.stage = staging\n  price_api_${i}.instances = 1`).join("\n")}
}`,
    `target aws {
  region          = "us-east-1"
  artifact_bucket = "acme-ml-artifacts"
  tags            = { team: "ml-platform", cost_center: "ml-42" }
}`,
    `target onprem {
  spark_master    = "spark://spark-master:7077"
  slurm_partition = "gpu"
  kafka           = "kafka-1:9092"
  feature_store   = cassandra(hosts: ["cass-1:9042", "cass-2:9042"], keyspace: "features")
}`,
  ];
  if (opts.layout ?? true) {
    // A grid, as the editor lays out a large graph: 40 steps to a row.
    out.push(`layout {\n${steps.map((s, i) => `  ${s.name} = { x: ${(i % 40) * 260}, y: ${Math.floor(i / 40) * 160} }`).join("\n")}\n}`);
  }
  return out.join("\n\n") + "\n";
}
