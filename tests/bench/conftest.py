"""Benchmarks are measurements, not tests: collected here, run only with `--benchmarks`.

pytest -q -s tests/bench --benchmarks
"""

from __future__ import annotations

from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--benchmarks",
        action="store_true",
        default=False,
        help="run the benchmarks in tests/bench (slow; they write data/bench/*.json)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # When this conftest is not loaded at start-up (pytest run from above tests/bench),
    # the option was never parsed: treat it as absent.
    if config.getoption("--benchmarks", default=False):
        return
    skip = pytest.mark.skip(reason="a benchmark: run with --benchmarks")
    for item in items:
        if item.path.is_relative_to(BENCH):
            item.add_marker(pytest.mark.benchmark)
            item.add_marker(skip)
