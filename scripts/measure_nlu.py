"""Train an NLU model from one config and measure it: train time, size, held-out figures.

    .venv-bot/bin/python scripts/measure_nlu.py CONFIG --out DIR [--name NAME]

Runs `rasa train nlu` (bot/data, bot/domain) with CONFIG, timing its wall clock and
noting the load average before and after (the machine is shared), then
`scripts/eval_nlu.py --json` on the model, and prints one JSON line: train seconds,
load averages, model size, and per language accuracy, fallback rate and parse time. The
held-out errors are left out on purpose. The training log, each line prefixed with the
seconds since the start, goes to DIR/NAME.log.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOT_BIN = ROOT / ".venv-bot" / "bin"


def train(config: Path, name: str, out: Path) -> float:
    """Train with `config` into out/name.tar.gz; return the wall seconds."""
    command = [
        str(BOT_BIN / "rasa"),
        "train",
        "nlu",
        "--config",
        str(config.resolve()),
        "--nlu",
        "data",
        "--domain",
        "domain",
        "--out",
        str(out.resolve()),
        "--fixed-model-name",
        name,
        "--debug",
    ]
    # No training cache (bot/.rasa): every run trains every component, as new data would.
    env = dict(os.environ, PYTHONPATH=".", RASA_MAX_CACHE_SIZE="0")
    start = time.monotonic()
    with open(out / f"{name}.log", "w", encoding="utf-8") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT / "bot",
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert process.stdout is not None
        for line in process.stdout:
            log.write(f"{time.monotonic() - start:8.1f} {line}")
        if process.wait() != 0:
            raise SystemExit(f"training failed, see {out / f'{name}.log'}")
    return time.monotonic() - start


def evaluate(model: Path) -> dict[str, dict[str, float]]:
    """Per-language figures of scripts/eval_nlu.py, without the error listing."""
    result = subprocess.run(
        [
            str(BOT_BIN / "python"),
            str(ROOT / "scripts" / "eval_nlu.py"),
            "--model",
            str(model),
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(result.stdout)
    return {
        lang: {key: value for key, value in figures.items() if key != "errors"}
        for lang, figures in report.items()
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config", type=Path)
    parser.add_argument("--name", help="model name (default: the config's file name)")
    parser.add_argument("--out", type=Path, required=True, help="directory for model and log")
    args = parser.parse_args()
    name = args.name or args.config.stem
    args.out.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()[0]
    seconds = train(args.config, name, args.out)
    load_after = os.getloadavg()[0]
    model = args.out / f"{name}.tar.gz"
    row = {
        "name": name,
        "train_seconds": round(seconds, 1),
        "load_before": round(load_before, 2),
        "load_after": round(load_after, 2),
        "size_mb": round(model.stat().st_size / 1e6, 1),
        "heldout": evaluate(model),
    }
    print(json.dumps(row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
