#!/usr/bin/env python3
"""The declarations benchmark in pandas: the same rules as DeclarationEngine, vectorised.

Run by `zorginkoop-bench declarations --pandas`, which writes the data (raw little-endian columns)
to DIR and compares the digest this script prints on its last line with its own. Times only the
check and the aggregation, as the Swift side does; loading the columns is not counted.

Exact on the benchmark's data, which has no credits and whose faults are independent (see
DeclarationsBenchmark.swift); the engine also handles the general, sequential case.
"""
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

RULES = ["duplicateReference", "periodNotOneMonth", "periodStartsTooLate", "periodEndsTooEarly", "amountNotVolumeTimesTariff",
         "notContracted", "qualityMarkGate", "tariffDiffers", "unknownAllocation", "otherClient", "categoryDiffers", "codeDiffers",
         "unitDiffers", "beginOutsideAllocation", "endOutsideAllocation", "volumeAbovePeriodMaximum", "volumeAboveAllocationTotal",
         "secondDebit", "creditWithoutDebit", "alreadyCredited"]
INT32_MAX = 2**31 - 1


def load(directory: Path, table: str, columns: dict) -> pd.DataFrame:
    return pd.DataFrame({name: np.fromfile(directory / f"{table}.{name}.bin", dtype=dtype) for name, dtype in columns.items()})


def month_first_day(month_index: np.ndarray) -> np.ndarray:
    """Day number (days since 1970-01-01) of the first day of a month index (year * 12 + month - 1)."""
    months = (month_index.astype(np.int64) - 1970 * 12).astype("datetime64[M]")
    return months.astype("datetime64[D]").astype(np.int64)


def month_of_day(day: np.ndarray) -> np.ndarray:
    return day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) + 1970 * 12


