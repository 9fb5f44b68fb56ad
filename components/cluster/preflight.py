"""The opt-in preflight (`dataplane:preflight.enabled`): before anything is declared, connect to
each external Postgres and Redis the stack names and report what the servers would find there:
the server's version, and for Postgres the extensions the servers need that are missing.

A store that is too old, lacks extensions or cannot be reached fails the preview with one
line per store and its fix; one that is fine is reported as information. No credential is
ever shown: stores are named by their config key and host, never by their URI.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from ..config import ConfigError, Problem, StackConfig
from ..core.defaults import POSTGRES_PORT, REDIS_PORT
from ..core.images import POSTGRES_MINIMUM, REDIS_MINIMUM, VALKEY_MINIMUM
from ..resources.postgres import EXTENSIONS


@dataclass
class StoreReport:
    """What the preflight found at one store."""

    key: str
    """The config key of its URI, e.g. `externalPostgresUris.support-agent`."""
    where: str
    """Its host and port (never the URI: it holds the password)."""
    version: str = "unknown"
    """The server's name and version, e.g. `PostgreSQL 15.18` or `Valkey 8.1.1`."""
    problems: list[str] = field(default_factory=list)
    """What the servers would trip on; empty when the store is fine."""
    fixes: list[str] = field(default_factory=list)
    """What to do about each problem."""


def _where(uri: str, default_port: int) -> str:
    parts = urlsplit(uri)
    try:
        port = parts.port or default_port
    except ValueError:
        port = default_port
    return f"{parts.hostname or '?'}:{port}"


def check_postgres(key: str, dsn: str, timeout: float) -> StoreReport:
    """Connect, read the version and the extensions; never raises for the store's sake."""
    import psycopg

    report = StoreReport(key, _where(dsn, POSTGRES_PORT))
    try:
        with psycopg.connect(dsn, connect_timeout=max(1, int(timeout))) as conn:
            number = int(conn.execute("SHOW server_version_num").fetchone()[0])  # type: ignore[index]
            installed = {r[0] for r in conn.execute("SELECT extname FROM pg_extension")}
            available = {r[0] for r in conn.execute("SELECT name FROM pg_available_extensions")}
    except psycopg.Error as exc:
        # The driver's message names the host and the reason, never the password.
        reason = " ".join(str(exc).split())[:200].replace(dsn, "<uri>")
        report.problems.append(f"cannot connect ({type(exc).__name__}: {reason})")
        report.fixes.append("check the host, port, user, password and database in the URI")
        return report
    major, minor = number // 10000, number % 10000
    report.version = f"PostgreSQL {major}.{minor}"
    if major < POSTGRES_MINIMUM:
        report.problems.append(f"PostgreSQL {major} is older than {POSTGRES_MINIMUM}")
        report.fixes.append(f"upgrade the server to PostgreSQL {POSTGRES_MINIMUM} or newer")
    missing = [e for e in EXTENSIONS if e not in installed]
    absent = [e for e in missing if e not in available]
    creatable = [e for e in missing if e in available]
    if absent:
        report.problems.append(f"extensions not available on the server: {', '.join(absent)}")
        report.fixes.append("install PostgreSQL's contrib modules on the server")
    if creatable:
        report.problems.append(f"extensions not created in the database: {', '.join(creatable)}")
        report.fixes.append(
            "as the database owner, run "
            + " ".join(f"`CREATE EXTENSION IF NOT EXISTS {e};`" for e in creatable)
        )
    return report


def _resp(command: list[str]) -> bytes:
    parts = [f"*{len(command)}\r\n".encode()]
    for word in command:
        data = word.encode()
        parts.append(f"${len(data)}\r\n".encode() + data + b"\r\n")
    return b"".join(parts)


def _reply(stream: socket.socket) -> str:
    """One RESP reply: a status, an error (raised) or a bulk string."""
    buffer = stream.makefile("rb")
    head = buffer.readline()
    if head.startswith(b"-"):
        raise ConnectionError(head[1:].decode(errors="replace").strip())
    if head.startswith(b"$"):
        size = int(head[1:])
        return "" if size < 0 else buffer.read(size + 2)[:-2].decode(errors="replace")
    return head[1:].decode(errors="replace").strip()


def check_redis(key: str, url: str, timeout: float) -> StoreReport:
    """`AUTH` (when the URL has a password) and `INFO server`, over the Redis protocol."""
    parts = urlsplit(url)
    report = StoreReport(key, _where(url, REDIS_PORT))
    try:
        host, port = parts.hostname or "localhost", parts.port or REDIS_PORT
        with socket.create_connection((host, port), timeout=timeout) as raw:
            stream: socket.socket = raw
            if parts.scheme == "rediss":
                stream = ssl.create_default_context().wrap_socket(raw, server_hostname=host)
            if parts.password is not None:
                auth = [unquote(parts.password)]
                if parts.username:
                    auth.insert(0, unquote(parts.username))
                stream.sendall(_resp(["AUTH", *auth]))
                _reply(stream)
            stream.sendall(_resp(["INFO", "server"]))
            info = dict(line.split(":", 1) for line in _reply(stream).splitlines() if ":" in line)
    except (OSError, ValueError, ConnectionError) as exc:
        reason = " ".join(str(exc).split())[:200]
        report.problems.append(f"cannot connect ({type(exc).__name__}: {reason})")
        report.fixes.append("check the host, port and password in the URL")
        return report
    if "valkey_version" in info:
        version, name, minimum = info["valkey_version"], "Valkey", (VALKEY_MINIMUM, 0)
    else:
        version, name, minimum = info.get("redis_version", "0"), "Redis", REDIS_MINIMUM
    report.version = f"{name} {version}"
    numbers = tuple(int(p) for p in version.split(".")[:2] if p.isdigit())
    if numbers < minimum:
        shown = ".".join(map(str, minimum)) if name == "Redis" else str(minimum[0])
        report.problems.append(f"{name} {version} is older than {shown}")
        report.fixes.append(
            f"upgrade to Redis {'.'.join(map(str, REDIS_MINIMUM))}+ or Valkey {VALKEY_MINIMUM}+"
        )
    return report


def preflight(config: StackConfig) -> list[StoreReport]:
    """A report of every external store the stack names (the opt-in preflight)."""
    timeout = config.preflight.timeout_seconds
    reports = [
        check_postgres(f"externalPostgresUris.{name}", uri.get_secret_value(), timeout)
        for name, uri in sorted(config.external_postgres_uris.items())
    ]
    reports += [
        check_redis(f"externalRedisUris.{name}", uri.get_secret_value(), timeout)
        for name, uri in sorted(config.external_redis_uris.items())
    ]
    return reports


def failures(reports: Iterable[StoreReport]) -> ConfigError | None:
    """One error naming every store that failed, with its version and fixes; None if none."""
    problems = [
        Problem(
            r.key,
            f"preflight at {r.where} ({r.version}): {'; '.join(r.problems)}",
            "; ".join(r.fixes),
        )
        for r in reports
        if r.problems
    ]
    return ConfigError(problems) if problems else None
