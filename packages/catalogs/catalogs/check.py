"""CI check (`python -m catalogs.check`, from the repository root): the catalog template is
current and every language translates every string.

Fails on a stale messages.pot (a string added or changed in the sources but not
extracted), a missing or fuzzy translation, or placeholders that differ from the source.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.pofile import read_po

from catalogs import TRANSLATED, po_path

PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def _ids(pot: Path) -> set[str]:
    with pot.open("rb") as fh:
        return {str(m.id) for m in read_po(fh) if m.id}


def problems(locales: Path, root: Path | None = None) -> list[str]:
    """What is wrong with the catalogs in `locales`, against the strings of the repository
    at `root` (by default the one `locales` is in)."""
    root = root or locales.parent
    found: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "messages.pot"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "babel.messages.frontend",
                "-q",
                "extract",
                "-F",
                str(locales / "babel.cfg"),
                "-o",
                str(fresh),
                str(root),
            ],
            check=True,
            cwd=root,
        )
        committed, current = _ids(locales / "messages.pot"), _ids(fresh)
    if committed != current:
        found.append(
            f"locales/messages.pot is stale ({len(current - committed)} new, "
            f"{len(committed - current)} removed strings): run `make catalogs`"
        )
    for lang in TRANSLATED:
        po = po_path(locales, lang)
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        for message in catalog:
            if not message.id:
                continue
            where = f"{po.relative_to(locales.parent)}: {str(message.id)[:60]!r}"
            if message.id not in current:
                continue
            if not message.string:
                found.append(f"{where}: not translated")
            elif message.fuzzy:
                found.append(f"{where}: marked fuzzy; review it and remove the flag")
            elif sorted(PLACEHOLDER.findall(str(message.id))) != sorted(
                PLACEHOLDER.findall(str(message.string))
            ):
                found.append(f"{where}: placeholders differ from the source")
        missing = current - {str(m.id) for m in catalog if m.id}
        found += [f"{po.relative_to(locales.parent)}: missing {m[:60]!r}" for m in sorted(missing)]
    return found


def main() -> int:
    found = problems(Path.cwd() / "locales")
    for problem in found:
        print(problem, file=sys.stderr)
    if found:
        return 1
    print("catalogs: current and fully translated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
