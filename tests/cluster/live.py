"""The dev stack against the live local cluster: one namespace and one control plane per test.

`LiveStack` is a private copy of the project (tests/integration/dataplane_project.py) whose
stack applies to the local cluster (scripts/cluster.sh) in a namespace of its own, with the
seeded deployments of its own local control plane moved into that namespace. Objects are
read back with the Kubernetes Python client, never from the stack's outputs.
"""

from __future__ import annotations

import contextlib
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kubernetes import client, watch
from pulumi import automation as auto

from components.core.names import LABEL_PART_OF, PART_OF
from local_controlplane.seed import ALPHA_ID, BETA_ID, DEV_LISTENER_ID
from local_controlplane.testing import AdminClient
from tests.integration.dataplane_project import DataplaneProject

SELECTOR = f"{LABEL_PART_OF}={PART_OF}"
SERVERS = ("agent-alpha", "agent-beta")


def unique_namespace(role: str) -> str:
    """A namespace of its own for one test: a rerun on a running cluster never collides."""
    return f"t-{role}-{secrets.token_hex(3)}"


def changes(summary: dict[str, int] | None) -> dict[str, int]:
    return {op: n for op, n in (summary or {}).items() if op != "same" and n}


@dataclass
class LiveStack:
    """The dev stack of one test, applied to the live cluster in `namespace`."""

    project: DataplaneProject
    namespace: str
    kubeconfig: Path
    api: client.ApiClient
    log: list[str] = field(default_factory=list)

    @classmethod
    def create(
        cls,
        root: Path,
        controlplane: str,
        kubeconfig: Path,
        api: client.ApiClient,
        role: str,
        *,
        config: dict[str, Any] | None = None,
    ) -> LiveStack:
        namespace = unique_namespace(role)
        with AdminClient(controlplane) as admin:
            admin.patch_raw_listener(
                DEV_LISTENER_ID, compute_config={"k8s_namespaces": [namespace]}
            )
            for deployment in (ALPHA_ID, BETA_ID):
                # A deployment's namespace is its source_config.listener_config.
                source = admin.patch_raw_deployment(deployment)["source_config"]
                source["listener_config"] = {"k8s_namespace": namespace}
                admin.patch_raw_deployment(deployment, source_config=source)
        project = DataplaneProject.create(
            root,
            controlplane,
            config={
                "dataplane:kubeconfig": str(kubeconfig),
                "dataplane:namespaces": {"names": [namespace]},
                **(config or {}),
            },
        )
        return cls(project, namespace, kubeconfig, api)

    def stack(self) -> auto.Stack:
        """The stack, run by the language host (the project's own program)."""
        return self.project.stack()

    def record(self, line: str) -> None:
        self.log.append(line)

    def output(self) -> str:
        return "\n".join(self.log)

    def up(self, **kwargs: Any) -> auto.UpResult:
        result = self.stack().up(on_output=self.record, color="never", **kwargs)
        assert result.summary.result == "succeeded", self.output()[-3000:]
        return result

    def state(self) -> dict[str, Any]:
        return self.stack().export_stack().deployment

    def resources(self, type_: str | None = None) -> list[dict[str, Any]]:
        found = self.state().get("resources", [])
        return [r for r in found if type_ is None or r["type"] == type_]

    # --- the cluster, read with the Kubernetes client ---------------------------------

    @property
    def core(self) -> client.CoreV1Api:
        return client.CoreV1Api(self.api)

    @property
    def apps(self) -> client.AppsV1Api:
        return client.AppsV1Api(self.api)

    def deployment(self, name: str) -> client.V1Deployment:
        return self.apps.read_namespaced_deployment(name, self.namespace)

    def pods_of(self, workload: Any) -> list[client.V1Pod]:
        labels = workload.spec.selector.match_labels
        match = ",".join(f"{k}={v}" for k, v in labels.items())
        return self.core.list_namespaced_pod(self.namespace, label_selector=match).items

    def wait_for(self, what: str, check: Callable[[], bool], timeout: float = 120.0) -> None:
        """Poll `check` until it holds; fail naming `what`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check():
                return
            time.sleep(0.5)
        raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def rolled_out(d: client.V1Deployment | client.V1StatefulSet) -> bool:
    """The controller saw the latest spec and every replica is updated, ready and available."""
    s = d.status
    want = d.spec.replicas or 0
    return (
        (s.observed_generation or 0) >= d.metadata.generation
        and (s.updated_replicas or 0) == want
        and (s.ready_replicas or 0) == want
        and (s.replicas or 0) == want
        and want > 0
    )


@dataclass
class Sample:
    """One watch event of a Deployment's status."""

    name: str
    generation: int
    observed: int
    replicas: int
    ready: int
    available: int
    updated: int


class DeploymentWatch:
    """Records every status a namespace's Deployments go through, from a watch stream."""

    def __init__(self, api: client.ApiClient, namespace: str) -> None:
        self.apps = client.AppsV1Api(api)
        self.namespace = namespace
        self.samples: list[Sample] = []
        self._watch = watch.Watch()
        listed = self.apps.list_namespaced_deployment(namespace)
        self._version = listed.metadata.resource_version
        for d in listed.items:
            self._record(d)
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _record(self, d: client.V1Deployment) -> None:
        s = d.status
        self.samples.append(
            Sample(
                d.metadata.name,
                d.metadata.generation or 0,
                s.observed_generation or 0,
                s.replicas or 0,
                s.ready_replicas or 0,
                s.available_replicas or 0,
                s.updated_replicas or 0,
            )
        )

    def _run(self) -> None:
        with contextlib.suppress(Exception):
            for event in self._watch.stream(
                self.apps.list_namespaced_deployment,
                self.namespace,
                resource_version=self._version,
                timeout_seconds=600,
            ):
                self._record(event["object"])

    def __enter__(self) -> DeploymentWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        time.sleep(1.0)  # the last status updates of the rollout
        self._watch.stop()
        self._thread.join(timeout=10)

    def of(self, name: str) -> list[Sample]:
        return [s for s in self.samples if s.name == name]


@contextlib.contextmanager
def namespace_removed_after(api: client.ApiClient, namespace: str) -> Iterator[None]:
    """Delete the test's namespace afterwards (in the background): a developer's long-lived
    cluster does not fill up with test data. CI stops the whole cluster anyway."""
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            client.CoreV1Api(api).delete_namespace(namespace)
