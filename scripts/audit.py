"""`make audit`: pip-audit of both lock files, against the live vulnerability data when it can
be reached, else against the project's copy of the advisory database.

Sources, in order:

1. PyPI's vulnerability data (https://pypi.org/pypi/<name>/<version>/json), pip-audit's
   default service;
2. osv.dev's query API (pip-audit `--vulnerability-service osv`);
3. `requirements/advisories/` (a dated snapshot of the Python Packaging Advisory Database, see
   its README.md), served on the loopback by `scripts/osv_local.py` for the duration of the
   audit and read by pip-audit through `--osv-url`.

Each live service is probed first with a short timeout, so an offline machine reaches the
local copy in seconds. The audit prints the source it used (and the snapshot's date), and is
green only when every pinned package was checked and every finding is either fixed or
listed, with its reason, in docs/security.md.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from osv_local import Advisories, normalise, serving

ROOT = Path(__file__).resolve().parents[1]
LOCKS = (ROOT / "requirements" / "api.lock", ROOT / "requirements" / "bot.lock")
SECURITY = ROOT / "docs" / "security.md"
ADVISORIES = ROOT / "requirements" / "advisories"
PIP_AUDIT = Path(sys.executable).with_name("pip-audit")
PYPI_JSON = "https://pypi.org/pypi/{name}/{version}/json"
OSV_API = "https://api.osv.dev/v1/query"
PROBE_SECONDS = 5.0
# A row of the ignore table in docs/security.md: | ID | package | lock | reason |
ROW = re.compile(r"^\|\s*((?:GHSA|PYSEC|CVE|OSV)-[\w-]+)\s*\|([^|]*)\|([^|]*)\|([^|]*)\|\s*$")
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;#]+)")
SNAPSHOT = re.compile(r"commit\s+([0-9a-f]{40}),?\s+dated\s+(\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True)
class Ignored:
    package: str
    lock: str
    reason: str


@dataclass(frozen=True)
class Source:
    """Where the vulnerability data came from: `pypi`, `osv` or `local`."""

    kind: str
    label: str
    args: tuple[str, ...] = ()
    known: frozenset[str] = frozenset()  # local: every id and alias the snapshot holds


def ignore_list(text: str) -> dict[str, Ignored]:
    """The ignored vulnerability ids of docs/security.md; each must give a reason."""
    found: dict[str, Ignored] = {}
    for line in text.splitlines():
        match = ROW.match(line.strip())
        if not match:
            continue
        vuln_id, package, lock, reason = (part.strip() for part in match.groups())
        if len(reason) < 15:
            raise ValueError(f"docs/security.md: {vuln_id} needs a reason why it is ignored")
        found[vuln_id] = Ignored(package.lower(), lock, reason)
    return found


def locked(lock: Path) -> dict[str, str]:
    """The pins of a lock file (`uv pip compile` output): normalised name -> version."""
    pins: dict[str, str] = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line.strip())
        if match:
            pins[normalise(match.group(1))] = match.group(2)
    return pins


def snapshot(directory: Path) -> tuple[str, str]:
    """(commit, date) of the advisory copy, from its README.md."""
    readme = directory / "README.md"
    text = " ".join(readme.read_text(encoding="utf-8").split()) if readme.exists() else ""
    match = SNAPSHOT.search(text)
    if not match:
        raise RuntimeError(f"{readme}: no 'commit <sha>, dated <YYYY-MM-DD>' line")
    return match.group(1), match.group(2)


def uncovered(locks: Iterable[Path], directory: Path) -> list[str]:
    """Problems for locked packages the advisory copy does not cover (added to a lock
    after the copy was refreshed): without their records they would pass unchecked."""
    listing = directory / "packages.txt"
    covered = set(listing.read_text(encoding="utf-8").split()) if listing.exists() else set()
    problems = []
    for lock in locks:
        missing = sorted(set(locked(lock)) - covered)
        if missing:
            problems.append(
                f"{lock.name}: {len(missing)} packages could not be checked, not covered by "
                f"{directory.relative_to(ROOT) if directory.is_relative_to(ROOT) else directory}"
                f": {', '.join(missing[:8])}{' ...' if len(missing) > 8 else ''}. Refresh it: "
                "python scripts/refresh_advisories.py <advisory database copy>"
            )
    return problems


def _post_json(url: str, payload: dict[str, Any] | None, timeout: float) -> Any:
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(  # noqa: S310 (fixed https URLs)
        url, data=data, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        return json.loads(response.read())


def pypi_reachable(name: str, version: str, timeout: float = PROBE_SECONDS) -> bool:
    """Whether pypi.org's JSON API answers with its vulnerability data (a package mirror
    answers 404, or JSON without `vulnerabilities`)."""
    try:
        answer = _post_json(PYPI_JSON.format(name=name, version=version), None, timeout)
    except (OSError, ValueError):  # URLError, timeouts, HTTP errors, bad JSON
        return False
    return isinstance(answer, dict) and "vulnerabilities" in answer


def osv_reachable(name: str, version: str, timeout: float = PROBE_SECONDS) -> bool:
    query = {"package": {"name": name, "ecosystem": "PyPI"}, "version": version}
    try:
        return isinstance(_post_json(OSV_API, query, timeout), dict)
    except (OSError, ValueError):
        return False


@contextmanager
def choose_source(wanted: str, locks: list[Path], directory: Path) -> Iterator[Source]:
    """The first source that answers (`wanted`: auto, live or local); the local service
    runs until the audit leaves this block."""
    probe = next(iter(locked(locks[0]).items()), ("pip", "24.0"))
    if wanted in {"auto", "live"}:
        if pypi_reachable(*probe):
            yield Source("pypi", "live PyPI vulnerability data (pypi.org)", ("-s", "pypi"))
            return
        if osv_reachable(*probe):
            yield Source("osv", "live osv.dev", ("-s", "osv"))
            return
        if wanted == "live":
            raise RuntimeError("neither pypi.org's vulnerability data nor osv.dev answered")
        print(
            f"[audit] neither pypi.org's vulnerability data nor osv.dev answered (probes of "
            f"{PROBE_SECONDS:g} s): auditing against the local advisory copy",
            file=sys.stderr,
            flush=True,
        )
    commit, date = snapshot(directory)
    advisories = Advisories(directory / "vulns")
    with serving(advisories) as url:
        where = directory.relative_to(ROOT) if directory.is_relative_to(ROOT) else directory
        yield Source(
            "local",
            f"local advisory copy {where}, snapshot {date} (commit {commit[:12]}); "
            f"advisories published after {date} are not in it (docs/security.md lists them)",
            ("-s", "osv", "--osv-url", url),
            frozenset(advisories.ids),
        )


def judge(lock: str, report: dict[str, Any], ignored: dict[str, Ignored]) -> list[str]:
    """What is wrong with one lock file's pip-audit JSON report (empty: all good)."""
    problems: list[str] = []
    skipped = [d for d in report.get("dependencies", []) if d.get("skip_reason")]
    if skipped:
        problems.append(
            f"{lock}: {len(skipped)} of {len(report['dependencies'])} packages could not be "
            f"checked, e.g. {skipped[0]['name']}: {skipped[0]['skip_reason']}. The "
            "vulnerability service stopped answering during the audit (pypi.org's JSON API, "
            "osv.dev, or the local copy's service): run `make audit` again."
        )
    for dependency in report.get("dependencies", []):
        for vuln in dependency.get("vulns", []):
            ids = {vuln["id"], *vuln.get("aliases", [])}
            if ids & set(ignored):
                continue
            fix = ", ".join(vuln.get("fix_versions") or []) or "no fixed version"
            problems.append(
                f"{lock}: {dependency['name']} {dependency['version']} has {vuln['id']} "
                f"(fixed in: {fix}); upgrade it, or list it with a reason in docs/security.md"
            )
    return problems


