"""The production shape (docker-compose.yml, deploy/) checked without Docker.

Docker cannot run on the CI machines, so this reads the compose file, the Dockerfiles and
the Caddyfile and checks what `docker compose up` would rely on: files that exist, health
checks, restart policies, named volumes, secrets only as `${VAR:?}` guards documented in
.env.example, and a proxy that routes to the services the compose file defines.
tests/e2e/test_replicas.py runs the same processes.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|KEY|SALT|AUTH")
INTERPOLATION = re.compile(r"\$\{([A-Z0-9_]+)(:\?|:-|\?|-)?([^}]*)\}")
REQUIRED = {"rasa-1", "rasa-2", "actions", "api", "purge", "postgres", "redis", "proxy"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


def _command(service: dict[str, Any]) -> list[str]:
    command = service.get("command") or []
    return shlex.split(command) if isinstance(command, str) else [str(c) for c in command]


def _rasa_servers(services: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        name: s
        for name, s in services.items()
        if _command(s)[:2] == ["rasa", "run"] and "actions" not in _command(s)
    }


def _documented_settings() -> set[str]:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))


def test_every_part_of_the_production_shape_is_a_service(
    services: dict[str, dict[str, Any]],
) -> None:
    assert set(services) >= REQUIRED, REQUIRED - set(services)


def test_two_rasa_replicas_on_the_shared_stores(services: dict[str, dict[str, Any]]) -> None:
    rasa = _rasa_servers(services)
    replicas = sum(int(s.get("deploy", {}).get("replicas", 1)) for s in rasa.values())
    assert replicas >= 2, f"Rasa runs {replicas} time(s): {sorted(rasa)}"
    endpoints = ROOT / "bot" / "endpoints.production.yml"
    config = yaml.safe_load(endpoints.read_text(encoding="utf-8"))
    assert config["tracker_store"]["type"] == "SQL"
    assert config["tracker_store"]["dialect"] == "postgresql"
    # Rasa's Redis lock store with atomic tickets (bot/stores/redis_lock.py).
    module, _, cls = config["lock_store"]["type"].rpartition(".")
    source = ROOT / "bot" / (module.replace(".", "/") + ".py")
    assert f"class {cls}(RedisLockStore)" in source.read_text(encoding="utf-8")
    needed = set(re.findall(r"\$\{([A-Z0-9_]+)\}", endpoints.read_text(encoding="utf-8")))
    for name, service in rasa.items():
        command = _command(service)
        assert command[command.index("--endpoints") + 1] == "endpoints.production.yml"
        credentials = command[command.index("--credentials") + 1]
        assert (ROOT / "bot" / credentials).is_file(), credentials
        missing = needed - set(_environment(service))
        assert not missing, f"{name} does not set {sorted(missing)} for {endpoints.name}"


def test_every_service_has_a_health_check_and_a_restart_policy(
    services: dict[str, dict[str, Any]],
) -> None:
    for name, service in services.items():
        assert service.get("restart") in {"always", "unless-stopped", "on-failure"}, name
        check = service.get("healthcheck") or {}
        assert check.get("test") and not check.get("disable"), f"{name} has no health check"
        assert check["test"][0] in {"CMD", "CMD-SHELL"}, name


def test_dependencies_exist_and_wait_for_health(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        for dependency, condition in (service.get("depends_on") or {}).items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            assert condition["condition"] == "service_healthy", (name, dependency)


def test_data_lives_in_named_volumes(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    declared = set(compose.get("volumes") or {})
    used: set[str] = set()
    for name, service in services.items():
        for volume in service.get("volumes") or []:
            source = volume.split(":", 1)[0]
            if source.startswith((".", "/")):
                assert (ROOT / source).exists(), f"{name} mounts missing {source}"
            else:
                assert source in declared, f"{name} uses undeclared volume {source}"
                used.add(source)
    assert used == declared, f"declared but unused: {declared - used}"
    data = [v.split(":")[1] for v in services["postgres"]["volumes"]]
    assert "/var/lib/postgresql/data" in data


def test_postgres_creates_the_tracker_database_rasa_and_the_purge_use(
    services: dict[str, dict[str, Any]],
) -> None:
    mounts = dict(v.split(":")[:2] for v in services["postgres"]["volumes"])
    init = [src for src, dst in mounts.items() if dst.startswith("/docker-entrypoint-initdb.d/")]
    assert init, "no init script for the tracker database"
    sql = (ROOT / init[0]).read_text(encoding="utf-8")
    tracker_db = _environment(services["rasa-1"])["TRACKER_DB"]
    assert f"CREATE DATABASE {tracker_db};" in sql
    assert _environment(services["purge"])["TRACKER_DATABASE_URL"].endswith(f"/{tracker_db}")


@dataclass
class Dockerfile:
    path: Path
    stages: list[tuple[str, list[str]]] = field(default_factory=list)  # (FROM, instructions)

    @classmethod
    def read(cls, path: Path) -> Dockerfile:
        text = re.sub(r"\\\n", " ", path.read_text(encoding="utf-8"))
        parsed = cls(path)
        for line in text.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.upper().startswith("FROM "):
                parsed.stages.append((line.split()[1], []))
            else:
                parsed.stages[-1][1].append(line)
        return parsed

    def instructions(self, keyword: str, stage: int = -1) -> list[list[str]]:
        return [
            shlex.split(line)[1:]
            for line in self.stages[stage][1]
            if line.split()[0].upper() == keyword
        ]


def _built(services: dict[str, dict[str, Any]]) -> dict[str, tuple[Path, Dockerfile]]:
    found = {}
    for name, service in services.items():
        if "build" in service:
            context = (ROOT / service["build"]["context"]).resolve()
            dockerfile = context / service["build"].get("dockerfile", "Dockerfile")
            assert context.is_dir(), f"{name}: no build context {context}"
            assert dockerfile.is_file(), f"{name}: no {dockerfile}"
            found[name] = (context, Dockerfile.read(dockerfile))
    return found


def test_built_services_have_dockerfiles_whose_copied_files_exist(
    services: dict[str, dict[str, Any]],
) -> None:
    built = _built(services)
    assert {"rasa-1", "rasa-2", "actions", "api", "purge"} <= set(built)
    for name, (context, dockerfile) in built.items():
        for index in range(len(dockerfile.stages)):
            for args in dockerfile.instructions("COPY", index):
                if any(a.startswith("--from") for a in args):
                    continue
                for source in [a for a in args if not a.startswith("--")][:-1]:
                    assert (context / source).exists(), f"{dockerfile.path.name}: {source}"
        # Every shell script the image runs is copied into it.
        for script in re.findall(r"deploy/[\w.-]+\.sh", " ".join(_command(services[name]))):
            assert (ROOT / script).is_file(), script


def test_images_install_the_lock_files_on_the_right_python_as_non_root(
    services: dict[str, dict[str, Any]],
) -> None:
    python = {"api": "3.11", "purge": "3.11", "actions": "3.10", "rasa-1": "3.10"}
    lock = {"api": "api.lock", "purge": "api.lock", "actions": "bot.lock", "rasa-1": "bot.lock"}
    built = _built(services)
    for name, version in python.items():
        dockerfile = built[name][1]
        base, lines = dockerfile.stages[-1]
        assert base.startswith(f"python:{version}-"), (name, base)
        installs = [" ".join(a) for a in dockerfile.instructions("RUN") if "pip" in a]
        assert any(f"-r requirements/{lock[name]}" in i and "--no-deps" in i for i in installs)
        users = dockerfile.instructions("USER")
        assert users and users[-1][0] not in {"root", "0"}, f"{name} runs as root"
        assert any(line.upper().startswith("HEALTHCHECK") for line in lines) or (
            services[name].get("healthcheck")
        )


def _interpolations(text: str) -> list[tuple[str, str, str]]:
    return INTERPOLATION.findall(text)


def test_every_secret_is_a_required_variable_documented_in_env_example(
    services: dict[str, dict[str, Any]],
) -> None:
    documented = _documented_settings()
    secrets_seen = set()
    for name, service in services.items():
        for key, value in _environment(service).items():
            used = _interpolations(value)
            for variable, operator, _ in used:
                assert variable in documented, f"{name}: {variable} not in .env.example"
                if SECRET_NAME.search(variable):
                    assert operator == ":?", f"{name}: {variable} must be ${{{variable}:?...}}"
                    secrets_seen.add(variable)
            if SECRET_NAME.search(key):
                assert used, f"{name}: {key} holds a literal value"
                assert all(op == ":?" for _, op, _ in used), f"{name}: {key} is not guarded"
            # A password inside a URL comes from a guarded variable too.
            for password in re.findall(r"://[^:/@]+:([^@]+)@", value):
                assert re.fullmatch(r"\$\{[A-Z0-9_]+:\?[^}]*\}", password), (name, key)
    assert {"POSTGRES_PASSWORD", "REDIS_PASSWORD", "SERVICE_API_KEY", "SENDER_HASH_SALT"} <= (
        secrets_seen
    )


def test_the_compose_file_holds_no_secret_values() -> None:
    text = COMPOSE.read_text(encoding="utf-8")
    for match in re.finditer(r"^\s*([A-Z0-9_]+):\s*(.+)$", text, flags=re.MULTILINE):
        key, value = match.groups()
        if SECRET_NAME.search(key) and not key.endswith("_URL"):
            assert value.strip().startswith("${") and ":?" in value, f"{key}: {value}"


# --- the proxy ---------------------------------------------------------------------------


@dataclass
class Block:
    tokens: list[str]
    children: list[Block] = field(default_factory=list)

    def find(self, directive: str) -> list[Block]:
        return [c for c in self.children if c.tokens and c.tokens[0] == directive]


def parse_caddyfile(text: str) -> Block:
    """Caddyfile's structure: one directive per line, `{` opens a block, `}` closes it."""
    root = Block([])
    stack = [root]
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip() if not raw.strip().startswith("#") else ""
        if not line:
            continue
        if line == "}":
            stack.pop()
            continue
        opens = line.endswith("{")
        block = Block(shlex.split(line.rstrip("{").strip()))
        stack[-1].children.append(block)
        if opens:
            stack.append(block)
    assert stack == [root], "unbalanced braces in the Caddyfile"
    return root


