"""Data-loss rules: which replacements and deletions lose data, or the way into it.

A `Risk` with `severity="data"` is a database, a volume or a Redis with data that the
change replaces or deletes; `severity="review"` is a change that takes one away in the
full program (a LangGraph deployment leaving the data plane takes its Postgres and Redis).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from components.core.names import (
    DYNAMIC_TYPE,
    POSTGRES_TYPE,
    REDIS_TYPE,
    REVISION_SYNC_PREFIX,
    deployment_of_sync,
)
from components.core.names import RevisionSyncProps as P

from .steps import Step, replaced_with

PVC = "kubernetes:core/v1:PersistentVolumeClaim"
STATEFUL_SET = "kubernetes:apps/v1:StatefulSet"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
SECRET = "kubernetes:core/v1:Secret"
RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword"

_DESTRUCTIVE = ("replace", "delete")


@dataclass
class Risk:
    op: str
    name: str
    type: str
    what: str
    consequence: str
    severity: str = "data"
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _in(step: Step, component: str) -> bool:
    return component in step.parents or step.type == component


def _postgres(step: Step) -> bool:
    return _in(step, POSTGRES_TYPE) or "postgres" in step.name.lower()


def _redis(step: Step) -> bool:
    return _in(step, REDIS_TYPE) or "redis" in step.name.lower()


RETAINED = {
    PVC: "Pulumi stops managing the volume; it stays in the cluster with its data "
    "(retainOnDelete), no longer updated or guarded by this stack",
    SECRET: "Pulumi stops managing the password Secret; it stays in the cluster (retainOnDelete)",
    RANDOM_PASSWORD: "Pulumi forgets the generated password; only the Secrets that hold it "
    "still know it",
}


def _classify(step: Step) -> tuple[str, str] | None:
    """(what it is, what the operation does to the data), or None when no data is at stake."""
    found = _classify_destroy(step)
    if found and step.op == "delete" and step.retained and step.type in RETAINED:
        return found[0], RETAINED[step.type]
    return found


def _classify_destroy(step: Step) -> tuple[str, str] | None:
    replace = step.op == "replace"
    typ = step.type
    if typ == PVC:
        return (
            "data volume (PersistentVolumeClaim)" + (" of Postgres" if _postgres(step) else ""),
            "a new, empty volume replaces it; the old volume and its data are deleted "
            "(unless its StorageClass retains released volumes)"
            if replace
            else "the volume and the data on it are deleted",
        )
    if typ == STATEFUL_SET and _postgres(step):
        return (
            "Postgres StatefulSet",
            "the database pods are deleted and recreated: the database is down meanwhile, "
            "and any data not on a separate volume is lost"
            if replace
            else "the database stops; its data is lost unless its volume is kept",
        )
    if typ == POSTGRES_TYPE:
        return ("Postgres database (component)", "the database and everything in it go away")
    if typ == REDIS_TYPE:
        return ("Redis (component)", "Redis goes away with the queued runs and data it holds")
    if typ in (DEPLOYMENT, STATEFUL_SET) and _redis(step):
        return (
            "Redis workload",
            "Redis restarts empty: queued runs and everything it holds in memory are lost"
            if replace
            else "Redis is deleted with the queued runs and data it holds",
        )
    if typ == RANDOM_PASSWORD and _postgres(step):
        return (
            "Postgres password (RandomPassword)",
            "a new password is generated while the existing database keeps the old one: "
            "the servers lose access to the data"
            if replace
            else "deleting the password locks the data: nothing else knows it",
        )
    if typ == SECRET and _in(step, POSTGRES_TYPE):
        return (
            "Postgres password Secret",
            "the database's password Secret is recreated: the servers cannot log in "
            "meanwhile, and the password is lost if it changes"
            if replace
            else "the database's password Secret is deleted: the password is lost",
        )
    return None


def data_risks(steps: list[Step]) -> list[Risk]:
    """Every step that replaces or deletes data, and every deployment leaving the stack."""
    risks: list[Risk] = []
    parents = {str(s.old_state.get("parent") or s.new_state.get("parent")) for s in steps}
    causes = replaced_with(steps)
    for step in steps:
        if step.op not in _DESTRUCTIVE:
            continue
        found = _classify(step)
        if step.type in (POSTGRES_TYPE, REDIS_TYPE) and step.urn not in parents:
            found = None  # external mode (a DSN or URL): nothing of the data is in the stack
        if found:
            notes = []
            if step.urn in causes:
                notes.append(
                    "replaced along with "
                    + ", ".join(f"`{n}`" for n in causes[step.urn])
                    + ", which it depends on"
                )
            if step.protected:
                notes.append(
                    "protected: the engine refuses to delete it, so this preview fails (and "
                    "`pulumi up` would) until `pulumi state unprotect` lifts the protection"
                )
            if step.retained and step.op == "delete":
                notes.append("retainOnDelete")
            risks.append(
                Risk(
                    step.op,
                    step.name,
                    step.type,
                    found[0],
                    found[1],
                    reasons=[] if step.urn in causes else step.reasons(),
                    notes=notes,
                )
            )
        elif (
            step.type == DYNAMIC_TYPE
            and step.op == "delete"
            and step.name.startswith(REVISION_SYNC_PREFIX)
        ):
            deployment = str(step.old.get(P.DEPLOYMENT_NAME) or deployment_of_sync(step.name))
            risks.append(
                Risk(
                    step.op,
                    step.name,
                    step.type,
                    f"LangGraph deployment `{deployment}` leaves this data plane",
                    _leaving(deployment, steps, parents),
                    severity="review",
                )
            )
    return risks


def _leaving(deployment: str, steps: list[Step], parents: set[str]) -> str:
    """What goes with a deployment that leaves: its servers, and its stores as this preview
    deletes them (in-cluster ones with their data, external ones untouched)."""
    parts = ["its servers are deleted"]
    for component, store in ((POSTGRES_TYPE, "Postgres"), (REDIS_TYPE, "Redis")):
        gone = [
            s
            for s in steps
            if s.type == component
            and s.op == "delete"
            and s.name.endswith(f"-{deployment}-{store.lower()}")
        ]
        if not gone:
            continue
        if any(s.urn in parents for s in gone):
            parts.append(f"its in-cluster {store} too (see the data-loss risks)")
        else:
            parts.append(f"its {store} is external: only the stack's reference to it goes")
    return "; ".join(parts)
