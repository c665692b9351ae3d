"""Intent accuracy of a trained model on the held-out sets, per language (bot venv).

    .venv-bot/bin/python scripts/eval_nlu.py [--model bot/models/current.tar.gz] [--json]

The held-out files (tests/nlu/heldout_<lang>.yml) never appear in training. Prints
accuracy per language and the misclassified examples; with --json, only the JSON report
goes to stdout (logs go to stderr, warnings and worse only). Each language's report
includes `parse_seconds`, the wall time to parse its held-out messages one by one.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bot"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def quiet_logs() -> None:
    """Warnings and worse, on stderr: Rasa's structlog events otherwise print to stdout.

    Without the `rasa` command line nothing configures structlog, whose default logger
    prints every debug event (one per parsed message) to stdout.
    """
    import structlog

    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, force=True)
    structlog.configure(
        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
    )


def load_examples(path: Path) -> list[tuple[str, str]]:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    return [(m.get("text"), m.get("intent")) for m in data.intent_examples]


async def evaluate(model: Path) -> dict[str, object]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    report: dict[str, object] = {}
    for path in sorted((ROOT / "tests" / "nlu").glob("heldout_*.yml")):
        lang = path.stem.split("_", 1)[1]
        errors = []
        fallbacks = 0
        examples = load_examples(path)
        start = time.perf_counter()
        for text, expected in examples:
            parsed = await agent.parse_message(text)
            # The topic is the classifier's best intent; below the fallback threshold the
            # bot still acts on it (it offers that topic among the search results).
            ranking = [i for i in parsed.get("intent_ranking", []) if i["name"] != "nlu_fallback"]
            predicted = ranking[0]["name"] if ranking else parsed["intent"]["name"]
            fallbacks += parsed["intent"]["name"] == "nlu_fallback"
            if predicted != expected:
                errors.append({"text": text, "expected": expected, "predicted": predicted})
        seconds = time.perf_counter() - start
        report[lang] = {
            "examples": len(examples),
            "accuracy": round(1 - len(errors) / len(examples), 4),
            "fallback_rate": round(fallbacks / len(examples), 4),
            "parse_seconds": round(seconds, 2),
            "errors": errors,
        }
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "bot" / "models" / "current.tar.gz")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    quiet_logs()
    report = asyncio.run(evaluate(args.model))
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return 0
    for lang, result in report.items():
        print(f"{lang}: {result['accuracy']:.3f} on {result['examples']} held-out examples")  # type: ignore[index]
        for error in result["errors"]:  # type: ignore[index]
            print(f"   {error['expected']:28} <- {error['predicted']:28} {error['text']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
