"""Refresh the project's copy of the advisory records (requirements/advisories/) from a copy of
the Python Packaging Advisory Database, keeping only the packages pinned in the lock files.

    python scripts/refresh_advisories.py ../shared/advisories
    python scripts/refresh_advisories.py ~/src/advisory-database --commit <sha> --date 2025-01-31

SOURCE holds `vulns/<package>/*.yaml` and `LICENSE` (a clone of
https://github.com/pypa/advisory-database, or ../shared/advisories whose README.md names the
snapshot's commit and date). The copy is replaced whole: `vulns/` with the records of every
locked package, `LICENSE` (CC-BY 4.0), `packages.txt` (every locked package the copy covers,
with or without records) and `README.md` (the snapshot's commit and date, which
`make audit` prints). Re-run it after a lock file gains a package: the audit refuses to
call a package clean that the copy does not cover.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from audit import ADVISORIES, LOCKS, locked
from osv_local import normalise

README = """\
# Advisory records for `make audit`

A subset of the [Python Packaging Advisory Database](https://github.com/pypa/advisory-database)
(OSV-format YAML records, https://ossf.github.io/osv-schema/): the records of the
{packages} packages pinned in `requirements/api.lock` and `requirements/bot.lock`
({with_records} of them have records, {records} records in all). Licence: `LICENSE`
(CC-BY 4.0, the database's).

- Snapshot: upstream commit {commit}, dated {date}.
  Advisories published after that date are not here: `docs/security.md` lists those found
  by hand for the packages that face the network or parse input.
- `packages.txt`: every package the copy covers (those without a folder in `vulns/` had no
  advisory in the snapshot).
- `make audit` uses this copy only when neither PyPI's vulnerability data nor osv.dev can
  be reached: it serves it on the loopback (`scripts/osv_local.py`) to pip-audit's
  `--osv-url`.
- Refresh: `python scripts/refresh_advisories.py <advisory-database checkout>`
  (see the script for the options).
"""

SNAPSHOT = re.compile(r"commit\s+([0-9a-f]{40}),?\s+dated\s+(\d{4}-\d{2}-\d{2})")


def source_snapshot(source: Path) -> tuple[str, str] | None:
    readme = source / "README.md"
    if readme.exists():
        match = SNAPSHOT.search(" ".join(readme.read_text(encoding="utf-8").split()))
        if match:
            return match.group(1), match.group(2)
    return None


def refresh(source: Path, target: Path, commit: str, date: str) -> tuple[int, int, int]:
    """Replace `target` by the records of the locked packages; (packages, with records,
    records)."""
    vulns = source / "vulns"
    if not vulns.is_dir() or not (source / "LICENSE").exists():
        raise SystemExit(f"{source}: expected vulns/ and LICENSE")
    wanted = {name for lock in LOCKS for name in locked(lock)}
    folders = {normalise(p.name): p for p in vulns.iterdir() if p.is_dir()}
    if target.exists():
        shutil.rmtree(target)
    (target / "vulns").mkdir(parents=True)
    shutil.copy(source / "LICENSE", target / "LICENSE")
    with_records = records = 0
    for name in sorted(wanted & set(folders)):
        files = sorted(folders[name].glob("*.yaml"))
        if not files:
            continue
        (target / "vulns" / name).mkdir()
        for path in files:
            shutil.copy(path, target / "vulns" / name / path.name)
        with_records += 1
        records += len(files)
    (target / "packages.txt").write_text("".join(f"{n}\n" for n in sorted(wanted)), "utf-8")
    (target / "README.md").write_text(
        README.format(
            packages=len(wanted),
            with_records=with_records,
            records=records,
            commit=commit,
            date=date,
        ),
        encoding="utf-8",
    )
    return len(wanted), with_records, records


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="a copy of the advisory database")
    parser.add_argument("--commit", help="its upstream commit (default: from its README.md)")
    parser.add_argument("--date", help="the commit's date, YYYY-MM-DD (default: README.md)")
    args = parser.parse_args()
    commit, date = args.commit, args.date
    if not (commit and date):
        found = source_snapshot(args.source)
        if not found:
            parser.error("the source's README.md names no snapshot: give --commit and --date")
        commit, date = commit or found[0], date or found[1]
    packages, with_records, records = refresh(args.source, ADVISORIES, commit, date)
    print(
        f"{ADVISORIES.relative_to(ADVISORIES.parents[1])}: {records} records for "
        f"{with_records} of the {packages} locked packages, snapshot {date} ({commit[:12]})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
