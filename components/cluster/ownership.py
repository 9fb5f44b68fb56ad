"""This stack's Kubernetes objects, and same-named objects that are not its own.

On a cluster the Kubernetes provider runs with `upsert_existing_objects`, so that an `up`
that was killed converges: it adopts what the killed run created. The same setting would
also adopt, and overwrite, an object of the same name that someone made by hand, or that
another stack owns, in a shared namespace. So every object the stack declares carries its
owner (`langgraph.ai/owner: <project>/<stack>`), and before anything is sent to the cluster
(`OwnershipGuard`: the provider and the control-plane resources wait on its gate) each
object that already exists is read: one that another stack owns, or that carries none of
this data plane's marks, stops the run with the object, its seeming owner and the fix.

Objects made before the owner annotation existed carry this data plane's `part-of` label and
no owner: they are taken as this stack's (an upgrade), which another stack's objects of that
age would pass too.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import pulumi

from ..config import ConfigError
from ..core.kube import HELM_TYPES
from ..core.names import ANNOTATION_OWNER, LABEL_PART_OF, PART_OF
from .cluster_check import connected

CLUSTER_SCOPED = frozenset({"Namespace", "ClusterRole", "ClusterRoleBinding", "StorageClass"})
_METADATA_ONLY = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"


def stack_owner() -> str:
    """The owner annotation's value for the running stack."""
    return f"{pulumi.get_project()}/{pulumi.get_stack()}"


def plural(kind: str) -> str:
    """The resource name of a kind in API paths (`Ingress` -> `ingresses`)."""
    lower = kind.lower()
    if lower.endswith("y") and lower[-2:-1] not in "aeiou":
        return lower[:-1] + "ies"
    return lower + ("es" if lower.endswith(("s", "x", "ch", "sh")) else "s")


@dataclass(frozen=True)
class ObjectRef:
    """One Kubernetes object, by API version, kind, namespace and name."""

    api_version: str
    kind: str
    namespace: str | None
    name: str

    @classmethod
    def of(cls, type_: str, props: Mapping[str, Any]) -> ObjectRef | None:
        """The object a `kubernetes:<group/version>:<Kind>` resource declares; None when its
        name is not known yet (an Output)."""
        parts = type_.split(":")
        meta = props.get("metadata")
        if len(parts) != 3 or not isinstance(meta, dict):
            return None
        name, namespace = meta.get("name"), meta.get("namespace")
        if not isinstance(name, str) or not isinstance(namespace, str | None):
            return None
        api_version, kind = parts[1].removeprefix("core/"), parts[2]
        return cls(api_version, kind, None if kind in CLUSTER_SCOPED else namespace, name)

    def list_path(self) -> str:
        """The API path that lists this object's kind where it lives."""
        root = "/api/v1" if self.api_version == "v1" else f"/apis/{self.api_version}"
        where = f"/namespaces/{self.namespace}" if self.namespace else ""
        return f"{root}{where}/{plural(self.kind)}"

    def kubectl(self) -> str:
        where = f"-n {self.namespace} " if self.namespace else ""
        return f"kubectl {where}"

    def __str__(self) -> str:
        where = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind} {where}{self.name}"


@dataclass(frozen=True)
class Foreign:
    """An object the stack would create that exists and is not this stack's."""

    ref: ObjectRef
    owner: str | None
    """The stack that owns it, by its annotation; None when nothing marks it as ours."""

    def problem(self, ours: str) -> str:
        ref, kind = self.ref, self.ref.kind.lower()
        who = (
            f"it belongs to stack {self.owner!r} ({ANNOTATION_OWNER})"
            if self.owner
            else "it was made by hand or by another tool (it carries no "
            f"{ANNOTATION_OWNER} annotation and no {LABEL_PART_OF}={PART_OF} label)"
        )
        return (
            f"{ref} already exists in the cluster and is not this stack's: {who}. An up would "
            "take it over and overwrite it, so nothing was changed. Fix: delete it "
            f"({ref.kubectl()}delete {kind} {ref.name}), or hand it to this stack on purpose "
            f"({ref.kubectl()}annotate {kind} {ref.name} {ANNOTATION_OWNER}={ours} "
            "--overwrite)."
        )


