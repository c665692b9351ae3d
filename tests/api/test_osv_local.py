"""scripts/osv_local.py: the OSV query service over the project's advisory copy that
`make audit` uses offline, and `make audit` itself failing on a vulnerable pin."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import audit  # noqa: E402
from osv_local import Advisories, answer, in_range, normalise, serving  # noqa: E402

COPY = ROOT / "requirements" / "advisories"


def post(url: str, payload: Any) -> tuple[int, Any]:
    assert url.startswith("http://127.0.0.1:")
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def query(name: str, version: str) -> dict[str, Any]:
    return {"package": {"name": name, "ecosystem": "PyPI"}, "version": version}


@pytest.fixture(scope="module")
def project_copy() -> Advisories:
    return Advisories(COPY / "vulns")


@pytest.fixture(scope="module")
def url(project_copy: Advisories) -> Iterator[str]:
    with serving(project_copy) as query_url:
        yield query_url


def test_a_vulnerable_version_yields_its_advisory_in_the_osv_format(url: str) -> None:
    # PYSEC-2018-28 (CVE-2018-18074): requests < 2.20.0 sends Authorization on redirects.
    status, body = post(url, query("requests", "2.19.0"))
    assert status == 200
    by_id = {vuln["id"]: vuln for vuln in body["vulns"]}
    assert "CVE-2018-18074" in by_id["PYSEC-2018-28"]["aliases"]
    (affected,) = by_id["PYSEC-2018-28"]["affected"]
    assert affected["package"] == {
        "name": "requests",
        "ecosystem": "PyPI",
        "purl": "pkg:pypi/requests",
    }
    ecosystem = [r for r in affected["ranges"] if r["type"] == "ECOSYSTEM"]
    assert {"fixed": "2.20.0"} in ecosystem[0]["events"]
    assert by_id["PYSEC-2018-28"]["published"].endswith("Z")  # RFC 3339, as pip-audit parses


def test_a_fixed_version_yields_nothing(url: str) -> None:
    assert post(url, query("requests", "2.31.0")) == (200, {})  # fixes both of 2.19's
    assert post(url, query("requests", "2.34.2")) == (200, {})
    assert post(url, query("a-package-nobody-wrote", "1.0")) == (200, {})


def test_names_are_compared_pep503_normalised(url: str) -> None:
    _, body = post(url, query("Jinja2", "2.10"))
    assert {"PYSEC-2019-217", "PYSEC-2021-66"} <= {vuln["id"] for vuln in body["vulns"]}
    assert normalise("Markdown_It.PY") == "markdown-it-py"


def test_purl_queries_and_the_batch_endpoint(url: str) -> None:
    status, body = post(url, {"package": {"purl": "pkg:pypi/requests@2.19.0"}})
    assert "PYSEC-2018-28" in {vuln["id"] for vuln in body["vulns"]}
    batch = url.replace("/v1/query", "/v1/querybatch")
    status, body = post(batch, {"queries": [query("requests", "2.19.0"), query("pip", "99")]})
    assert status == 200
    first, second = body["results"]
    assert "PYSEC-2018-28" in {vuln["id"] for vuln in first["vulns"]}
    assert second == {}


def test_bad_queries_are_refused(url: str) -> None:
    assert post(url, {"package": {"name": "requests", "ecosystem": "PyPI"}})[0] == 400
    assert post(url, {"commit": "abc"})[0] == 400
    assert post(url.replace("/v1/query", "/v1/nothing"), {})[0] == 404
    assert post(url, query("lodash", "1.0") | {"package": {"name": "x", "ecosystem": "npm"}}) == (
        200,
        {},
    )


def test_withdrawn_records_are_never_served(project_copy: Advisories) -> None:
    # PYSEC-2022-43059 (aiohttp, a disputed "Invalid IPv6 URL" DoS) was withdrawn upstream.
    assert "PYSEC-2022-43059" not in project_copy.ids
    assert "PYSEC-2022-43059" not in {r["id"] for r in project_copy.query("aiohttp", "3.8.1")}


@pytest.mark.parametrize(
    ("events", "version", "affected"),
    [
        ([{"introduced": "0"}, {"fixed": "2.0"}], "1.9", True),
        ([{"introduced": "0"}, {"fixed": "2.0"}], "2.0", False),
        ([{"introduced": "1.5"}, {"fixed": "2.0"}], "1.4", False),
        ([{"introduced": "1.0"}, {"last_affected": "1.2"}], "1.2", True),
        ([{"introduced": "1.0"}, {"last_affected": "1.2"}], "1.2.1", False),
        # Two ranges in one, out of order: [1.0, 1.1) and [2.0, 2.3)
        (
            [{"fixed": "2.3"}, {"introduced": "2.0"}, {"fixed": "1.1"}, {"introduced": "1.0"}],
            "2.1",
            True,
        ),
        (
            [{"fixed": "2.3"}, {"introduced": "2.0"}, {"fixed": "1.1"}, {"introduced": "1.0"}],
            "1.5",
            False,
        ),
        ([{"introduced": "0"}], "99.0", True),  # nothing fixed yet
        ([{"introduced": "0"}, {"fixed": "2.0rc1"}], "2.0a1", True),  # PEP 440 order
        ([{"introduced": "0"}, {"fixed": "1a2b3c4d"}], "5.0", True),  # a git hash is no version
    ],
)
def test_ecosystem_ranges_follow_osv_semantics(
    events: list[dict[str, str]], version: str, affected: bool
) -> None:
    assert in_range(Version(version), events) is affected


def test_listed_versions_count_beyond_the_ranges(tmp_path: Path) -> None:
    record = {
        "id": "PYSEC-0000-1",
        "affected": [
            {
                "package": {"name": "Some_Pkg", "ecosystem": "PyPI"},
                "ranges": [{"type": "GIT", "events": [{"introduced": "0"}, {"fixed": "abc"}]}],
                "versions": ["1.0", "1.1"],
            }
        ],
    }
    (tmp_path / "some-pkg").mkdir()
    (tmp_path / "some-pkg" / "PYSEC-0000-1.yaml").write_text(json.dumps(record))
    advisories = Advisories(tmp_path)
    assert [r["id"] for r in advisories.query("some.pkg", "1.1")] == ["PYSEC-0000-1"]
    assert advisories.query("some-pkg", "1.2") == []
    # pip-audit reads fixed versions only under its canonical name: served normalised.
    _, body = answer(advisories, "/v1/query", json.dumps(query("some-pkg", "1.0")).encode())
    assert body["vulns"][0]["affected"][0]["package"]["name"] == "some-pkg"


def test_the_copy_covers_both_lock_files_and_names_its_snapshot() -> None:
    assert audit.uncovered(audit.LOCKS, COPY) == []
    commit, date = audit.snapshot(COPY)
    assert len(commit) == 40
    assert date == "2024-10-10"
    assert (COPY / "LICENSE").read_text().startswith("Attribution 4.0 International")


def test_without_live_services_the_local_copy_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit, "pypi_reachable", lambda *a: False)
    monkeypatch.setattr(audit, "osv_reachable", lambda *a: False)
    with audit.choose_source("auto", list(audit.LOCKS), COPY) as source:
        assert source.kind == "local"
        assert "snapshot 2024-10-10" in source.label
        assert source.args[:3] == ("-s", "osv", "--osv-url")
        assert post(source.args[3], query("requests", "2.34.2")) == (200, {})


def test_a_service_that_is_no_pypi_counts_as_unreachable(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A package mirror answers pypi.org's JSON URL with 404 (here: 501, no GET at all).
    monkeypatch.setattr(audit, "PYPI_JSON", url.removesuffix("/v1/query") + "/pypi/{name}/json")
    assert audit.pypi_reachable("requests", "2.34.2", timeout=2) is False
    monkeypatch.setattr(audit, "OSV_API", url.replace("/v1/query", "/v1/nothing"))
    assert audit.osv_reachable("requests", "2.34.2", timeout=2) is False
    monkeypatch.setattr(audit, "OSV_API", url)
    assert audit.osv_reachable("requests", "2.34.2", timeout=2) is True


def make_audit(lock: Path) -> subprocess.CompletedProcess[str]:
    """`make audit` on one lock file, against the local copy (setup taken as done)."""
    return subprocess.run(
        [
            "make",
            "--no-print-directory",
            "-o",
            "setup",
            "audit",
            f"API_PY={sys.executable}",
            f"AUDIT_FLAGS=--source local --lock {lock}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT / "api")},
    )


def test_make_audit_fails_on_a_lock_with_a_known_vulnerable_pin(tmp_path: Path) -> None:
    lock = tmp_path / "vulnerable.lock"
    lock.write_text("requests==2.19.0\n    # via test\njinja2==3.1.6\n")
    result = make_audit(lock)
    assert result.returncode != 0, result.stdout + result.stderr
    assert "source: local advisory copy" in result.stdout
    assert "snapshot 2024-10-10" in result.stdout
    assert "vulnerable.lock: 2 packages checked, 2 findings" in result.stdout
    assert "FAIL vulnerable.lock: requests 2.19.0 has PYSEC-2018-28" in result.stderr
    assert "fixed in: 2.20.0" in result.stderr


def test_make_audit_passes_on_a_lock_without_findings(tmp_path: Path) -> None:
    lock = tmp_path / "clean.lock"
    lock.write_text("requests==2.34.2\njinja2==3.1.6\n")
    result = make_audit(lock)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "clean.lock: 2 packages checked, 0 findings" in result.stdout


def test_the_refresh_copies_only_the_locked_packages(tmp_path: Path) -> None:
    from refresh_advisories import refresh, source_snapshot

    source = tmp_path / "source"
    for folder in ("requests", "Jinja2", "not-locked-anywhere"):
        (source / "vulns" / folder).mkdir(parents=True)
        (source / "vulns" / folder / "PYSEC-0000-1.yaml").write_text("id: PYSEC-0000-1\n")
    (source / "LICENSE").write_text("Attribution 4.0 International\n")
    (source / "README.md").write_text(
        "Snapshot: upstream commit " + "a" * 40 + ", dated\n  2025-01-31. More text.\n"
    )
    assert source_snapshot(source) == ("a" * 40, "2025-01-31")
    target = tmp_path / "copy"
    packages, with_records, records = refresh(source, target, "a" * 40, "2025-01-31")
    assert sorted(p.name for p in (target / "vulns").iterdir()) == ["jinja2", "requests"]
    assert (with_records, records) == (2, 2)
    assert packages == len((target / "packages.txt").read_text().split())
    assert audit.snapshot(target) == ("a" * 40, "2025-01-31")
    assert audit.uncovered(audit.LOCKS, target) == []
