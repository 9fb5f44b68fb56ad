"""One real node for the whole session (scripts/cluster.sh --real-node), shared by the tests.

Each data-plane test runs the dev stack through the real CLI and the language host, with a
local control plane of its own, on the session's real node (scripts/cluster.sh --real-node:
containerd, the kubelet, kube-proxy and CoreDNS on this machine), in a namespace of its own.
Postgres, Redis and LangChain's Agent Server run from the images built here, selected by the
stack's own image settings and by a revision shipped to the control plane. What runs is
checked with the Kubernetes client, with commands in the pods and with HTTP requests sent
from a pod inside the cluster, never with the stack's outputs.

The session clears what a crashed node left behind, takes a snapshot of the host, then
starts the cluster with its real node (or uses one already running); a node this session
started is stopped at the end. The last test (test_zz_node_lifecycle.py) checks that the stop
left the host as the snapshot found it. A node that cannot start fails every test that needs
it, with the reason: these tests are never skipped.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client, config

from components.controlplane import ControlPlaneClient
from devtools.engine import REPO
from devtools.leftovers import without_marker
from devtools.local_cluster import prepare
from devtools.realnode.deploy import node_images, revision_patch, stack_config
from devtools.realnode.host import HostSnapshot
from devtools.realnode.layout import NodePaths
from local_controlplane.seed import ALPHA_ID, BETA_ID, DEFAULT_API_KEY
from local_controlplane.testing import run_server
from tests.cluster.live import SERVERS, LiveStack, namespace_removed_after
from tests.cluster.realnode.node_live import deploy

CLUSTER_SH = REPO / "scripts" / "cluster.sh"
VOLUMES_PER_TEST = 4
"""Free volumes each test starts with: two databases, and room for a re-created claim."""
CLUSTER_STATE = REPO / ".work" / "cluster-real"
"""The real cluster's control plane state (scripts/cluster.sh --real-node)."""


def host_now() -> HostSnapshot:
    """What the host holds that the real cluster could leave behind."""
    return HostSnapshot.take(NodePaths.default(), CLUSTER_STATE)


