"""Deterministic example data of the local control plane.

Ids are ``uuid5`` values derived from names, so stack configs and tests can refer to them
without asking the server. The secret values are obviously fake.
"""

from __future__ import annotations

import uuid
from typing import Any

from components.core.defaults import DEFAULT_NAMESPACE

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "local-controlplane.langgraph-dataplane.invalid")

# API keys the server accepts by default. These are local development keys, not secrets.
DEFAULT_API_KEY = "lsv2_local_dev_key"
DEFAULT_ORG_API_KEY = "lsv2_local_org_key"


def stable_id(kind: str, name: str) -> str:
    """A deterministic id for a seeded object (``kind`` is e.g. "listener")."""
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{name}"))


DEFAULT_TENANT_ID = stable_id("workspace", "default")
SECOND_TENANT_ID = stable_id("workspace", "second")

DEV_LISTENER_COMPUTE_ID = "dev-cluster"
# The dev stack serves it in the data plane's default namespace.
DEV_NAMESPACE = DEFAULT_NAMESPACE
STAGING_LISTENER_COMPUTE_ID = "staging-cluster"
STAGING_NAMESPACE = "langgraph-staging"

DEV_LISTENER_ID = stable_id("listener", DEV_LISTENER_COMPUTE_ID)
STAGING_LISTENER_ID = stable_id("listener", STAGING_LISTENER_COMPUTE_ID)

ALPHA_ID = stable_id("deployment", "agent-alpha")
BETA_ID = stable_id("deployment", "agent-beta")
GAMMA_ID = stable_id("deployment", "agent-gamma")


def revision_id(deployment_name: str, number: int) -> str:
    return stable_id("revision", f"{deployment_name}:{number}")


ALPHA_REVISION_ID = revision_id("agent-alpha", 1)
BETA_REVISION_ID = revision_id("agent-beta", 1)
GAMMA_REVISION_ID = revision_id("agent-gamma", 1)

SEED_TIME = "2025-11-03T09:00:00+00:00"

LISTENERS: list[dict[str, Any]] = [
    {
        "id": DEV_LISTENER_ID,
        "compute_type": "k8s",
        "compute_id": DEV_LISTENER_COMPUTE_ID,
        "compute_config": {"k8s_namespaces": [DEV_NAMESPACE]},
        "version": "0.16.2",
    },
    {
        "id": STAGING_LISTENER_ID,
        "compute_type": "k8s",
        "compute_id": STAGING_LISTENER_COMPUTE_ID,
        "compute_config": {"k8s_namespaces": [STAGING_NAMESPACE]},
        "version": "0.16.2",
    },
]

# Each entry: the deployment's create-body fields plus its first revision id.
DEPLOYMENTS: list[dict[str, Any]] = [
    {
        "id": ALPHA_ID,
        "revision_id": ALPHA_REVISION_ID,
        "name": "agent-alpha",
        "listener_id": DEV_LISTENER_ID,
        "k8s_namespace": DEV_NAMESPACE,
        "deployment_type": "prod",
        "image_uri": "docker.io/langchain/langgraph-api:0.4.20-py3.11",
        "secrets": [
            {"name": "OPENAI_API_KEY", "value": "sk-local-fake-openai-key-alpha-not-real"},
            {"name": "TAVILY_API_KEY", "value": "tvly-local-fake-key-alpha-not-real"},
        ],
        "resource_spec": {
            "min_scale": 1,
            "max_scale": 2,
            "cpu": 1,
            "cpu_limit": 2,
            "memory_mb": 2048,
            "memory_limit_mb": 4096,
            "redis_memory_mb": 2048,
            "db_cpu": 1,
            "db_memory_mb": 2048,
            "db_storage_gi": 10,
            "db_max_connections": 100,
            "labels": {"team": "agents", "app.kubernetes.io/part-of": "agent-alpha"},
        },
    },
    {
        "id": BETA_ID,
        "revision_id": BETA_REVISION_ID,
        "name": "agent-beta",
        "listener_id": DEV_LISTENER_ID,
        "k8s_namespace": DEV_NAMESPACE,
        "deployment_type": "dev",
        "image_uri": "docker.io/langchain/langgraph-api:0.4.18-py3.12",
        "secrets": [
            {"name": "ANTHROPIC_API_KEY", "value": "sk-ant-local-fake-key-beta-not-real"},
            {"name": "OPENAI_API_KEY", "value": "sk-local-fake-openai-key-beta-not-real"},
        ],
        "resource_spec": {
            "min_scale": 1,
            "max_scale": 2,
            "cpu": 1,
            "memory_mb": 2048,
            "queue_min_scale": 1,
            "queue_max_scale": 3,
            "redis_memory_mb": 1024,
            "annotations": {"example.com/owner": "platform-team"},
        },
    },
    {
        "id": GAMMA_ID,
        "revision_id": GAMMA_REVISION_ID,
        "name": "agent-gamma",
        "listener_id": STAGING_LISTENER_ID,
        "k8s_namespace": STAGING_NAMESPACE,
        "deployment_type": "dev",
        "image_uri": "docker.io/langchain/langgraph-api:0.4.20-py3.11",
        "secrets": [
            {"name": "OPENAI_API_KEY", "value": "sk-local-fake-openai-key-gamma-not-real"},
        ],
        # Today's fields: a key of a Secret the platform team keeps in the namespace, and the
        # pods' own service account (both must exist there before the servers can start).
        "secret_references": [
            {"name": "SEARCH_API_KEY", "secret_name": "search-credentials", "secret_key": "key"},
        ],
        "resource_spec": {
            "min_scale": 1,
            "max_scale": 1,
            "cpu": 1,
            "memory_mb": 1024,
            "annotations": {"example.com/cost-center": "staging"},
            "service_account_name": "agent-gamma-runner",
        },
    },
]
