"""The data plane on a real node (issue 21), deployed once: pods that run, stores with what
the servers need, servers that answer. The three tests only read the one deployment
(`deployed_stack`), so it is made once for them.

How they run: conftest.py.
"""

from __future__ import annotations

import ipaddress
import json

import pytest
from kubernetes.client.exceptions import ApiException

from devtools.realnode.layout import NODE_NAME, SERVICE_CIDR
from tests.cluster.live import SERVERS, LiveStack
from tests.cluster.realnode.node_live import (
    clients_of,
    in_client,
    psql,
    ready,
    request,
    run_example_graph,
    server_pods,
    url,
)

pytestmark = [pytest.mark.integration, pytest.mark.cluster]

EXTENSIONS = {"btree_gin", "btree_gist", "pgcrypto", "citext", "ltree", "pg_trgm", "vector"}
"""Every extension the servers need, pgvector's among them."""
SERVER_TABLES = ("assistants", "threads", "runs", "checkpoints")
"""Tables the Agent Server's runtime makes in its Postgres when it starts."""


# --- 1. deploy ---------------------------------------------------------------------------


def test_deploy(stack: LiveStack, images: dict[str, str]) -> None:
    pods = [
        p
        for p in stack.core.list_namespaced_pod(stack.namespace).items
        if p.metadata.name != "client"
    ]
    # API and queue pods of two servers, and each server's Postgres and Redis.
    assert len(pods) == 8, [p.metadata.name for p in pods]
    for pod in pods:
        # Ready by its own readiness probe, in containers containerd runs on the real node.
        assert ready(pod), (pod.metadata.name, pod.status.conditions)
        assert pod.spec.node_name == NODE_NAME
        for container, status in zip(
            pod.spec.containers, pod.status.container_statuses, strict=True
        ):
            assert container.readiness_probe is not None, container.name
            assert status.ready and status.state.running is not None, status
            assert status.container_id.startswith("containerd://"), status
            assert container.image.startswith("langgraph.local/"), container.image
            assert status.image_id, status
    # Admitted under `restricted`, which the namespace enforces: a privileged pod is refused.
    namespace = stack.core.read_namespace(stack.namespace)
    assert namespace.metadata.labels["pod-security.kubernetes.io/enforce"] == "restricted"
    with pytest.raises(ApiException) as refused:
        stack.core.create_namespaced_pod(
            stack.namespace,
            {
                "metadata": {"name": "privileged"},
                "spec": {
                    "containers": [
                        {
                            "name": "c",
                            "image": images["redis"],
                            "securityContext": {"privileged": True},
                        }
                    ]
                },
            },
        )
    assert refused.value.status == 403 and "PodSecurity" in str(refused.value.body)


# --- 2. Postgres -------------------------------------------------------------------------


def test_postgres_has_what_the_servers_need(stack: LiveStack) -> None:
    for server in SERVERS:
        ns = stack.namespace
        installed = set(psql(stack.api, ns, server, "SELECT extname FROM pg_extension").split())
        assert installed >= EXTENSIONS, (server, installed)
        version = psql(stack.api, ns, server, "SHOW server_version_num")
        assert int(version) >= 170000, version
        # The servers ran their migrations in their own database with the URI they were given.
        for table in SERVER_TABLES:
            assert psql(stack.api, ns, server, f"SELECT to_regclass('{table}') IS NOT NULL") == "t"
        # Each server pod holds connections to its own Postgres and Redis, not the other's.
        connected = clients_of(stack, server)
        for pod in server_pods(stack, server):
            assert pod.status.pod_ip in connected["postgres"], (pod.metadata.name, connected)
            assert pod.status.pod_ip in connected["redis"], (pod.metadata.name, connected)
        other = next(s for s in SERVERS if s != server)
        for pod in server_pods(stack, other):
            assert pod.status.pod_ip not in connected["postgres"] | connected["redis"]


# --- 3. servers answer -------------------------------------------------------------------


def test_servers_answer_and_store_runs(stack: LiveStack) -> None:
    for server in SERVERS:
        status, body = request(stack.api, stack.namespace, "GET", url(stack, server, "/ok"))
        assert (status, body) == (200, {"ok": True}), (server, status, body)
        thread, state = run_example_graph(stack, server, f"hello {server}")
        assert state["messages"][-1]["content"] == f"message 1: hello {server}", state
        # The run is stored where the runtime stores it: the deployment's own Postgres.
        stored = psql(
            stack.api,
            stack.namespace,
            server,
            f"SELECT r.status FROM runs r WHERE r.thread_id = '{thread}'",
        )
        assert stored == "success", stored
        messages = psql(
            stack.api,
            stack.namespace,
            server,
            "SELECT jsonb_array_length(values->'messages') FROM threads "
            f"WHERE thread_id = '{thread}'",
        )
        assert messages == "2", messages


# --- the network stays on the machine ------------------------------------------------------

REACH = """
import json, socket, sys
found = {}
for name in sys.argv[1:3]:
    try:
        found[name] = socket.gethostbyname(name)
    except OSError as exc:
        found[name] = f"refused: {exc}"
try:
    socket.create_connection((sys.argv[3], 80), timeout=3).close()
    found["off-machine"] = "connected"
except OSError as exc:
    found["off-machine"] = f"{type(exc).__name__}: {exc}"
print(json.dumps(found))
"""


def test_traffic_stays_on_the_machine(stack: LiveStack) -> None:
    service = f"agent-alpha.{stack.namespace}.svc.cluster.local"
    # An address off this machine (documentation range; this machine's own gateway is
    # in it too): a pod has no route there.
    answer = json.loads(
        in_client(stack.api, stack.namespace, REACH, service, "example.com", "192.0.2.1")
        .strip()
        .splitlines()[-1]
    )
    # DNS answers the cluster's names, and only those.
    assert ipaddress.ip_address(answer[service]) in ipaddress.ip_network(SERVICE_CIDR), answer
    assert answer["example.com"].startswith("refused"), answer
    assert "unreachable" in answer["off-machine"].lower(), answer
