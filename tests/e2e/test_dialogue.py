"""The trained model itself: dialogue test stories and held-out NLU accuracy per language."""

from __future__ import annotations

import json
import subprocess

import pytest

from .conftest import MODEL, ROOT

pytestmark = pytest.mark.e2e
BOT_BIN = ROOT / ".venv-bot" / "bin"
# Regression floors on the held-out questions, about 0.03 (six questions) under what the
# committed model reaches (kk 0.960, ru 0.950, en 0.960 on 200 each): CI trains its own
# model, and a retraining may move a few borderline questions. The targets
# (kk 0.92, ru 0.95, en 0.95) are reported by `make bench` next to the measured accuracy.
FLOORS = {"kk": 0.93, "ru": 0.92, "en": 0.93}


def test_test_stories_predict_without_errors(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = subprocess.run(
        [
            str(BOT_BIN / "rasa"),
            "test",
            "core",
            "-m",
            str(MODEL),
            "--stories",
            str(ROOT / "tests" / "stories"),
            "--fail-on-prediction-errors",
            "--out",
            str(tmp_path),
        ],
        cwd=ROOT / "bot",
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT / "bot"), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]


@pytest.fixture(scope="module")
def heldout() -> dict[str, dict[str, object]]:
    result = subprocess.run(
        [
            str(BOT_BIN / "python"),
            str(ROOT / "scripts" / "eval_nlu.py"),
            "--model",
            str(MODEL),
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_heldout_topic_accuracy_stays_above_its_floor(
    heldout: dict[str, dict[str, object]], lang: str
) -> None:
    result = heldout[lang]
    assert result["examples"] >= 40
    assert result["accuracy"] >= FLOORS[lang], json.dumps(
        result["errors"], ensure_ascii=False, indent=1
    )