def audit(lock: Path, service: tuple[str, ...]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        result = subprocess.run(
            [
                str(PIP_AUDIT),
                "--requirement",
                str(lock),
                "--no-deps",  # the lock pins every package already (uv pip compile)
                "--disable-pip",
                "--progress-spinner",
                "off",
                "--cache-dir",
                str(Path(tmp) / "cache"),
                "--format",
                "json",
                "--output",
                str(out),
                *service,
            ],
            capture_output=True,
            text=True,
        )
        if not out.exists():
            raise RuntimeError(f"pip-audit failed on {lock.name}:\n{result.stderr[-2000:]}")
        report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
        return report


UNCHECKED = "could not be checked"


def verdict(problems: list[str]) -> int:
    """1 when a package could not be checked or a finding has no reason, else 0."""
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--source",
        choices=("auto", "live", "local"),
        default="auto",
        help="auto (default): the live services when they answer, else the local copy",
    )
    parser.add_argument(
        "--lock",
        type=Path,
        action="append",
        help="a lock file to audit instead of requirements/{api,bot}.lock (repeatable)",
    )
    parser.add_argument("--security", type=Path, default=SECURITY, help=argparse.SUPPRESS)
    parser.add_argument("--advisories", type=Path, default=ADVISORIES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    locks: list[Path] = [lock.resolve() for lock in args.lock] if args.lock else list(LOCKS)
    ignored = ignore_list(args.security.read_text(encoding="utf-8"))
    problems: list[str] = []
    seen: set[str] = set()
    with choose_source(args.source, locks, args.advisories) as source:
        print(f"[audit] source: {source.label}", flush=True)
        if source.kind == "local":
            problems += uncovered(locks, args.advisories)
        for lock in locks:
            report = audit(lock, source.args)
            found = judge(lock.name, report, ignored)
            problems += found
            vulns = 0
            for dependency in report.get("dependencies", []):
                for vuln in dependency.get("vulns", []):
                    seen |= {vuln["id"], *vuln.get("aliases", [])}
                    vulns += 1
            dependencies = report.get("dependencies", [])
            checked = sum(1 for d in dependencies if not d.get("skip_reason"))
            unexplained = sum(1 for p in found if UNCHECKED not in p)
            print(
                f"[audit] {lock.name}: {checked} packages checked, {vulns} findings "
                f"({vulns - unexplained} explained in docs/security.md, "
                f"{unexplained} not)",
                flush=True,
            )
    reachable = not any(UNCHECKED in p for p in problems)
    stale = set(ignored) - seen
    if source.kind == "local":
        # Ids the snapshot does not know were published after it: not a stale row.
        stale &= source.known
    for vuln_id in sorted(stale) if reachable and not args.lock else []:
        print(f"[audit] note: {vuln_id} is ignored in docs/security.md but no longer reported")
    for problem in problems:
        label = "NOT CHECKED" if UNCHECKED in problem else "FAIL"
        print(f"[audit] {label} {problem}", file=sys.stderr)
    if not problems:
        print(f"[audit] no findings beyond those explained in docs/security.md ({source.kind})")
    return verdict(problems)


if __name__ == "__main__":
    sys.exit(main())
