"""The Postgres data, its password and the password's Secret are protected.

The engine tells a policy pack each resource's `protect` option, but not `retainOnDelete`
(Pulumi 3.259's analyzer protocol has no field for it), so this rule checks `protect`. The
program sets both from the same setting (components/resources/postgres.py); the registration
snapshots (tests/unit/registrations/golden/) record both for the example stacks.
"""

from __future__ import annotations

from components.core.names import POSTGRES_TYPE

from .model import Resource
from .settings import StackSettings

# What a Postgres component guards, by type, with what it is.
GUARDED = {
    "kubernetes:core/v1:PersistentVolumeClaim": "data volume",
    "kubernetes:core/v1:Secret": "password Secret",
    "random:index/randomPassword:RandomPassword": "generated password",
}


def postgres_deletion_protection(resource: Resource, settings: StackSettings) -> list[str]:
    """A Postgres component's volume, Secret and RandomPassword have `protect`, unless the
    stack opts out with `dataplane:postgres.deletionProtection: false`."""
    what = GUARDED.get(resource.type)
    if what is None or resource.parent_type != POSTGRES_TYPE or resource.protect:
        return []
    if settings.postgres_opted_out:
        return []
    return [
        f"The Postgres {what} ({resource.describe()}, Pulumi name {resource.name!r}) is not "
        "protected: `pulumi destroy`, or a change that replaces it, would delete the "
        "database or the only way into it. Fix: keep dataplane:postgres.deletionProtection "
        "true (the default), which protects and retains it; for disposable data only, opt "
        "out explicitly with dataplane:postgres.deletionProtection: false."
    ]
