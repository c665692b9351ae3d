"""`make audit`: pip-audit of both lock files against PyPI's vulnerability data.

Green only when every pinned package was checked and every known vulnerability is either
fixed or listed, with its reason, in docs/security.md. When the vulnerability service
cannot be reached, pip-audit reports packages as "skipped" and says "No known
vulnerabilities found"; this script fails instead, naming the cause.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LOCKS = (ROOT / "requirements" / "api.lock", ROOT / "requirements" / "bot.lock")
SECURITY = ROOT / "docs" / "security.md"
PIP_AUDIT = Path(sys.executable).with_name("pip-audit")
# A row of the ignore table in docs/security.md: | ID | package | lock | reason |
ROW = re.compile(r"^\|\s*((?:GHSA|PYSEC|CVE|OSV)-[\w-]+)\s*\|([^|]*)\|([^|]*)\|([^|]*)\|\s*$")


@dataclass(frozen=True)
class Ignored:
    package: str
    lock: str
    reason: str


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


def judge(lock: str, report: dict[str, Any], ignored: dict[str, Ignored]) -> list[str]:
    """What is wrong with one lock file's pip-audit JSON report (empty: all good)."""
    problems: list[str] = []
    skipped = [d for d in report.get("dependencies", []) if d.get("skip_reason")]
    if skipped:
        problems.append(
            f"{lock}: {len(skipped)} of {len(report['dependencies'])} packages could not be "
            f"checked, e.g. {skipped[0]['name']}: {skipped[0]['skip_reason']}. PyPI's "
            "vulnerability data (https://pypi.org/pypi/<name>/<version>/json) did not answer "
            "from this machine (offline, or a mirror without it): run `make audit` where "
            "pypi.org is reachable; the audit is not green until then."
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


def audit(lock: Path) -> dict[str, Any]:
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
                "--format",
                "json",
                "--output",
                str(out),
            ],
            capture_output=True,
            text=True,
        )
        if not out.exists():
            raise RuntimeError(f"pip-audit failed on {lock.name}:\n{result.stderr[-2000:]}")
        report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
        return report


UNCHECKED = "could not be checked"


def verdict(problems: list[str], *, unreachable_ok: bool) -> int:
    """1 for a known vulnerability without a reason; for packages that could not be
    checked, 1 too unless `unreachable_ok` (CI machines whose registry mirror lacks
    pypi.org's vulnerability data): then a loud warning and 0."""
    found = [p for p in problems if UNCHECKED not in p]
    if found:
        return 1
    if problems and unreachable_ok:
        print(
            "[audit] WARNING: the vulnerability data could not be reached from this machine; "
            "nothing was checked. Run `make audit` where pypi.org is reachable.",
            file=sys.stderr,
        )
        return 0
    return 1 if problems else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--unreachable-ok",
        action="store_true",
        help="warn instead of failing when the vulnerability data cannot be reached",
    )
    args = parser.parse_args()
    ignored = ignore_list(SECURITY.read_text(encoding="utf-8"))
    problems: list[str] = []
    seen: set[str] = set()
    for lock in LOCKS:
        report = audit(lock)
        problems += judge(lock.name, report, ignored)
        for dependency in report.get("dependencies", []):
            for vuln in dependency.get("vulns", []):
                seen |= {vuln["id"], *vuln.get("aliases", [])}
        checked = sum(1 for d in report.get("dependencies", []) if not d.get("skip_reason"))
        print(f"[audit] {lock.name}: {checked} packages checked")
    reachable = not any(UNCHECKED in p for p in problems)
    for vuln_id in sorted(set(ignored) - seen) if reachable else []:
        print(f"[audit] note: {vuln_id} is ignored in docs/security.md but no longer reported")
    for problem in problems:
        label = "NOT CHECKED" if UNCHECKED in problem else "FAIL"
        print(f"[audit] {label} {problem}", file=sys.stderr)
    if not problems:
        print(f"[audit] no known vulnerabilities beyond the {len(ignored)} explained ones")
    return verdict(problems, unreachable_ok=args.unreachable_ok)


if __name__ == "__main__":
    sys.exit(main())
