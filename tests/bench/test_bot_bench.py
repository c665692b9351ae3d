"""`make bench`, the bot's part: NLU accuracy per language (held-out and cross-validation),
the emergency detector, training time, model size, Rasa's memory, and REST latency for
knowledge answers next to a bare `rasa init` bot trained and measured in the same run.

Figures are written to data/bench/bot.json and printed as a Markdown table. Nothing here
asserts a timing: a benchmark reports, it does not pass or fail on speed.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests"))

import measure_answers  # noqa: E402

from stack import API_PY, BOT_BIN, Service, local_stack  # noqa: E402
from support_pg import free_port  # noqa: E402

MODEL = ROOT / "bot" / "models" / "current.tar.gz"
OUT = ROOT / "data" / "bench"
REQUESTS = 200


def _run(args: list[str], cwd: Path, **kw: Any) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "bot"),
        "TF_CPP_MIN_LOG_LEVEL": "3",
        **kw.pop("env", {}),
    }
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env, check=True, **kw)


def _rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB."""
    total = 0
    pids = [pid] + [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for p in pids:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return round(total / 1024, 1)


def _latency(url: str, messages: list[str]) -> dict[str, float]:
    timings = []
    with httpx.Client(timeout=30) as client:
        for n, text in enumerate(messages):
            start = time.perf_counter()
            client.post(
                f"{url}/webhooks/rest/webhook", json={"sender": f"b{n}", "message": text}
            ).raise_for_status()
            timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return {
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 1),
        "requests": len(timings),
    }


