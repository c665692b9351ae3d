"""Recall, false alarms and speed of the emergency detector on the test sets.

Run from ``bot/`` with the bot venv::

    ../.venv-bot/bin/python -m safety.measure          # a table
    ../.venv-bot/bin/python -m safety.measure --json   # the same as JSON

The cases are ``tests/data/safety_cases_<name>.yaml`` (``positives: [{text, category}]``,
``negatives: [{text}]``); ``<name>`` is the language (kk, ru, en), and the paraphrase set
``safety_cases_extra.yaml`` is reported as "extra". For each set: positives, recall (a
positive counts when any alarm is raised), category accuracy (the alarm has the labelled
category), negatives, false-alarm rate, and the median and 95th-percentile time of one
``detect()`` call in microseconds. Misses and false alarms are listed after the table.
``--check`` exits with 1 when recall is below 100% or any negative raises an alarm.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from safety.detector import detect

DATA_DIR = Path(__file__).resolve().parents[2] / "tests" / "data"
ORDER = ("kk", "ru", "en", "extra")


def load_sets(data_dir: Path) -> dict[str, dict[str, list[dict[str, Any]]]]:
    sets = {}
    for path in sorted(data_dir.glob("safety_cases_*.yaml")):
        name = path.stem.removeprefix("safety_cases_")
        with path.open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
        sets[name] = {
            "positives": list(data.get("positives") or []),
            "negatives": list(data.get("negatives") or []),
        }
    order = {name: i for i, name in enumerate(ORDER)}
    return dict(sorted(sets.items(), key=lambda kv: (order.get(kv[0], len(ORDER)), kv[0])))


def _timed(text: str, repeat: int) -> tuple[Any, list[float]]:
    times = []
    alarm = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        alarm = detect(text)
        times.append((time.perf_counter() - t0) * 1e6)
    return alarm, times


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(sets: dict[str, dict[str, list[dict[str, Any]]]], repeat: int = 5) -> dict[str, Any]:
    detect("warm-up: compile the lexicon")
    report: dict[str, Any] = {"sets": {}, "misses": [], "wrong_category": [], "false_alarms": []}
    all_times: list[float] = []
    totals = {"positives": 0, "detected": 0, "right_category": 0, "negatives": 0, "alarms": 0}
    for name, cases in sets.items():
        times: list[float] = []
        detected = right = alarms = 0
        for case in cases["positives"]:
            alarm, t = _timed(case["text"], repeat)
            times += t
            if alarm is None:
                report["misses"].append({"set": name, **case})
                continue
            detected += 1
            if alarm.category == case.get("category"):
                right += 1
            else:
                report["wrong_category"].append({"set": name, **case, "got": alarm.category})
        for case in cases["negatives"]:
            alarm, t = _timed(case["text"], repeat)
            times += t
            if alarm is not None:
                alarms += 1
                report["false_alarms"].append(
                    {
                        "set": name,
                        "text": case["text"],
                        "got": alarm.category,
                        "pattern": alarm.pattern,
                    }
                )
        n_pos, n_neg = len(cases["positives"]), len(cases["negatives"])
        report["sets"][name] = {
            "positives": n_pos,
            "recall": detected / n_pos if n_pos else None,
            "category_accuracy": right / n_pos if n_pos else None,
            "negatives": n_neg,
            "false_alarm_rate": alarms / n_neg if n_neg else None,
            "median_us": statistics.median(times) if times else None,
            "p95_us": _p95(times) if times else None,
        }
        all_times += times
        for key, value in (
            ("positives", n_pos),
            ("detected", detected),
            ("right_category", right),
            ("negatives", n_neg),
            ("alarms", alarms),
        ):
            totals[key] += value
    report["sets"]["all"] = {
        "positives": totals["positives"],
        "recall": totals["detected"] / totals["positives"] if totals["positives"] else None,
        "category_accuracy": (
            totals["right_category"] / totals["positives"] if totals["positives"] else None
        ),
        "negatives": totals["negatives"],
        "false_alarm_rate": totals["alarms"] / totals["negatives"] if totals["negatives"] else None,
        "median_us": statistics.median(all_times) if all_times else None,
        "p95_us": _p95(all_times) if all_times else None,
    }
    return report


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _us(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def format_table(report: dict[str, Any]) -> str:
    head = (
        "set",
        "positives",
        "recall",
        "category",
        "negatives",
        "false alarms",
        "median µs",
        "p95 µs",
    )
    rows = [head]
    for name, r in report["sets"].items():
        rows.append(
            (
                name,
                str(r["positives"]),
                _pct(r["recall"]),
                _pct(r["category_accuracy"]),
                str(r["negatives"]),
                _pct(r["false_alarm_rate"]),
                _us(r["median_us"]),
                _us(r["p95_us"]),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = [
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    for title, key in (
        ("Missed", "misses"),
        ("Other category", "wrong_category"),
        ("False alarms", "false_alarms"),
    ):
        if report[key]:
            lines.append("")
            lines.append(f"{title}:")
            for item in report[key]:
                extra = f" -> {item['got']}" if "got" in item else ""
                label = f" [{item['category']}]" if "category" in item else ""
                lines.append(f"  {item['set']}: {item['text']}{label}{extra}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m safety.measure", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--data-dir", type=Path, default=DATA_DIR, help="where safety_cases_*.yaml are"
    )
    parser.add_argument(
        "--repeat", type=int, default=5, help="detect() calls per case for the timing"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 on any miss or false alarm")
    args = parser.parse_args(argv)
    sets = load_sets(args.data_dir)
    if not sets:
        print(f"no safety_cases_*.yaml in {args.data_dir}", file=sys.stderr)
        return 2
    report = measure(sets, repeat=max(1, args.repeat))
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(format_table(report))
    if args.check and (report["misses"] or report["false_alarms"]):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