@pytest.fixture(scope="module")
def site(services: dict[str, dict[str, Any]]) -> Block:
    mounts = [v.split(":")[:2] for v in services["proxy"]["volumes"]]
    source = next(src for src, dst in mounts if dst == "/etc/caddy/Caddyfile")
    caddy = parse_caddyfile((ROOT / source).read_text(encoding="utf-8"))
    sites = [b for b in caddy.children if b.tokens and b.tokens[0] == "{$DOMAIN}"]
    assert len(sites) == 1
    assert "DOMAIN" in _environment(services["proxy"])
    return sites[0]


def _route(site: Block, matcher: str | None) -> Block:
    handles = [h for h in site.find("handle") if (h.tokens[1:] or [None])[0] == matcher]
    assert len(handles) == 1, f"no single `handle {matcher}` block"
    (proxy,) = handles[0].find("reverse_proxy")
    return proxy


def _port_of(service: dict[str, Any]) -> str:
    command = _command(service)
    if "--port" in command:
        return command[command.index("--port") + 1]
    return "8000"  # uvicorn in deploy/api.Dockerfile


def test_proxy_routes_webhooks_and_socketio_to_every_rasa_replica(
    site: Block, services: dict[str, dict[str, Any]]
) -> None:
    rasa = _rasa_servers(services)
    expected = {f"{name}:{_port_of(s)}" for name, s in rasa.items()}
    for path in ("/webhooks/*", "/socket.io/*"):
        proxy = _route(site, path)
        assert set(proxy.tokens[1:]) == expected, path
    # socket.io keeps a session in one replica's memory: the same client, the same replica.
    policy = _route(site, "/socket.io/*").find("lb_policy")
    assert policy and policy[0].tokens[1] in {"ip_hash", "cookie", "client_ip_hash"}


