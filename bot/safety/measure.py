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

Then the blind adversarial sets (``load_blind``): recall, right kind and false alarms per
language, per kind and per way of typing; ``--details`` lists their misses, wrong kinds and
false alarms. Every figure is the whole detector's (lexicon, then classifier).
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
from catalogs import LANGUAGES

from safety.detector import CATEGORIES, detect

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
        alarm = detect.__wrapped__(text)  # the work itself, not the cache of recent messages
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


def _aligned(rows: list[tuple[str, ...]]) -> list[str]:
    """A plain-text table: the first column left, the others right, a rule under the head."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


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
    lines = _aligned(rows)
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


# --- The blind adversarial sets ----------------------------------------------------------
#
# Written by people who never read the lexicon: `cries: [{text, kind, script}]` and
# `ordinary: [{text, script}]`, per language. `test2` (tests/data/safety_blind/) has never
# been learnt from nor tuned on. `dev` (the lexicon was tuned on it) and `test1` (measured
# once, blind, then learnt from) are now training data of the classifier
# (safety/training/): their figures are not a measure of anything new.

BLIND_DIR = DATA_DIR / "safety_blind"
TRAINING_DIR = Path(__file__).resolve().parent / "training"
SCRIPTS = ("cyrillic", "latin", "mixed")
SPLITS = ("test2", "test1", "dev")


def _blind_path(split: str, lang: str, blind_dir: Path) -> Path:
    if split == "test2":
        return blind_dir / f"{lang}_test2.yaml"
    return TRAINING_DIR / f"{lang}_blind_{split}.yaml"


def load_blind(
    blind_dir: Path = BLIND_DIR, splits: tuple[str, ...] = SPLITS
) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """{"test2/kk": {"cries": [...], "ordinary": [...]}, ...}, in the order of `splits`."""
    sets = {}
    for split in splits:
        for lang in LANGUAGES:
            path = _blind_path(split, lang, blind_dir)
            if not path.exists():
                continue
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            sets[f"{split}/{lang}"] = {
                "cries": list(data.get("cries") or []),
                "ordinary": list(data.get("ordinary") or []),
            }
    return sets


def _rates(cries: list[tuple[dict[str, Any], Any]], ordinary: list[Any]) -> dict[str, Any]:
    detected = [(case, alarm) for case, alarm in cries if alarm is not None]
    right = [case for case, alarm in detected if alarm.category == case["kind"]]
    alarms = [alarm for alarm in ordinary if alarm is not None]
    return {
        "cries": len(cries),
        "recall": len(detected) / len(cries) if cries else None,
        "right_kind": len(right) / len(cries) if cries else None,
        "ordinary": len(ordinary),
        "false_alarm_rate": len(alarms) / len(ordinary) if ordinary else None,
    }


def measure_blind(sets: dict[str, dict[str, list[dict[str, Any]]]]) -> dict[str, Any]:
    """Recall, right kind and false alarms per set, and within it per kind and per way
    of typing; the misses, wrong kinds and false alarms of each set."""
    report: dict[str, Any] = {"rows": {}, "misses": [], "wrong_kind": [], "false_alarms": []}
    for name, cases in sets.items():
        cries = [(case, detect(case["text"])) for case in cases["cries"]]
        ordinary = [(case, detect(case["text"])) for case in cases["ordinary"]]
        report["rows"][name] = _rates(cries, [a for _, a in ordinary])
        kinds = sorted({case["kind"] for case, _ in cries}, key=lambda k: (k not in CATEGORIES, k))
        for kind in kinds:
            report["rows"][f"{name} {kind}"] = _rates(
                [c for c in cries if c[0]["kind"] == kind], []
            )
        for script in SCRIPTS:
            of_script = [c for c in cries if c[0].get("script") == script]
            plain = [a for case, a in ordinary if case.get("script") == script]
            if of_script or plain:
                report["rows"][f"{name} {script}"] = _rates(of_script, plain)
        for case, alarm in cries:
            if alarm is None:
                report["misses"].append({"set": name, **case})
            elif alarm.category != case["kind"]:
                report["wrong_kind"].append({"set": name, **case, "got": alarm.category})
        for case, alarm in ordinary:
            if alarm is not None:
                report["false_alarms"].append(
                    {"set": name, **case, "got": alarm.category, "pattern": alarm.pattern}
                )
    return report


def format_blind(report: dict[str, Any], details: bool = True) -> str:
    head = ("blind set", "cries", "recall", "right kind", "ordinary", "false alarms")
    rows = [head] + [
        (
            name,
            str(r["cries"]),
            _pct(r["recall"]),
            _pct(r["right_kind"]),
            str(r["ordinary"]) if r["ordinary"] else "",
            _pct(r["false_alarm_rate"]) if r["ordinary"] else "",
        )
        for name, r in report["rows"].items()
    ]
    lines = _aligned(rows)
    if details:
        for title, key in (
            ("Missed", "misses"),
            ("Other kind", "wrong_kind"),
            ("False alarms", "false_alarms"),
        ):
            if report[key]:
                lines += ["", f"{title}:"]
                for item in report[key]:
                    extra = f" -> {item['got']}" if "got" in item else ""
                    label = f" [{item['kind']}]" if "kind" in item else ""
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
    parser.add_argument(
        "--details", action="store_true", help="list the blind sets' misses and false alarms"
    )
    parser.add_argument("--split", choices=SPLITS, help="only this split of the blind sets")
    args = parser.parse_args(argv)
    sets = load_sets(args.data_dir)
    if not sets:
        print(f"no safety_cases_*.yaml in {args.data_dir}", file=sys.stderr)
        return 2
    report = measure(sets, repeat=max(1, args.repeat))
    splits = (args.split,) if args.split else SPLITS
    blind = measure_blind(load_blind(args.data_dir / "safety_blind", splits))
    if args.json:
        print(json.dumps({**report, "blind": blind}, ensure_ascii=False, indent=2))
    else:
        print(format_table(report))
        print()
        print(format_blind(blind, details=args.details))
    if args.check and (report["misses"] or report["false_alarms"]):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
