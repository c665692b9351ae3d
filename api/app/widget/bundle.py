"""The one script an NGO site embeds: the vendored socket.io client, the widget's strings and
CSS, and the widget itself, wrapped in a function so none of it leaks into the page's globals.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from app.widget.strings import widget_strings

HERE = Path(__file__).resolve().parent
SOCKET_IO = HERE / "vendor" / "socket.io.min.js"
SCRIPT = HERE / "static" / "widget.js"
CSS = HERE / "static" / "widget.css"


@dataclass(frozen=True)
class Bundle:
    body: bytes
    etag: str

    @property
    def gzip_size(self) -> int:
        return len(gzip.compress(self.body, 9))


def _json(value: object) -> str:
    # "<" escaped so the blob stays inert even if someone inlines the script in HTML.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


@lru_cache
def build(locales: Path, exit_url: str) -> Bundle:
    config = {"strings": widget_strings(locales), "css": CSS.read_text(), "exitUrl": exit_url}
    # `module`/`exports` make the UMD client return itself instead of setting window.io or
    # calling the page's AMD `define`.
    text = "\n".join(
        [
            "(function () {",
            "var module = { exports: {} }, exports = module.exports, define;",
            SOCKET_IO.read_text(),
            ";var io = module.exports;",
            f"var AK = {_json(config)};",
            SCRIPT.read_text(),
            "})();",
        ]
    )
    body = text.encode("utf-8")
    return Bundle(body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')
