"""Today's platform minimums: Postgres extensions made on first start, store images recent
enough (defaults included), with a clear error for older ones."""

from __future__ import annotations

from typing import Any

import pytest

from components.config import ConfigError, parse_stack_config
from components.core.images import store_version_problem
from components.resources.postgres import EXTENSIONS, VECTOR_EXTENSION, extensions_sql
from components.spec.args import POSTGRES_IMAGE, REDIS_IMAGE
from tests.unit.dataplane_setup import dataplane, served
from tests.unit.harness import run_program

NEEDED = {"btree_gin", "btree_gist", "pgcrypto", "citext", "ltree", "pg_trgm"}


def test_postgres_makes_the_servers_extensions_on_first_start() -> None:
    assert set(EXTENSIONS) == NEEDED
    # pgvector too: the in-cluster image ships it (the store's semantic search).
    assert VECTOR_EXTENSION == "vector"
    assert extensions_sql().splitlines() == [
        f"CREATE EXTENSION IF NOT EXISTS {e};" for e in [*EXTENSIONS, "vector"]
    ]
    run = run_program(lambda: dataplane([served("alpha")]))
    init = run.named("dataplane-alpha-postgres-init")
    assert init.typ == "kubernetes:core/v1:ConfigMap"
    assert init.get("data") == {"extensions.sql": extensions_sql()}
    pod = run.named("dataplane-alpha-postgres-statefulset").get("spec.template.spec")
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes["init"] == {"name": "init", "configMap": {"name": "alpha-postgres-init"}}
    mounts = {m["name"]: m["mountPath"] for m in pod["containers"][0]["volumeMounts"]}
    # The image's entrypoint runs this folder's scripts only when the data folder is new.
    assert mounts["init"] == "/docker-entrypoint-initdb.d"
    # No `command`: the image's own entrypoint runs (and with it, the init scripts).
    assert "command" not in pod["containers"][0]


def test_an_external_postgres_gets_no_init_script() -> None:
    run = run_program(
        lambda: dataplane(
            [served("alpha")],
            postgres={"mode": "external"},
            external_postgres_uris={"alpha": "postgresql://u:p@db.example.com:5432/app"},
        )
    )
    assert run.count("kubernetes:core/v1:ConfigMap") == 0


def test_the_default_images_meet_todays_minimums() -> None:
    assert store_version_problem("postgres", POSTGRES_IMAGE) is None
    assert store_version_problem("redis", REDIS_IMAGE) is None


@pytest.mark.parametrize(
    ("kind", "image", "expected"),
    [
        ("postgres", "docker.io/pgvector/pgvector:0.8.0-pg13", "runs Postgres 13"),
        ("postgres", "postgres:12.19", "runs Postgres 12"),
        ("postgres", "postgres:14.13", None),
        ("postgres", "docker.io/pgvector/pgvector:pg16", None),
        ("redis", "redis:6.0.20", "runs Redis 6.0"),
        ("redis", "redis:5", "runs Redis 5.0"),
        ("redis", "redis:6.2.14", None),
        ("redis", "docker.io/valkey/valkey:8.1.1", None),
        ("redis", "docker.io/valkey/valkey:7.2.5", "runs Valkey 7"),
        # A tag that says nothing: the policy pack reports it, config does not guess.
        ("redis", "redis@sha256:" + "0" * 64, None),
    ],
)
def test_store_image_versions(kind: str, image: str, expected: str | None) -> None:
    problem = store_version_problem(kind, image)
    assert (problem is None) if expected is None else (expected in (problem or "")), problem


def test_an_old_store_image_is_a_config_error_with_its_fix() -> None:
    raw: dict[str, Any] = {
        "licenseKey": "l",
        "deployments": {"a": {"static": {"image": "registry.example.com/a:1.0.0"}}},
        "postgres": {"image": "postgres:13.16"},
        "redis": {"image": "redis:6.0.20"},
    }
    with pytest.raises(ConfigError) as info:
        parse_stack_config(raw, ["licenseKey"])
    text = str(info.value)
    assert "dataplane:postgres.image: runs Postgres 13" in text
    assert "dataplane:redis.image: runs Redis 6.0" in text
    assert "valkey/valkey:8.1.1" in text  # the fix names what is allowed
