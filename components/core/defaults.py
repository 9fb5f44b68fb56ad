"""Defaults the program, the devtools and the policy pack share, each written once here.

Standard library only: the policy pack imports this module from its own virtualenv, and the
devtools without Pulumi. The stack config's models take their defaults from here (directly,
or through `args.py`), so a message that quotes one of these quotes what the program does.
"""

from __future__ import annotations

from typing import Final

# --- Where the data plane runs ---

DEFAULT_NAMESPACE = "langgraph"
DEFAULT_NAMESPACES: tuple[str, ...] = (DEFAULT_NAMESPACE,)
"""`dataplane:namespaces.names` when unset."""
DEFAULT_RENDER_DIR = ".work/manifests"
"""`dataplane:renderDir`: where manifests go when no kubeconfig is set."""

# --- The control plane ---

DEFAULT_REGION = "us"
"""The control plane's region when `controlPlane` names neither a URL nor a region."""
# The LangSmith cloud's API hosts, by the region of their control plane: the US one the
# Terraform provider documents, and the EU one this project already uses (docs/standalone.md's
# `langsmithEndpoint`). The other regions' API hosts are not documented, so not guessed.
CLOUD_API_REGIONS: dict[str, str] = {
    "api.smith.langchain.com": "us",
    "eu.api.smith.langchain.com": "eu",
}

# --- The stores ---

POSTGRES_IMAGE = "docker.io/pgvector/pgvector:0.8.0-pg15"
REDIS_IMAGE = "docker.io/library/redis:7.4.2"
MONGO_IMAGE = "docker.io/library/mongo:7.0.14"
STORE_MODE: Final = "in-cluster"
"""`postgres.mode` and `redis.mode` when unset."""
MONGO_MODE: Final = "none"
"""`mongo.mode` when unset: the Postgres checkpointer."""
POSTGRES_PORT = 5432
REDIS_PORT = 6379
MONGO_PORT = 27017
"""The stores' ports: of the in-cluster ones, and of an external URI that names none."""
