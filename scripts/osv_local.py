"""A small OSV-compatible query service over a local copy of the Python Packaging Advisory
Database (the `vulns/<package>/PYSEC-*.yaml` records), for `make audit` on machines that
cannot reach osv.dev or PyPI's vulnerability data. Standard library plus PyYAML and
`packaging` (both in the API environment).

It answers the two OSV API calls (https://google.github.io/osv.dev/api/):

- `POST /v1/query` with `{"package": {"name": ..., "ecosystem": "PyPI"}, "version": ...}`
  (or `{"package": {"purl": "pkg:pypi/<name>@<version>"}}`): `{"vulns": [<OSV records>]}`,
  or `{}` when nothing is known; this is what pip-audit's `--osv-url` calls;
- `POST /v1/querybatch` with `{"queries": [<query>, ...]}`:
  `{"results": [{"vulns": [{"id": ..., "modified": ...}]}, ...]}`.

Matching follows the OSV schema: a version is affected when it is listed in
`affected[].versions`, or falls in an `ECOSYSTEM` range (events `introduced`, `fixed`,
`last_affected`, compared as PEP 440 versions). Package names are compared PEP 503
normalised. Withdrawn records are never returned.

    python scripts/osv_local.py requirements/advisories/vulns --port 8765
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml
from packaging.version import InvalidVersion, Version

Record = dict[str, Any]
# libyaml's loader when PyYAML was built with it: ten times faster on the ~400 records.
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def normalise(name: str) -> str:
    """PEP 503: lower case, runs of `-`, `_` and `.` become one `-`."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _version(text: object) -> Version | None:
    try:
        return Version(str(text))
    except InvalidVersion:
        return None


def in_range(version: Version, events: list[dict[str, Any]]) -> bool:
    """OSV's evaluation of one ECOSYSTEM range: walk the events in version order; an
    `introduced` at or below the version opens it, a `fixed` at or below it or a
    `last_affected` below it closes it. Events whose version does not parse are skipped."""
    points: list[tuple[Version, int, str]] = []
    for event in events:
        for kind, order in (("introduced", 0), ("fixed", 1), ("last_affected", 2)):
            if kind not in event:
                continue
            value = str(event[kind])
            at = Version("0") if kind == "introduced" and value == "0" else _version(value)
            if at is not None:
                points.append((at, order, kind))
    affected = False
    for at, _order, kind in sorted(points):
        if kind == "introduced" and version >= at:
            affected = True
        elif (kind == "fixed" and version >= at) or (kind == "last_affected" and version > at):
            affected = False
    return affected


def affects(record: Record, name: str, version: str) -> bool:
    """Whether an OSV record affects `name` (normalised) at `version`."""
    parsed = _version(version)
    for affected in record.get("affected") or []:
        package = affected.get("package") or {}
        if package.get("ecosystem") != "PyPI" or normalise(package.get("name", "")) != name:
            continue
        listed = [str(v) for v in affected.get("versions") or []]
        if version in listed or (parsed is not None and parsed in map(_version, listed)):
            return True
        if parsed is None:
            continue
        for ranges in affected.get("ranges") or []:
            if ranges.get("type") == "ECOSYSTEM" and in_range(parsed, ranges.get("events", [])):
                return True
    return False


def _jsonable(value: Any) -> Any:
    """YAML may give dates; OSV wants RFC 3339 strings (pip-audit parses `...Z`)."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%dT00:00:00Z")
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


class Advisories:
    """The records of a `vulns/` directory, indexed by normalised package name."""

    def __init__(self, directory: Path) -> None:
        if not directory.is_dir():
            raise FileNotFoundError(f"no advisory directory at {directory}")
        self.directory = directory
        self.by_package: dict[str, list[Record]] = {}
        self.count = 0
        self.ids: set[str] = set()  # every id and alias
        for path in sorted(directory.glob("*/*.yaml")):
            record = _jsonable(yaml.load(path.read_text(encoding="utf-8"), Loader))  # noqa: S506
            if not isinstance(record, dict) or "id" not in record:
                continue
            if record.get("withdrawn"):
                continue
            self.count += 1
            self.ids |= {record["id"], *(record.get("aliases") or [])}
            names = {
                normalise(a["package"]["name"])
                for a in record.get("affected") or []
                if (a.get("package") or {}).get("ecosystem") == "PyPI" and a["package"].get("name")
            }
            for name in names:
                self.by_package.setdefault(name, []).append(record)
                # pip-audit reads fixed versions only where the name equals its canonical
                # (normalised) name: give the names to it normalised.
                for a in record["affected"]:
                    package = a.get("package") or {}
                    if package.get("name") and normalise(package["name"]) == name:
                        package["name"] = name

    def query(self, name: str, version: str) -> list[Record]:
        name = normalise(name)
        return [r for r in self.by_package.get(name, []) if affects(r, name, version)]


class QueryError(ValueError):
    pass


def _package_version(query: Any) -> tuple[str, str] | None:
    """(name, version) of an OSV query; None for another ecosystem."""
    if not isinstance(query, dict) or not isinstance(query.get("package"), dict):
        raise QueryError("a query needs a package")
    package = query["package"]
    version = query.get("version")
    if "purl" in package:
        match = re.fullmatch(r"pkg:pypi/([^@?#]+)(?:@([^?#]+))?", str(package["purl"]))
        if not match:
            return None
        name, version = unquote(match.group(1)), match.group(2) and unquote(match.group(2))
    else:
        if package.get("ecosystem") != "PyPI":
            return None
        name = package.get("name")
    if not name or not version:
        raise QueryError("a query needs a package name and a version (commit queries: no)")
    return str(name), str(version)


def answer(advisories: Advisories, path: str, body: bytes) -> tuple[int, dict[str, Any]]:
    """The status and JSON answer of one request (split out of the handler for tests)."""
    try:
        request = json.loads(body or b"{}")
        if path == "/v1/query":
            found = _package_version(request)
            vulns = advisories.query(*found) if found else []
            return 200, {"vulns": vulns} if vulns else {}
        if path == "/v1/querybatch":
            queries = request.get("queries") if isinstance(request, dict) else None
            if not isinstance(queries, list):
                raise QueryError("querybatch needs a list of queries")
            results = []
            for query in queries:
                found = _package_version(query)
                vulns = advisories.query(*found) if found else []
                results.append(
                    {"vulns": [{"id": v["id"], "modified": v.get("modified")} for v in vulns]}
                    if vulns
                    else {}
                )
            return 200, {"results": results}
        return 404, {"code": 5, "message": f"no such endpoint: {path}"}
    except (json.JSONDecodeError, QueryError) as error:
        return 400, {"code": 3, "message": str(error)}


def make_server(advisories: Advisories, port: int = 0) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            status, payload = answer(advisories, self.path, self.rfile.read(length))
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: pip-audit makes one request per package

    return ThreadingHTTPServer(("127.0.0.1", port), Handler)


@contextmanager
def serving(advisories: Advisories) -> Iterator[str]:
    """Serve the records on a free loopback port for the duration; yields the query URL."""
    server = make_server(advisories)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host!s}:{port}/v1/query"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path, help="the vulns/ directory of the records")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    advisories = Advisories(args.directory)
    server = make_server(advisories, args.port)
    print(
        f"{advisories.count} advisories for {len(advisories.by_package)} packages on "
        f"http://127.0.0.1:{server.server_address[1]}/v1/query",
        file=sys.stderr,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