def foreign_objects(http: httpx.Client, refs: list[ObjectRef], owner: str) -> list[Foreign]:
    """The objects among `refs` that exist and are not `owner`'s: one metadata-only list
    request per kind and namespace. A kind the cluster does not serve has no objects."""
    by_path: dict[str, list[ObjectRef]] = defaultdict(list)
    for ref in refs:
        by_path[ref.list_path()].append(ref)
    found: list[Foreign] = []
    for path, wanted in by_path.items():
        response = http.get(path, headers={"Accept": _METADATA_ONLY})
        if response.status_code == 404:
            continue  # a kind (or namespace) that is not there yet
        if response.status_code in (401, 403):
            # The user may not list them: the cluster cannot tell, and the up will show.
            pulumi.log.warn(
                f"could not check who owns the objects at {path}: not allowed to list them"
            )
            continue
        response.raise_for_status()
        items = {
            (item.get("metadata") or {}).get("name"): item.get("metadata") or {}
            for item in response.json().get("items") or []
        }
        for ref in wanted:
            meta = items.get(ref.name)
            if meta is None:
                continue
            their = (meta.get("annotations") or {}).get(ANNOTATION_OWNER)
            legacy = (meta.get("labels") or {}).get(LABEL_PART_OF) == PART_OF
            if their != owner and not (their is None and legacy):
                found.append(Foreign(ref, their))
    return found


@dataclass
class OwnershipGuard:
    """Marks every Kubernetes object of the stack with its owner, records it, and holds back
    everything that changes the cluster or the control plane until `check` found no object
    of someone else's among them."""

    owner: str
    objects: list[ObjectRef] = field(default_factory=list)
    _gate: asyncio.Future[list[pulumi.Resource]] | None = None

    def transformation(
        self, args: pulumi.ResourceTransformationArgs
    ) -> pulumi.ResourceTransformationResult | None:
        # A chart's objects are its children on the cluster side, not declared here.
        if not args.type_.startswith("kubernetes:") or args.type_.startswith(HELM_TYPES):
            return None
        meta = args.props.get("metadata")
        if not isinstance(meta, dict):
            return None
        ref = ObjectRef.of(args.type_, args.props)
        if ref is not None and ref not in self.objects:
            self.objects.append(ref)
        own = meta.get("annotations")
        mark = {ANNOTATION_OWNER: self.owner}
        annotations = (
            {**(own or {}), **mark}
            if own is None or isinstance(own, dict)
            else pulumi.Output.from_input(own).apply(lambda o: {**(o or {}), **mark})
        )
        props = {**args.props, "metadata": {**meta, "annotations": annotations}}
        return pulumi.ResourceTransformationResult(props, args.opts)

    def wait(self) -> pulumi.ResourceOptions:
        """Options of what must wait for `check`: the cluster's provider, and the control
        plane's resources."""
        if self._gate is None:
            self._gate = asyncio.get_running_loop().create_future()
        return pulumi.ResourceOptions(depends_on=pulumi.Output.from_input(self._gate))

    def check(self, kubeconfig: str) -> None:
        """Let the declared resources go ahead, or fail them all with one clear error."""
        try:
            with connected(kubeconfig) as (http, _server):
                foreign = foreign_objects(http, self.objects, self.owner)
        except ConfigError as exc:
            self._release(pulumi.RunError(str(exc)))
            return
        except httpx.HTTPError as exc:
            self._release(
                pulumi.RunError(
                    f"could not read the cluster's objects to see whose they are ({exc}); "
                    "nothing was changed. Fix: check that the kubeconfig's user may list them."
                )
            )
            return
        if foreign:
            n = len(foreign)
            lines = "\n".join(f"  - {f.problem(self.owner)}" for f in foreign)
            self._release(
                pulumi.RunError(
                    f"{n} object{'s' if n != 1 else ''} of the stack already exist and are "
                    f"not its own:\n{lines}"
                )
            )
            return
        self._release(None)

    def _release(self, error: Exception | None) -> None:
        if self._gate is None or self._gate.done():
            return
        if error is None:
            self._gate.set_result([])
        else:
            self._gate.set_exception(error)
