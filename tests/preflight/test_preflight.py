"""The opt-in preflight against real servers on loopback: versions, missing extensions, no
connection, and never a password in what it says."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from components.cluster.preflight import check_postgres, check_redis, failures, preflight
from components.config import ConfigError, parse_stack_config
from components.program import run_preflight
from components.resources.postgres import EXTENSIONS
from tests.preflight.loopback_servers import PASSWORD, Server, free_port


def dsn(server: Server, password: str = PASSWORD, database: str = "postgres") -> str:
    return f"postgresql://postgres:{password}@127.0.0.1:{server.port}/{database}"


@pytest.fixture
def database(postgres_server: Server) -> Any:
    """A new, empty database for one test."""
    name = f"db{free_port()}"
    with psycopg.connect(dsn(postgres_server), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    yield dsn(postgres_server, database=name)
    with psycopg.connect(dsn(postgres_server), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE {name} WITH (FORCE)")


def test_a_new_database_lacks_the_extensions_and_says_how_to_make_them(database: str) -> None:
    report = check_postgres("externalPostgresUris.a", database, 5)
    assert report.version.startswith("PostgreSQL 15.")
    assert report.where.startswith("127.0.0.1:")
    (problem,) = report.problems
    assert problem == f"extensions not created in the database: {', '.join(EXTENSIONS)}"
    assert "CREATE EXTENSION IF NOT EXISTS btree_gin;" in report.fixes[0]


def test_a_database_with_the_extensions_is_ready(database: str) -> None:
    with psycopg.connect(database, autocommit=True) as conn:
        for extension in EXTENSIONS:
            conn.execute(f"CREATE EXTENSION IF NOT EXISTS {extension}")
    report = check_postgres("externalPostgresUris.a", database, 5)
    assert report.problems == [] and report.version.startswith("PostgreSQL 15.")


def test_a_wrong_password_is_reported_without_any_password(postgres_server: Server) -> None:
    wrong = "not-the-pw-3f9a"
    report = check_postgres("externalPostgresUris.a", dsn(postgres_server, wrong), 5)
    (problem,) = report.problems
    assert problem.startswith("cannot connect (OperationalError:")
    assert "password authentication failed" in problem
    assert wrong not in problem and PASSWORD not in problem


def test_redis_version_and_auth(redis_server: Server) -> None:
    url = f"redis://:{PASSWORD}@127.0.0.1:{redis_server.port}/0"
    report = check_redis("externalRedisUris.a", url, 5)
    assert report.problems == [], report.problems
    assert report.version.startswith("Redis 7.")
    wrong = check_redis("externalRedisUris.a", url.replace(PASSWORD, "nope-81ac"), 5)
    (problem,) = wrong.problems
    assert problem.startswith("cannot connect (ConnectionError:") and "nope-81ac" not in problem


def test_nothing_listening_fails_fast_and_clearly() -> None:
    port = free_port()
    pg = check_postgres("externalPostgresUris.a", f"postgresql://u:p@127.0.0.1:{port}/d", 2)
    redis = check_redis("externalRedisUris.a", f"redis://:p@127.0.0.1:{port}/0", 2)
    for report in (pg, redis):
        assert report.problems[0].startswith("cannot connect"), report.problems
        assert report.where == f"127.0.0.1:{port}"


def test_the_stack_fails_with_one_line_per_store_and_its_fix(
    database: str, redis_server: Server
) -> None:
    raw = {
        "licenseKey": "l",
        "deployments": {"a": {"static": {"image": "r.example.com/a:1"}}},
        "postgres": {"mode": "external"},
        "redis": {"mode": "external"},
        "externalPostgresUris": {"a": database},
        "externalRedisUris": {"a": f"redis://:{PASSWORD}@127.0.0.1:{redis_server.port}/0"},
        "preflight": {"enabled": True, "timeoutSeconds": 5},
    }
    config = parse_stack_config(raw, ["licenseKey", "externalPostgresUris", "externalRedisUris"])
    reports = preflight(config)
    assert [r.key for r in reports] == ["externalPostgresUris.a", "externalRedisUris.a"]
    error = failures(reports)
    assert isinstance(error, ConfigError)
    text = str(error)
    assert "dataplane:externalPostgresUris.a: preflight at 127.0.0.1:" in text
    assert "(PostgreSQL 15." in text and "Fix: as the database owner, run" in text
    assert "externalRedisUris" not in text  # the Redis is fine
    assert PASSWORD not in text
    with pytest.raises(ConfigError):
        run_preflight(config)