def _heldout() -> dict[str, Any]:
    result = _run(
        [
            str(BOT_BIN / "python"),
            str(ROOT / "scripts" / "eval_nlu.py"),
            "--model",
            str(MODEL),
            "--json",
        ],
        ROOT,
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    return {
        lang: {"examples": r["examples"], "accuracy": r["accuracy"]} for lang, r in report.items()
    }


def _language_of_examples() -> dict[str, str]:
    by_text: dict[str, str] = {}
    for path in (ROOT / "bot" / "data" / "nlu").glob("*.yml"):
        if path.stem not in ("kk", "ru", "en"):
            continue
        for block in yaml.safe_load(path.read_text())["nlu"]:
            for line in block.get("examples", "").splitlines():
                text = line.strip().removeprefix("- ").strip()
                by_text[_plain(text)] = path.stem
    return by_text


def _plain(text: str) -> str:
    """An annotated example as the plain text Rasa reports ("[Алматы]{...}" -> "Алматы")."""
    import re

    return re.sub(
        r"\[([^\]]+)\]\{[^}]*\}|\[([^\]]+)\]\([^)]*\)", lambda m: m.group(1) or m.group(2), text
    )


def _cross_validation(tmp: Path) -> dict[str, Any]:
    out = tmp / "cv"
    _run(
        [
            str(BOT_BIN / "rasa"),
            "test",
            "nlu",
            "--nlu",
            "data/nlu",
            "--config",
            "config.yml",
            "--cross-validation",
            "--folds",
            "3",
            "--successes",
            "--out",
            str(out),
        ],
        ROOT / "bot",
        timeout=3000,
    )
    lang_of = _language_of_examples()
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for name, correct in (("intent_successes.json", True), ("intent_errors.json", False)):
        path = out / name
        for item in json.loads(path.read_text()) if path.exists() else []:
            lang = lang_of.get(item["text"], "other")
            total[lang] += 1
            right[lang] += int(correct)
    return {
        lang: {"examples": total[lang], "accuracy": round(right[lang] / total[lang], 4)}
        for lang in sorted(total)
    }


def _ours(tmp: Path) -> dict[str, Any]:
    env = {
        "DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}",
        "ENVIRONMENT": "test",
        "SERVICE_API_KEY": "bench-" + "k" * 26,
        "RATE_LIMIT": "1000000/minute",
        "PYTHONPATH": str(ROOT / "api"),
    }
    for args in (["-m", "alembic", "upgrade", "head"], ["-m", "app.cli", "sync"]):
        subprocess.run(
            [str(API_PY), *args],
            cwd=ROOT / "api",
            env={**os.environ, **env},
            check=True,
            capture_output=True,
        )
    api_port = free_port()
    stack = local_stack(
        api_port=api_port,
        actions_port=free_port(),
        rasa_port=free_port(),
        model=MODEL,
        env=env,
        log_dir=tmp / "logs",
    )
    stack.start(timeout=300)
    try:
        rasa = stack.services[-1]
        url = rasa.health_url.rstrip("/")
        questions = [
            q["query"]
            for q in yaml.safe_load((ROOT / "tests" / "data" / "search_queries.yaml").read_text())
        ]
        _latency(url, questions[:20])  # warm-up
        latency = _latency(url, (questions * 10)[:REQUESTS])
        assert rasa.process is not None
        rss = _rss_mb(rasa.process.pid)
        answers = measure_answers.measure_all(url, f"http://127.0.0.1:{api_port}")
        return {**latency, "rss_mb": rss, "answers": answers}
    finally:
        stack.stop()


def _bare(tmp: Path) -> dict[str, Any]:
    project = tmp / "bare"
    project.mkdir()  # rasa init refuses a directory that does not exist
    started = time.monotonic()
    _run(
        [str(BOT_BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(project)],
        tmp,
        timeout=1800,
    )
    train_seconds = round(time.monotonic() - started)
    port = free_port()
    service = Service(
        "bare",
        [str(BOT_BIN / "rasa"), "run", "--port", str(port)],
        project,
        f"http://127.0.0.1:{port}/",
    )
    service.start(tmp)
    try:
        deadline = time.monotonic() + 240
        while not service.healthy():
            if time.monotonic() > deadline:
                raise RuntimeError(service.tail())
            time.sleep(0.5)
        url = f"http://127.0.0.1:{port}"
        messages = ["hello", "I am sad", "yes", "great", "bye", "are you a bot?"]
        _latency(url, messages * 4)
        latency = _latency(url, (messages * 40)[:REQUESTS])
        assert service.process is not None
        return {**latency, "rss_mb": _rss_mb(service.process.pid), "train_seconds": train_seconds}
    finally:
        service.stop()


def _detector() -> dict[str, Any]:
    result = _run([str(BOT_BIN / "python"), "-m", "safety.measure", "--json"], ROOT / "bot")
    return json.loads(result.stdout)


@pytest.mark.benchmark
@pytest.mark.timeout(3600)  # three trainings for the cross-validation and a bare bot
def test_bot_benchmark(tmp_path: Path) -> None:
    train = json.loads(
        next(
            MODEL.parent.glob(MODEL.resolve().stem.removesuffix(".tar") + ".train.json")
        ).read_text()
    )
    report = {
        "heldout": _heldout(),
        "detector": _detector(),
        "training_seconds": train["seconds"],
        "model_mb": round(MODEL.resolve().stat().st_size / 1e6, 1),
        "ours": _ours(tmp_path),
        "bare_rasa_init": _bare(tmp_path),
        "cross_validation": _cross_validation(tmp_path),
    }
    report["p95_ratio"] = round(report["ours"]["p95_ms"] / report["bare_rasa_init"]["p95_ms"], 2)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "bot.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print("\n" + to_markdown(report))
    assert set(report["heldout"]) == {"kk", "ru", "en"}


def to_markdown(r: dict[str, Any]) -> str:
    lines = [
        "| language | held-out accuracy | cross-validation (3 folds) | emergency recall | false alarms |",
        "| --- | --- | --- | --- | --- |",
    ]
    for lang in ("kk", "ru", "en"):
        h, cv, d = (
            r["heldout"][lang],
            r["cross_validation"].get(lang, {}),
            r["detector"]["sets"].get(lang, {}),
        )
        lines.append(
            f"| {lang} | {h['accuracy']:.3f} ({h['examples']}) | {cv.get('accuracy', 0):.3f} ({cv.get('examples', 0)}) "
            f"| {d.get('recall', 0):.3f} ({d.get('positives', 0)}) | {d.get('false_alarm_rate', 0):.3f} ({d.get('negatives', 0)}) |"
        )
    o, b = r["ours"], r["bare_rasa_init"]
    lines += [
        "",
        "| bot | REST p50 | REST p95 | Rasa RSS | training | model |",
        "| --- | --- | --- | --- | --- | --- |",
        f"| this bot (knowledge answers) | {o['p50_ms']} ms | {o['p95_ms']} ms | {o['rss_mb']} MB | {r['training_seconds']} s | {r['model_mb']} MB |",
        f"| bare `rasa init` bot | {b['p50_ms']} ms | {b['p95_ms']} ms | {b['rss_mb']} MB | {b['train_seconds']} s (incl. init) | |",
        "",
        f"p95 ratio (this bot / bare): **{r['p95_ratio']}**",
        "",
        "Relevance benchmark (tests/data/relevance, scripts/measure_answers.py):",
        "",
        measure_answers.to_markdown(o["answers"]),
        "",
        "Blind adversarial safety set (tests/data/safety_blind, test2: never learnt from):",
        "",
        "| language | cries | recall | right kind | ordinary | false alarms |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for lang in ("kk", "ru", "en"):
        row = r["detector"].get("blind", {}).get("rows", {}).get(f"test2/{lang}")
        if row:
            lines.append(
                f"| {lang} | {row['cries']} | {row['recall']:.3f} | {row['right_kind']:.3f} "
                f"| {row['ordinary']} | {row['false_alarm_rate']:.3f} |"
            )
    return "\n".join(lines)