def real_cluster(command: str, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(CLUSTER_SH), "--real-node", command],
        cwd=REPO,
        # The node outlives a test on purpose: not among what the session must reap.
        env=without_marker(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@dataclass
class NodeSession:
    """The session's real cluster: its kubeconfig, and the host as it was before."""

    kubeconfig: Path
    before: HostSnapshot | None
    """The host before this session started a node; None when one was running already."""

    def start(self) -> Path:
        started = real_cluster("start", 3600)
        if started.returncode != 0 or not started.stdout.strip():
            pytest.fail(
                "the real node did not start (scripts/cluster.sh --real-node start):\n"
                + (started.stderr[-6000:] or started.stdout[-4000:])
            )
        path = Path(started.stdout.strip().splitlines()[-1])
        assert path.is_file(), f"scripts/cluster.sh --real-node start printed {path}"
        self.kubeconfig = path
        return path

    def stop(self) -> str:
        stopped = real_cluster("stop", 300)
        assert stopped.returncode == 0, stopped.stderr[-4000:]
        return stopped.stderr


@pytest.fixture(scope="session")
def node_session() -> Iterator[NodeSession]:
    if os.geteuid() != 0:
        pytest.fail("the real node needs root (containerd, the kubelet, the bridge)")
    was_running = real_cluster("status", 60).returncode == 0
    if not was_running:
        # A node that crashed (or a machine that restarted under one) leaves its bridge,
        # rules and root behind; start would clear them, so the snapshot must not hold them.
        cleared = real_cluster("stop", 300)
        assert cleared.returncode == 0, cleared.stderr[-4000:]
    session = NodeSession(Path(), None if was_running else host_now())
    session.start()
    yield session
    if not was_running:
        session.stop()


@pytest.fixture(scope="session")
def real_kube(node_session: NodeSession) -> Iterator[client.ApiClient]:
    with config.new_client_from_config(config_file=str(node_session.kubeconfig)) as api:
        yield api


@pytest.fixture(scope="session")
def images(node_session: NodeSession) -> dict[str, str]:
    """The images the running node has (pause, postgres, redis, agent-server)."""
    return node_images()


@contextlib.contextmanager
def stack_on_node(
    root: Path,
    controlplane: str,
    session: NodeSession,
    api: client.ApiClient,
    images: dict[str, str],
    role: str,
    extra: dict[str, Any],
) -> Iterator[LiveStack]:
    """The dev stack on the real node, in a namespace of its own, with the node's images and
    sizes (the stack's own settings), and a control plane of its own whose deployments got a
    revision with the node's Agent Server image. The database is guarded (the production
    default) unless `extra` says otherwise. The namespace and its pods are gone afterwards."""
    busy = sorted(
        {p.metadata.namespace for p in client.CoreV1Api(api).list_pod_for_all_namespaces().items}
    )
    if busy:
        # Two cores hold one data plane at a time: the test's pods would stay Pending.
        pytest.fail(
            f"the real node already runs pods (namespaces {', '.join(busy)}): delete them, or "
            "start a fresh node (scripts/cluster.sh --real-node stop, then start)"
        )
    # A deleted claim's volume is never reused (Retain): the pool gets new ones.
    prepare(session.kubeconfig, VOLUMES_PER_TEST, NodePaths.default().volumes, writable=True)
    settings = stack_config(images, list(SERVERS))
    settings["dataplane:postgres"] = {**settings["dataplane:postgres"], "deletionProtection": True}
    stack = LiveStack.create(
        root, controlplane, session.kubeconfig, api, role, config={**settings, **extra}
    )
    with ControlPlaneClient(DEFAULT_API_KEY, base_url=controlplane) as cp:
        for deployment in (ALPHA_ID, BETA_ID):
            cp.patch_deployment(deployment, revision_patch(images))
    with namespace_removed_after(api, stack.namespace):
        yield stack
    wait_namespace_gone(api, stack.namespace)


@pytest.fixture
def node_stack(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    controlplane: str,
    node_session: NodeSession,
    real_kube: client.ApiClient,
    images: dict[str, str],
) -> Iterator[LiveStack]:
    """The dev stack on the real node for one test (see `stack_on_node`), with the extra
    config of its `live_config(...)` mark."""
    marker = request.node.get_closest_marker("live_config")
    role = request.node.name.removeprefix("test_").replace("_", "-")[:20].rstrip("-")
    with stack_on_node(
        tmp_path / "project",
        controlplane,
        node_session,
        real_kube,
        images,
        role,
        marker.kwargs if marker else {},
    ) as stack:
        yield stack


@pytest.fixture(scope="module")
def stack(
    tmp_path_factory: pytest.TempPathFactory,
    node_session: NodeSession,
    real_kube: client.ApiClient,
    images: dict[str, str],
) -> Iterator[LiveStack]:
    """One dev stack deployed on the real node, with the client pod, shared by a module's
    tests that only read it (see `stack_on_node`)."""
    root = tmp_path_factory.mktemp("deployed")
    with (
        run_server(root / "controlplane.json") as controlplane,
        stack_on_node(
            root / "project", controlplane, node_session, real_kube, images, "deployed", {}
        ) as stack,
    ):
        deploy(stack, images)
        yield stack


def wait_namespace_gone(api: client.ApiClient, namespace: str, timeout: float = 180.0) -> None:
    """Until the namespace and its pods are gone: the node's two cores hold one test's pods
    at a time (pods being deleted still count against them)."""
    core = client.CoreV1Api(api)
    for pod in core.list_namespaced_pod(namespace).items:
        with contextlib.suppress(client.exceptions.ApiException):
            core.delete_namespaced_pod(pod.metadata.name, namespace, grace_period_seconds=0)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            core.read_namespace(namespace)
        except client.exceptions.ApiException as exc:
            if exc.status == 404:
                return
            raise
        time.sleep(1)
    raise AssertionError(f"namespace {namespace} was not gone after {timeout:.0f} s")