def test_proxy_sends_everything_else_to_the_api_and_hides_metrics(
    site: Block, services: dict[str, dict[str, Any]]
) -> None:
    proxy = _route(site, None)
    assert proxy.tokens[1:] == [f"api:{_port_of(services['api'])}"]
    metrics = [h for h in site.find("handle") if h.tokens[1:2] == ["/metrics*"]]
    assert metrics and metrics[0].find("respond")[0].tokens[1] == "404"


def test_only_the_proxy_is_published(services: dict[str, dict[str, Any]]) -> None:
    published = {name for name, s in services.items() if s.get("ports")}
    assert published == {"proxy"}


def test_the_build_context_leaves_out_environments_secrets_and_models() -> None:
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".venv-*", ".env", "bot/models", ".git", "data"} <= ignored
    # ... but nothing an image copies.
    for dockerfile in (ROOT / "deploy").glob("*.Dockerfile"):
        for stage in Dockerfile.read(dockerfile).stages:
            for line in stage[1]:
                if line.upper().startswith("COPY") and "--from" not in line:
                    for source in shlex.split(line)[1:-1]:
                        assert source.split("/")[0] not in ignored, (dockerfile.name, source)


def test_the_daily_job_reports_its_last_success(tmp_path: Path) -> None:
    """deploy/every-day.sh, run for real with a tiny interval: a success is stamped, a
    failure is not, and the loop goes on after a failure."""
    import subprocess
    import time

    stamp = tmp_path / "last-success"
    marker = tmp_path / "runs"
    script = f'echo run >> {marker}; test "$(wc -l < {marker})" -ne 1'  # the first run fails
    process = subprocess.Popen(
        ["sh", str(ROOT / "deploy" / "every-day.sh"), "sh", "-c", script],
        env={
            "PATH": "/usr/bin:/bin",
            "PURGE_INTERVAL_SECONDS": "0.2",
            "LAST_SUCCESS_FILE": str(stamp),
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while not stamp.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=10)
    assert stamp.exists() and int(stamp.read_text()) > 0
    assert b"failed with exit code 1" in errors