def iso_weeks(begin: np.ndarray, end: np.ndarray) -> np.ndarray:
    return np.where(end < begin, 0, (end + 3) // 7 - (begin + 3) // 7 + 1)


def check_and_aggregate(lines: pd.DataFrame, contracts: pd.DataFrame, allocations: pd.DataFrame, meta: dict):
    n = len(lines)
    df = lines.copy()
    df["idx"] = np.arange(n)
    broken = {}

    broken["duplicateReference"] = df["reference"].duplicated(keep="first").to_numpy()
    first = month_first_day(df["month"].to_numpy())
    last = month_first_day(df["month"].to_numpy() + 1) - 1
    begin, end = df["begin"].to_numpy(), df["end"].to_numpy()
    one_month = (begin >= first) & (end <= last) & (end >= begin)
    broken["periodNotOneMonth"] = ~one_month
    has_tariff = df["tariff"].to_numpy() >= 0
    broken["amountNotVolumeTimesTariff"] = has_tariff & (df["amount"].to_numpy() != df["volume"].to_numpy().astype(np.int64) * df["tariff"].to_numpy())

    # The contract: one per provider, municipality and product, and its period must hold the line.
    contracts = contracts.copy()
    contracts["contract"] = np.arange(len(contracts))
    m = df[["provider", "municipality", "product"]].merge(contracts, how="left", on=["provider", "municipality", "product"], sort=False)
    found = m["contract"].notna().to_numpy() & (m["from"].to_numpy() <= begin) & (end <= m["to"].to_numpy())
    broken["notContracted"] = ~found
    broken["qualityMarkGate"] = found & (m["deliveryFrom"].to_numpy() > begin)
    year = df["month"].to_numpy() // 12
    agreed = np.select([year == 2025, year == 2026, year == 2027],
                       [m["tariff2025"].to_numpy(), m["tariff2026"].to_numpy(), m["tariff2027"].to_numpy()], default=-1)
    volume = df["volume"].to_numpy().astype(np.int64)
    declared = np.where(has_tariff, df["tariff"].to_numpy(), np.where(volume > 0, df["amount"].to_numpy() // np.maximum(volume, 1), -1))
    broken["tariffDiffers"] = found & ((agreed < 0) | (declared != agreed))
    cell = np.where(found, m["cell"].fillna(-1).to_numpy(), -1).astype(np.int64)

    # The allocation.
    a = allocations.copy()
    a["allocation"] = np.arange(len(a), dtype=np.int32)
    j = df[["allocation"]].merge(a, how="left", on="allocation", sort=False)
    known = j["client"].notna().to_numpy() & (j["provider"].to_numpy() == df["provider"].to_numpy()) \
        & (j["municipality"].to_numpy() == df["municipality"].to_numpy())
    broken["unknownAllocation"] = ~known
    start = j["start"].fillna(0).to_numpy().astype(np.int64)
    a_end = j["end"].fillna(INT32_MAX).to_numpy().astype(np.int64)
    broken["otherClient"] = known & (j["client"].to_numpy() != df["client"].to_numpy())
    broken["categoryDiffers"] = known & (j["category"].to_numpy() != df["category"].to_numpy())
    broken["codeDiffers"] = known & (j["product"].to_numpy() >= 0) & (j["product"].to_numpy() != df["product"].to_numpy())
    broken["unitDiffers"] = np.zeros(n, dtype=bool)
    broken["beginOutsideAllocation"] = known & ((begin < start) | (begin > a_end))
    broken["endOutsideAllocation"] = known & ((end < start) | (end > a_end))
    broken["periodStartsTooLate"] = known & one_month & (begin != first) & ~((start > first) & (start <= last))
    broken["periodEndsTooEarly"] = known & one_month & (end != last) & ~((a_end < last) & (a_end >= first))
    frequency = j["frequency"].fillna(0).to_numpy().astype(np.int64)
    a_volume = j["volume"].fillna(-1).to_numpy().astype(np.int64)
    limited = known & (a_volume >= 0)
    period_max = np.select([frequency == 1, frequency == 2, frequency == 4],
                           [(end - begin + 1) * a_volume, iso_weeks(begin, end) * a_volume,
                            (month_of_day(end) - month_of_day(begin) + 1) * a_volume], default=np.iinfo(np.int64).max)
    broken["volumeAbovePeriodMaximum"] = limited & (volume > period_max)
    total_max = np.select([frequency == 6, (frequency == 1) & (a_end != INT32_MAX), (frequency == 2) & (a_end != INT32_MAX),
                           (frequency == 4) & (a_end != INT32_MAX)],
                          [a_volume, (a_end - start + 1) * a_volume, iso_weeks(start, a_end) * a_volume,
                           (month_of_day(a_end) - month_of_day(start) + 1) * a_volume], default=np.iinfo(np.int64).max)

    # The sequential rules: a second debit after an approved one; the running total of approved volume.
    base_ok = np.ones(n, dtype=bool)
    for rule in RULES:
        if rule in broken and rule not in ("volumeAboveAllocationTotal", "secondDebit"):
            base_ok &= ~broken[rule]
    key = df["allocation"].to_numpy().astype(np.int64) * 4096 + df["month"].to_numpy()
    candidates = pd.DataFrame({"key": key[base_ok], "idx": df["idx"].to_numpy()[base_ok]})
    first_ok = candidates.groupby("key", sort=False)["idx"].min()
    first_idx = pd.Series(key).map(first_ok).fillna(n).to_numpy()
    broken["secondDebit"] = df["idx"].to_numpy() > first_idx
    counted = base_ok & ~broken["secondDebit"]
    counted_volume = np.where(counted, volume, 0)
    prior = pd.Series(counted_volume).groupby(df["allocation"].to_numpy()).cumsum().to_numpy() - counted_volume
    broken["volumeAboveAllocationTotal"] = limited & (prior + volume > total_max)
    broken["creditWithoutDebit"] = np.zeros(n, dtype=bool)
    broken["alreadyCredited"] = np.zeros(n, dtype=bool)

    approved = np.ones(n, dtype=bool)
    for rule in RULES:
        approved &= ~broken[rule]

    # Aggregate per cell and month.
    month_count, month_base = meta["monthCount"], meta["monthBase"]
    slot = cell * month_count + (df["month"].to_numpy() - month_base)
    amount = df["amount"].to_numpy()
    sums = pd.DataFrame({"slot": slot[approved], "amount": amount[approved], "volume": volume[approved]}) \
        .groupby("slot").agg(cents=("amount", "sum"), volume=("volume", "sum"), lines=("amount", "size"))
    rejected = pd.DataFrame({"slot": slot[~approved], "amount": amount[~approved]}).groupby("slot")["amount"].agg(["sum", "size"])
    return broken, approved, sums, rejected


def digest(broken, approved, sums, rejected):
    modulus = (1 << 61) - 1
    checksum = 0
    for s, cents in zip(sums.index.to_numpy(), sums["cents"].to_numpy()):
        if cents != 0:
            checksum = (checksum + int(cents) * (int(s) + 1)) % modulus
    rules = {rule: int(broken[rule][~approved].sum()) for rule in RULES if broken[rule][~approved].any()}
    return {"lines": int(len(approved)), "approvedLines": int(approved.sum()), "approvedCents": int(sums["cents"].sum()),
            "rejectedCents": int(rejected["sum"].sum()), "nonEmptySlots": int((sums["lines"] > 0).sum()), "rules": rules,
            "slotChecksum": checksum}


def main():
    directory = Path(sys.argv[1])
    iterations = int(sys.argv[sys.argv.index("--iterations") + 1]) if "--iterations" in sys.argv else 3
    meta = json.loads((directory / "meta.json").read_text())
    i32, i64 = np.int32, np.int64
    lines = load(directory, "lines", {"reference": i32, "allocation": i32, "client": i32, "provider": i32, "municipality": i32, "product": i32,
                                      "category": i32, "month": i32, "begin": i32, "end": i32, "volume": i32, "tariff": i32, "amount": i32})
    # Cents as 64-bit in pandas, so that sums cannot overflow (the Swift side sums in 64 bits too).
    lines["tariff"] = lines["tariff"].astype(np.int64)
    lines["amount"] = lines["amount"].astype(np.int64)
    contracts = load(directory, "contracts", {"provider": i32, "municipality": i32, "product": i32, "from": i32, "to": i32, "deliveryFrom": i32,
                                              "cell": i32, "tariff2025": i64, "tariff2026": i64, "tariff2027": i64})
    allocations = load(directory, "allocations", {"client": i32, "municipality": i32, "provider": i32, "category": i32, "product": i32,
                                                  "volume": i32, "frequency": i32, "start": i32, "end": i32})
    timings = []
    result = None
    for _ in range(iterations):
        t = time.perf_counter()
        result = check_and_aggregate(lines, contracts, allocations, meta)
        timings.append((time.perf_counter() - t) * 1000)
    print(f"pandas runs (ms): {', '.join(f'{x:.0f}' for x in timings)}", file=sys.stderr)
    print(json.dumps({"pandas": pd.__version__, "medianMs": statistics.median(timings), "digest": digest(*result)}))


if __name__ == "__main__":
    main()
