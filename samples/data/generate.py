#!/usr/bin/python3
"""Deterministic sample data for the pipelines in samples/.

Run `/usr/bin/python3 samples/data/generate.py` (from anywhere): it rewrites every file
under samples/data/<pipeline>/ byte-identically. Standard library only, fixed seeds.

Every row is generated relative to the fixed instant NOW (2026-11-30 06:00:00 UTC), the
clock that the samples' `target local` blocks pin, so look-back windows (`window = 7d`,
`window = 28d`) and `now()`/`today()` see the same data on every run.

The pipelines that learn from history (machine_failure, demand_forecast) have labels for
several past weeks and the readings or sales of the weeks before each: hopping windows
(`every`) rebuild the features as they were at each week's start, and an as-of join
(`asof`) gives each label those, never later ones. The last week before NOW has readings
and sales but no labels yet: it is what the as-of-now scoring reads.

Each data set carries the pattern its model must find:
- machine_failure: a week's failure mode follows the sensors of the week before it
  (mechanical: high vibration, electrical: high temperature, hydraulic: low pressure), more
  often on old machines; stress is partly the machine's own, partly the week's.
- demand_forecast: a week's units follow the four weeks before it (the rate, promotions,
  price) and the season building up to December (toys and electronics most); retried
  uploads and refunds are noise the cleansing removes.
- ad_click_through: clicks follow the user's embedding direction, the placement (search),
  the device (mobile) and the evening hours.
- ticket_triage: the final queue follows the words of the subject and the body
  embedding's direction; tickets moved between queues keep the last one.
"""
import csv
import datetime as dt
import json
import math
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
NOW = dt.datetime(2026, 11, 30, 6, 0, 0)
TODAY = NOW.date()


# ---------------------------------------------------------------------------------------
# Writers

def ts(t):
    return t.strftime("%Y-%m-%d %H:%M:%S")


def day(d):
    return d.strftime("%Y-%m-%d")


def vec_text(v):
    return "[" + ", ".join("%.2f" % (x + 0.0) for x in v) + "]"


def cell(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(round(v, 4))
    return str(v)


def write_csv(pipeline, name, header, rows):
    folder = os.path.join(HERE, pipeline)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, name + ".csv")
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow([cell(r[h]) for h in header])
    return path


def json_value(v):
    if isinstance(v, float):
        return round(v, 4)
    return v


def write_jsonl(pipeline, name, header, rows):
    folder = os.path.join(HERE, pipeline)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, name + ".jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            obj = {h: json_value(r[h]) for h in header}
            f.write(json.dumps(obj, separators=(",", ":"), ensure_ascii=True) + "\n")
    return path


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


def unit_vector(rng, n):
    v = [rng.gauss(0.0, 1.0) for _ in range(n)]
    norm = math.sqrt(sum(x * x for x in v))
    return [x / norm for x in v]


# ---------------------------------------------------------------------------------------
# The retail catalogue (samples/lib/catalog.mlp), shared by demand_forecast and ticket_triage

CATEGORIES = ["grocery", "household", "apparel", "electronics", "toys"]
PRICE_RANGE = {"grocery": (1.5, 12.0), "household": (3.0, 40.0), "apparel": (8.0, 90.0),
               "electronics": (15.0, 400.0), "toys": (5.0, 80.0)}
