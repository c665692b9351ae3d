"""scripts/audit.py (`make audit`): what makes the audit fail, on pip-audit's JSON shape."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from audit import SECURITY, Ignored, ignore_list, judge, verdict  # noqa: E402

REASON = "Rasa 3.6.21 pins aiohttp<3.10; the bot never serves static files with it."


def dependency(name: str, version: str, *vulns: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "version": version, "vulns": list(vulns)}


def vuln(vuln_id: str, *aliases: str) -> dict[str, Any]:
    return {"id": vuln_id, "aliases": list(aliases), "fix_versions": ["3.10.2"]}


def test_a_clean_report_passes() -> None:
    report = {"dependencies": [dependency("fastapi", "0.120.0")]}
    assert judge("api.lock", report, {}) == []


def test_an_unexplained_vulnerability_fails_with_its_fix() -> None:
    report = {"dependencies": [dependency("aiohttp", "3.9.5", vuln("PYSEC-2024-1"))]}
    (problem,) = judge("bot.lock", report, {})
    assert "aiohttp 3.9.5 has PYSEC-2024-1" in problem
    assert "3.10.2" in problem


def test_an_explained_vulnerability_passes_by_id_or_alias() -> None:
    report = {
        "dependencies": [
            dependency("aiohttp", "3.9.5", vuln("PYSEC-2024-1", "GHSA-aaaa-bbbb-cccc"))
        ]
    }
    for listed in ("PYSEC-2024-1", "GHSA-aaaa-bbbb-cccc"):
        assert judge("bot.lock", report, {listed: Ignored("aiohttp", "bot.lock", REASON)}) == []


def test_an_unreachable_service_fails_instead_of_passing_silently() -> None:
    skipped = {
        "name": "alembic",
        "version": "1.20.1",
        "skip_reason": "Dependency not found on PyPI and could not be audited: alembic (1.20.1)",
    }
    report = {"dependencies": [skipped, dependency("fastapi", "0.120.0")]}
    (problem,) = judge("api.lock", report, {})
    assert "1 of 2 packages could not be checked" in problem
    assert "pypi.org" in problem


def test_the_ignore_list_needs_a_reason_per_id() -> None:
    table = (
        "| ID | Package | Lock | Reason |\n|----|----|----|----|\n"
        f"| GHSA-aaaa-bbbb-cccc | aiohttp | bot.lock | {REASON} |\n"
    )
    assert ignore_list(table) == {"GHSA-aaaa-bbbb-cccc": Ignored("aiohttp", "bot.lock", REASON)}
    with pytest.raises(ValueError, match="GHSA-dddd-eeee-ffff needs a reason"):
        ignore_list(table + "| GHSA-dddd-eeee-ffff | sanic | bot.lock | old |\n")


def test_the_projects_ignore_list_reads() -> None:
    listed = ignore_list(SECURITY.read_text(encoding="utf-8"))
    assert all(item.reason and item.lock in {"api.lock", "bot.lock"} for item in listed.values())


def test_a_package_that_could_not_be_checked_or_an_unexplained_finding_fails() -> None:
    unchecked = "api.lock: 3 of 90 packages could not be checked, e.g. alembic: not found"
    finding = "bot.lock: aiohttp 3.8.6 has GHSA-xxxx (fixed in: 3.10.2); upgrade it"
    assert verdict([unchecked]) == 1
    assert verdict([finding]) == 1
    assert verdict([]) == 0
