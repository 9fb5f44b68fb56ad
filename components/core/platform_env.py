"""Environment names the platform sets itself in a server: a revision's secrets and the
stack's env must not use them.

Standard library only: the revision model, the config checks and the control-plane client
all read it, and the lower floors must not import the HTTP client for a constant.
"""

from __future__ import annotations

from collections.abc import Iterable

RESERVED_ENV_NAMES = frozenset(
    {
        "POSTGRES_URI",
        "DATABASE_URI",
        "REDIS_URI",
        "LANGSMITH_API_KEY",
        "LANGSMITH_ENDPOINT",
        "LANGGRAPH_CLOUD_LICENSE_KEY",
        "POSTGRES_URI_CUSTOM",
        "REDIS_URI_CUSTOM",
        "PORT",
        "MOUNT_PREFIX",
        "LANGSMITH_HOST_PROJECT_ID",
        "LANGSMITH_HOST_REVISION_ID",
        "LANGSMITH_DEPLOYMENT_NAME",
    }
)


def reserved_env_names(names: Iterable[str]) -> list[str]:
    """The names among `names` that the platform reserves, sorted."""
    return sorted(set(names) & RESERVED_ENV_NAMES)


def reserved_env_problem(names: Iterable[str], also: Iterable[str] = ()) -> str | None:
    """What is wrong with setting `names`: the platform's reserved ones, and those in `also`
    (what a workload sets itself). None when there are none. The one wording wherever a
    config, a revision or a reference sets environment names."""
    taken = sorted(set(names) & (RESERVED_ENV_NAMES | set(also)))
    return f"{taken} are set by the data plane (or reserved by the platform)" if taken else None
