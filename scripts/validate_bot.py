"""`rasa data validate`, failing on every warning except one it cannot judge.

Rasa warns that a response "is not used in any story or rule" when only a custom
action or a form sends it. Those responses are named in bot/actions/ or bot/channels/
(`response="utter_..."`, or `utter_area_<area>` for the menus) or are a form's
`utter_ask_<slot>`, so this accepts exactly those and fails on the rest.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOT = ROOT / "bot"
UNUSED = re.compile(r"The utterance '(utter_[a-z_]+)' is not used in any story or rule")
WARNING = re.compile(r"UserWarning: (.*)")


def sent_by_actions() -> set[str]:
    names: set[str] = set()
    for path in [*(BOT / "actions").glob("*.py"), *(BOT / "channels").glob("*.py")]:
        names |= set(re.findall(r'"(utter_[a-z_]+)"', path.read_text()))
    areas = re.findall(r"^  ([a-z]+):$", (ROOT / "knowledge" / "taxonomy.yaml").read_text(), re.M)
    # Forms ask for their slots with utter_ask_<slot>.
    slots = re.findall(r"^  ([a-z_]+):$", (BOT / "domain" / "domain.yml").read_text(), re.M)
    return names | {f"utter_area_{area}" for area in areas} | {f"utter_ask_{s}" for s in slots}


def main() -> int:
    result = subprocess.run(
        [
            str(ROOT / ".venv-bot" / "bin" / "rasa"),
            "data",
            "validate",
            "--domain",
            "domain",
            "--data",
            "data",
        ],
        cwd=BOT,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(BOT), "PATH": "/usr/bin:/bin"},
    )
    output = result.stdout + result.stderr
    allowed = sent_by_actions()
    problems = []
    for line in output.splitlines():
        warning = WARNING.search(line)
        if not warning:
            continue
        unused = UNUSED.search(line)
        if unused and unused.group(1) in allowed:
            continue
        problems.append(warning.group(1))
    if result.returncode != 0 or problems:
        print(output[-3000:] if result.returncode else "\n".join(problems), file=sys.stderr)
        print("rasa data validate: failed", file=sys.stderr)
        return 1
    print("rasa data validate: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