BRANDS = ["Acme", "Northwind", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay"]


def catalog(seed=11):
    rng = random.Random(seed)
    products = []
    for i in range(60):
        cat = CATEGORIES[i % len(CATEGORIES)]
        lo, hi = PRICE_RANGE[cat]
        price = round(math.exp(rng.uniform(math.log(lo), math.log(hi))), 2)
        launched = TODAY - dt.timedelta(days=rng.randint(30, 2500))
        products.append({
            "sku": "SKU-%04d" % (1001 + i),
            "name": "%s item %d" % (cat.capitalize(), i + 1),
            "category": cat,
            "brand": None if rng.random() < 0.2 else rng.choice(BRANDS),
            "list_price": price,
            "launched_on": day(launched),
            "discontinued": rng.random() < 0.08,
        })
    stores = []
    formats = ["hypermarket", "supermarket", "supermarket", "convenience", "online"]
    for i in range(16):
        fmt = formats[i % len(formats)]
        size = {"hypermarket": (8000, 15000), "supermarket": (1500, 4000),
                "convenience": (120, 400)}.get(fmt)
        stores.append({
            "store_id": "S%02d" % (i + 1),
            "region": ["north", "south", "east", "west"][rng.randrange(4)],
            "store_format": fmt,
            "floor_m2": None if size is None else rng.randint(*size),
            "opened_on": day(TODAY - dt.timedelta(days=rng.randint(400, 9000))),
        })
    return products, stores


PRODUCT_HEADER = ["sku", "name", "category", "brand", "list_price", "launched_on", "discontinued"]
STORE_HEADER = ["store_id", "region", "store_format", "floor_m2", "opened_on"]


# ---------------------------------------------------------------------------------------
# machine_failure

LABEL_WEEKS = 6  # weekly snapshots with labels; the newest is the Monday a week before NOW


def machine_failure():
    """Six weekly snapshots (Mondays, 00:00 UTC) with a label each: the failure in the seven
    days from the snapshot, which follows the sensors of the seven days before it. The
    sensors of the last seven days before NOW are what the nightly scoring reads."""
    rng = random.Random(101)
    machines, labels, readings = [], [], []
    models = ["KX-200", "KX-300", "TR-50", "HP-9"]
    sites = ["lyon", "porto", "gdansk"]
    midnight = dt.datetime.combine(TODAY, dt.time())
    newest = midnight - dt.timedelta(days=7 + TODAY.weekday())  # the Monday a week ago
    snapshots = [newest - dt.timedelta(days=7 * k) for k in range(LABEL_WEEKS)]
    # The week before each snapshot, then the week before NOW (scored, not labelled yet).
    weeks = [(s - dt.timedelta(days=7), s, True) for s in snapshots] + [(NOW - dt.timedelta(days=7), NOW, False)]
    for i in range(300):
        mid = "M%04d" % (i + 1)
        installed = TODAY - dt.timedelta(days=rng.randint(200, 6500))
        serviced = None
        if rng.random() > 0.15:
            serviced = installed + dt.timedelta(days=rng.randint(100, max(101, (TODAY - installed).days - 10)))
        machines.append({"machine_id": mid, "model": rng.choice(models), "site": rng.choice(sites),
                         "installed_on": day(installed),
                         "last_service_on": None if serviced is None else day(serviced)})
        # Latent stress per failure mode: partly the machine's own, partly the week's; old
        # machines wear harder.
        own = [rng.gauss(0.0, 1.0) for _ in range(3)]  # vibration, temperature, pressure
        for start, end, labelled in weeks:
            age = (end.date() - installed).days / 365.25
            wear = 0.06 * age
            stress = [0.6 * o + 0.8 * rng.gauss(0.0, 1.0) + wear for o in own]
            if labelled:
                scores = [0.0] + [3.4 * s + 0.15 * age - 7.0 + rng.gauss(0.0, 0.3) for s in stress]
                cls = max(range(4), key=lambda k: scores[k])
                labels.append({"machine_id": mid, "week_start": ts(end), "failure_class": cls})
            if rng.random() < 0.02:
                continue  # the machine sent nothing that week: no window, no training row
            z_vib, z_temp, z_pres = stress
            for sensor, center, noise in (("temperature", 65.0 + 5.0 * z_temp, 0.8),
                                          ("vibration", 2.0 + 0.35 * z_vib, 0.06),
                                          ("pressure", 6.0 - 0.35 * z_pres, 0.06)):
                for _ in range(2):
                    t = start + dt.timedelta(seconds=rng.randint(3600, 7 * 86400 - 3600))
                    value = center + rng.gauss(0.0, noise)
                    if rng.random() < 0.03:
                        value = None  # a dropped reading
                    elif rng.random() < 0.02:
                        value = -999.0  # the logger's error code, filtered out
                    readings.append({"machine_id": mid, "sensor": sensor,
                                     "value": None if value is None else round(value, 2), "read_at": ts(t)})
    readings.sort(key=lambda r: (r["read_at"], r["machine_id"], r["sensor"]))
    labels.sort(key=lambda r: (r["week_start"], r["machine_id"]))
    write_csv("machine_failure", "readings", ["machine_id", "sensor", "value", "read_at"], readings)
    write_csv("machine_failure", "machines",
              ["machine_id", "model", "site", "installed_on", "last_service_on"], machines)
    write_csv("machine_failure", "failure_labels", ["machine_id", "week_start", "failure_class"], labels)


# ---------------------------------------------------------------------------------------
# demand_forecast

SEASON = {"grocery": 1.1, "household": 1.0, "apparel": 1.15, "electronics": 1.35, "toys": 1.7}
CATEGORY_RATE = {"grocery": 14.0, "household": 8.0, "apparel": 6.0, "electronics": 4.0, "toys": 7.0}
FORMAT_RATE = {"hypermarket": 2.2, "supermarket": 1.3, "convenience": 0.6, "online": 1.6}


def demand_forecast():
    """Eleven weeks of till sales (Mondays to Sundays) and the weekly close of the last six:
    the units each store and SKU sold that week, 0 included. A week's units follow the rate of
    the weeks before it (the store, the product, its price and promotions), plus the season
    building up to December and the week's own noise."""
    products, stores = catalog()
    write_csv("demand_forecast", "products_raw", PRODUCT_HEADER, products)
    write_csv("demand_forecast", "stores", STORE_HEADER, stores)
    rng = random.Random(202)
    pairs = [(s, p) for s in stores for p in products]
    rng.shuffle(pairs)
    pairs = pairs[:200]
    pairs.sort(key=lambda sp: (sp[0]["store_id"], sp[1]["sku"]))
    midnight = dt.datetime.combine(TODAY, dt.time())
    this_week = midnight - dt.timedelta(days=TODAY.weekday())  # NOW's Monday: not over yet
    n_weeks = 11
    weeks = [this_week - dt.timedelta(days=7 * (n_weeks - j)) for j in range(n_weeks)]
    labelled = weeks[-LABEL_WEEKS:]
    sales, demand = [], []
    n = 0
    for store, product in pairs:
        lo, hi = PRICE_RANGE[product["category"]]
        mid_price = math.sqrt(lo * hi)
        price_effect = (mid_price / product["list_price"]) ** 0.35
        rate = (CATEGORY_RATE[product["category"]] * FORMAT_RATE[store["store_format"]]
                * price_effect * math.exp(rng.gauss(0.0, 0.35)))  # units per week
        promo_share = rng.choice([0.0, 0.0, 0.1, 0.25, 0.5])
        promo_lift = 1.0 + 0.8 * promo_share
        for j, week in enumerate(weeks):
            season = 1.0 + (SEASON[product["category"]] - 1.0) * j / (n_weeks - 1)  # towards December
            expected = rate * promo_lift * season
            units = max(0, int(round(rng.gauss(expected, 0.5 + 0.4 * math.sqrt(expected)))))
            if expected < 4.0 and rng.random() < 0.15:
                units = 0  # slow sellers sometimes sell nothing in a week
            if week in labelled:
                demand.append({"store_sku": store["store_id"] + "/" + product["sku"],
                               "store_id": store["store_id"], "sku": product["sku"],
                               "week_start": day(week.date()), "units_next_week": float(units)})
            while units > 0:
                q = min(units, rng.randint(1, 8))
                units -= q
                n += 1
                on_promo = rng.random() < promo_share
                sold = week + dt.timedelta(seconds=rng.randint(1800, 7 * 86400 - 1800))
                row = {"sale_id": "T%06d" % n, "store_id": store["store_id"], "sku": product["sku"],
                       "quantity": q,
                       "unit_price": None if rng.random() < 0.03 else round(product["list_price"] * rng.uniform(0.97, 1.03), 2),
                       "discount": round(rng.choice([0.1, 0.2, 0.3]), 2) if on_promo else (0.05 if rng.random() < 0.05 else None),
                       "promo_code": ("PROMO%d" % rng.choice([10, 20, 30])) if on_promo else None,
                       "sold_at": ts(sold),
                       "ingested_at": ts(sold + dt.timedelta(minutes=rng.randint(5, 600)))}
                sales.append(row)
                if rng.random() < 0.04:  # the till retried the upload
                    dup = dict(row)
                    dup["ingested_at"] = ts(sold + dt.timedelta(minutes=rng.randint(601, 1400)))
                    sales.append(dup)
                if rng.random() < 0.03:  # a refund
                    n += 1
                    refund = dict(row)
                    refund.update({"sale_id": "T%06d" % n, "quantity": -q,
                                   "sold_at": ts(sold + dt.timedelta(hours=2)),
                                   "ingested_at": ts(sold + dt.timedelta(hours=3))})
                    sales.append(refund)
    sales.sort(key=lambda r: (r["ingested_at"], r["sale_id"]))
    demand.sort(key=lambda r: (r["week_start"], r["store_sku"]))
    write_csv("demand_forecast", "sales_raw",
              ["sale_id", "store_id", "sku", "quantity", "unit_price", "discount", "promo_code",
               "sold_at", "ingested_at"], sales)
    write_csv("demand_forecast", "weekly_demand",
              ["store_sku", "store_id", "sku", "week_start", "units_next_week"], demand)


# ---------------------------------------------------------------------------------------
# ad_click_through

IMPRESSION_HEADER = ["impression_id", "user_id", "ad_id", "placement", "device", "bid_price",
                     "user_embedding", "shown_at"]


def ad_click_through():
    rng = random.Random(303)
    direction = unit_vector(rng, 64)
    users = []
    for i in range(500):
        taste = rng.gauss(0.0, 1.0)  # how much the user likes clicking, along `direction`
        other = [rng.gauss(0.0, 1.0) for _ in range(64)]
        dot = sum(a * b for a, b in zip(other, direction))
        other = [a - dot * b for a, b in zip(other, direction)]
        norm = math.sqrt(sum(x * x for x in other))
        emb = [0.35 * (taste * d + 2.2 * o / norm) for d, o in zip(direction, other)]
        users.append(("U%04d" % (i + 1), taste, emb))

    def impression(k, shown):
        user_id, taste, emb = users[rng.randrange(len(users))]
        placement = rng.choice(["feed", "feed", "sidebar", "search"])
        device = rng.choice(["mobile", "mobile", "desktop", "tablet"])
        bid = round(math.exp(rng.gauss(0.0, 0.5)), 3)
        logit = (-3.6 + 2.0 * taste + (1.2 if placement == "search" else 0.0)
                 - (0.7 if placement == "sidebar" else 0.0) + (0.5 if device == "mobile" else 0.0)
                 + (0.6 if 18 <= shown.hour <= 22 else 0.0) + 0.3 * math.log1p(bid))
        row = {"impression_id": "I%06d" % k, "user_id": user_id, "ad_id": "A%02d" % rng.randint(1, 20),
               "placement": placement, "device": device, "bid_price": bid,
               "user_embedding": [round(x, 2) + 0.0 for x in emb], "shown_at": ts(shown)}
        return row, rng.random() < sigmoid(logit)

    log, clicks = [], []
    c = 0
    for k in range(1, 2001):
        shown = NOW - dt.timedelta(seconds=rng.randint(3600, 14 * 86400))
        row, clicked = impression(k, shown)
        log.append(row)
        if clicked:
            at = shown + dt.timedelta(seconds=rng.randint(1, 90))
            for _ in range(2 if rng.random() < 0.4 else 1):  # client and server both log it
                c += 1
                clicks.append({"click_id": "C%06d" % c, "impression_id": row["impression_id"],
                               "clicked_at": ts(at + dt.timedelta(seconds=rng.randint(0, 3)))})
    log.sort(key=lambda r: (r["shown_at"], r["impression_id"]))
    clicks.sort(key=lambda r: (r["clicked_at"], r["click_id"]))
    write_csv("ad_click_through", "impressions_log", IMPRESSION_HEADER,
              [dict(r, user_embedding=vec_text(r["user_embedding"])) for r in log])
    write_jsonl("ad_click_through", "clicks", ["click_id", "impression_id", "clicked_at"], clicks)

    # The live topic: the last 30 minutes before NOW, in event-time order.
    live = []
    for k in range(1, 201):
        shown = NOW - dt.timedelta(seconds=rng.randint(1, 1800))
        live.append(impression(900000 + k, shown)[0])
    live.sort(key=lambda r: (r["shown_at"], r["impression_id"]))
    write_jsonl("ad_click_through", "impressions_live", IMPRESSION_HEADER, live)


# ---------------------------------------------------------------------------------------
# ticket_triage

QUEUES = ["billing", "technical", "account", "shipping", "returns"]
WORDS = {
    "billing": ["invoice", "charged twice", "refund of charge", "payment failed", "billing error",
                "credit card declined", "overcharged", "VAT on invoice", "subscription fee"],
    "technical": ["app crashes", "error code", "cannot connect", "device not working", "firmware update",
                  "screen frozen", "bluetooth pairing", "software bug", "won't turn on"],
    "account": ["password reset", "cannot log in", "change email", "delete my account", "two-factor code",
                "account locked", "update profile", "username", "login link expired"],
    "shipping": ["where is my order", "tracking number", "delivery late", "parcel lost", "courier",
                 "shipping address", "not delivered", "delivery date", "package stuck"],
    "returns": ["return label", "want to return", "exchange size", "damaged item", "return policy",
                "wrong item received", "send it back", "return window", "faulty product return"],
}
FILLER = ["hello", "please help", "urgent", "question about", "my order", "help needed", "hi team",
          "again", "thanks", "issue with"]
FOREIGN = {"de": ["Rechnung falsch", "Paket nicht angekommen", "Passwort vergessen"],
           "fr": ["facture incorrecte", "colis perdu", "mot de passe oublie"]}


def ticket_triage():
    products, _ = catalog()
    write_csv("ticket_triage", "products_raw", PRODUCT_HEADER, products)
    rng = random.Random(404)
    centers = {q: unit_vector(rng, 384) for q in QUEUES}
    tickets, resolutions = [], []
    for i in range(1, 481):
        queue = QUEUES[rng.randrange(len(QUEUES))]
        lang = rng.choices(["en", None, "de", "fr"], weights=[78, 14, 4, 4])[0]
        if lang in FOREIGN:
            subject = rng.choice(FOREIGN[lang])
        else:
            topic = queue
            if rng.random() < 0.08:  # a misleading subject: the body says what it is about
                topic = QUEUES[rng.randrange(len(QUEUES))]
            parts = [rng.choice(WORDS[topic])]
            if rng.random() < 0.1:  # a vague subject: only the body says what it is about
                parts = [rng.choice(FILLER), rng.choice(["my order", "my account", "a problem", "your service"])]
            elif rng.random() < 0.6:
                parts.insert(rng.randint(0, 1), rng.choice(FILLER))
            subject = " ".join(parts)
            subject = subject[0].upper() + subject[1:]
        emb = [0.2 * c + rng.gauss(0.0, 0.05) for c in centers[queue]]
        has_sku = rng.random() < {"shipping": 0.8, "returns": 0.85, "technical": 0.5}.get(queue, 0.1)
        created = NOW - dt.timedelta(seconds=rng.randint(3600, 60 * 86400))
        channel = rng.choices(["email", "chat", "phone", "web"],
                              weights=[4, 3, 2, 2] if queue != "technical" else [2, 4, 3, 2])[0]
        tid = "TK%05d" % i
        tickets.append({"ticket_id": tid, "customer_id": "CU%04d" % rng.randint(1, 400),
                        "sku": rng.choice(products)["sku"] if has_sku else None,
                        "channel": channel, "subject": subject,
                        "body_embedding": [round(x, 2) + 0.0 for x in emb], "language": lang,
                        "created_at": ts(created)})
        if rng.random() < 0.1:
            continue  # still open: no resolution, no label
        resolved = created + dt.timedelta(hours=rng.randint(1, 72))
        if rng.random() < 0.2:  # first routed to the wrong queue, then moved
            wrong = rng.choice([q for q in QUEUES if q != queue])
            resolutions.append({"ticket_id": tid, "queue": wrong, "agent_id": "AG%02d" % rng.randint(1, 25),
                                "resolved_at": ts(resolved)})
            resolved = resolved + dt.timedelta(hours=rng.randint(1, 48))
        resolutions.append({"ticket_id": tid, "queue": queue, "agent_id": "AG%02d" % rng.randint(1, 25),
                            "resolved_at": ts(resolved)})
    tickets.sort(key=lambda r: (r["created_at"], r["ticket_id"]))
    resolutions.sort(key=lambda r: (r["resolved_at"], r["ticket_id"]))
    write_jsonl("ticket_triage", "tickets",
                ["ticket_id", "customer_id", "sku", "channel", "subject", "body_embedding", "language",
                 "created_at"], tickets)
    write_csv("ticket_triage", "resolutions", ["ticket_id", "queue", "agent_id", "resolved_at"], resolutions)


if __name__ == "__main__":
    machine_failure()
    demand_forecast()
    ad_click_through()
    ticket_triage()
