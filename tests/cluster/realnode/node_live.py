"""Helpers of the real-node tests: commands in pods, a client pod inside the cluster, SQL in a
deployment's own Postgres, and the containers' processes on the host.

Everything is asked of the cluster (the Kubernetes API, the kubelet's exec stream) or of the
node (containerd), never of the stack's outputs.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from kubernetes import client
from kubernetes.stream import stream

from devtools.realnode.layout import NodePaths
from tests.cluster.live import LiveStack, rolled_out

CLIENT_POD = "client"
LOAD_STOP_FILE = "/tmp/stop-load"


def workloads(stack: LiveStack) -> list[Any]:
    return [
        *stack.apps.list_namespaced_deployment(stack.namespace).items,
        *stack.apps.list_namespaced_stateful_set(stack.namespace).items,
    ]


def all_ready(stack: LiveStack) -> bool:
    """The dev stack's 8 workloads (two servers' API and queue, Postgres, Redis) rolled out."""
    found = workloads(stack)
    return len(found) == 8 and all(rolled_out(w) for w in found)


def deploy(stack: LiveStack, images: dict[str, str]) -> None:
    """`up`, every workload rolled out with its pods Ready, and the client pod running."""
    stack.up()
    stack.wait_for("every workload rolled out and Ready", lambda: all_ready(stack), 300)
    start_client_pod(stack.api, stack.namespace, images["agent-server"])


def exec_in(
    api: client.ApiClient,
    namespace: str,
    pod: str,
    argv: list[str],
    *,
    container: str | None = None,
    timeout: float = 120.0,
) -> tuple[int, str]:
    """Run `argv` in a pod's container through the API server and the kubelet; its exit
    status and its output (stdout, then stderr)."""
    core = client.CoreV1Api(api)
    kwargs: dict[str, Any] = {"container": container} if container else {}
    resp = stream(
        core.connect_get_namespaced_pod_exec,
        pod,
        namespace,
        command=argv,
        stderr=True,
        stdin=False,
        stdout=True,
        tty=False,
        _preload_content=False,
        **kwargs,
    )
    out: list[str] = []
    err: list[str] = []
    deadline = time.monotonic() + timeout
    while resp.is_open():
        resp.update(timeout=1)
        if resp.peek_stdout():
            out.append(resp.read_stdout())
        if resp.peek_stderr():
            err.append(resp.read_stderr())
        if time.monotonic() > deadline:
            resp.close()
            raise AssertionError(f"{argv} in {namespace}/{pod} ran over {timeout:.0f} s")
    resp.close()
    code = resp.returncode
    return (code if code is not None else -1), "".join(out) + "".join(err)


def pod_of(api: client.ApiClient, namespace: str, selector: str) -> client.V1Pod:
    """The one Running pod matching `selector` (a label selector)."""
    pods = [
        p
        for p in client.CoreV1Api(api).list_namespaced_pod(namespace, label_selector=selector).items
        if p.status.phase == "Running" and p.metadata.deletion_timestamp is None
    ]
    assert len(pods) == 1, [p.metadata.name for p in pods]
    return pods[0]


def psql(api: client.ApiClient, namespace: str, deployment: str, sql: str) -> str:
    """`sql` run by psql in the deployment's own Postgres container (unaligned, tuples
    only); its output. A failed statement fails the test."""
    code, out = exec_in(
        api,
        namespace,
        f"{deployment}-postgres-0",  # the StatefulSet's only replica
        ["psql", "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-Atc", sql],
    )
    assert code == 0, out
    return out.strip()


def start_client_pod(api: client.ApiClient, namespace: str, image: str) -> None:
    """A pod in the namespace that runs nothing but lets the tests send requests from inside
    the cluster (the Agent Server image: Python and httpx), admitted as `restricted`."""
    core = client.CoreV1Api(api)
    core.create_namespaced_pod(
        namespace,
        {
            "metadata": {"name": CLIENT_POD, "labels": {"app": "test-client"}},
            "spec": {
                "securityContext": {
                    "runAsNonRoot": True,
                    "runAsUser": 1000,
                    "seccompProfile": {"type": "RuntimeDefault"},
                },
                "terminationGracePeriodSeconds": 0,
                "containers": [
                    {
                        "name": "client",
                        "image": image,
                        "command": ["sleep", "infinity"],
                        "resources": {"requests": {"cpu": "10m", "memory": "64Mi"}},
                        "securityContext": {
                            "allowPrivilegeEscalation": False,
                            "capabilities": {"drop": ["ALL"]},
                        },
                    }
                ],
            },
        },
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        pod = core.read_namespaced_pod(CLIENT_POD, namespace)
        if pod.status.phase == "Running":
            return
        time.sleep(0.5)
    raise AssertionError(f"the client pod did not run: {pod.status}")


def in_client(
    api: client.ApiClient, namespace: str, code: str, *args: str, timeout: float = 120.0
) -> str:
    """Python `code` run in the client pod (with `args` as sys.argv[1:]); its output. A
    non-zero exit fails the test."""
    rc, out = exec_in(
        api,
        namespace,
        CLIENT_POD,
        ["/opt/venv/bin/python", "-c", code, *args],
        timeout=timeout,
    )
    assert rc == 0, out
    return out


REQUEST = """
import json, sys, httpx
method, url = sys.argv[1], sys.argv[2]
body = json.loads(sys.argv[3]) if len(sys.argv) > 3 else None
r = httpx.request(method, url, json=body, timeout=60)
print(json.dumps({"status": r.status_code, "body": r.json() if r.content else None}))
"""


def request(
    api: client.ApiClient, namespace: str, method: str, url: str, body: Any = None
) -> tuple[int, Any]:
    """One HTTP request sent from the client pod; its status and JSON body."""
    args = [method, url] + ([json.dumps(body)] if body is not None else [])
    answer = json.loads(in_client(api, namespace, REQUEST, *args).strip().splitlines()[-1])
    return answer["status"], answer["body"]


LOAD = """
import json, os, sys, time, httpx
url, limit, stop = sys.argv[1], float(sys.argv[2]), sys.argv[3]
requests = failed = 0
errors = []
start = time.monotonic()
while time.monotonic() - start < limit and not os.path.exists(stop):
    requests += 1
    try:
        # A new connection each time: every request is routed afresh by the Service.
        r = httpx.get(url, timeout=5, headers={"Connection": "close"})
        if r.status_code != 200:
            failed += 1
            errors.append(f"{time.monotonic() - start:.2f} s: HTTP {r.status_code}")
    except httpx.HTTPError as exc:
        failed += 1
        errors.append(f"{time.monotonic() - start:.2f} s: {type(exc).__name__}: {exc}")
    time.sleep(0.05)
print(json.dumps({"requests": requests, "failed": failed, "errors": errors[:20],
                  "seconds": round(time.monotonic() - start, 1)}))
"""


@dataclass
class Load:
    """Requests sent through a Service from the client pod, one after another, until
    stopped: how many, and which failed."""

    api: client.ApiClient
    namespace: str
    url: str
    limit: float = 600.0
    result: dict[str, Any] = field(default_factory=dict)
    _thread: threading.Thread | None = None

    def __enter__(self) -> Load:
        def run() -> None:
            out = in_client(
                self.api,
                self.namespace,
                LOAD,
                self.url,
                str(self.limit),
                LOAD_STOP_FILE,
                timeout=self.limit + 60,
            )
            self.result.update(json.loads(out.strip().splitlines()[-1]))

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        exec_in(self.api, self.namespace, CLIENT_POD, ["touch", LOAD_STOP_FILE])
        assert self._thread is not None
        self._thread.join(timeout=120)


def container_pid(pod: client.V1Pod, container: str) -> int:
    """The host pid of a container's main process, as containerd reports it."""
    status = next(c for c in pod.status.container_statuses if c.name == container)
    container_id = status.container_id.removeprefix("containerd://")
    listed = subprocess.run(
        [
            "ctr",
            "--address",
            str(NodePaths.default().containerd_socket),
            "--namespace",
            "k8s.io",
            "tasks",
            "ls",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for line in listed.splitlines()[1:]:
        task, pid, *_ = line.split()
        if task == container_id:
            return int(pid)
    raise AssertionError(f"containerd runs no task {container_id}:\n{listed}")


PORT = 8000


def url(stack: LiveStack, server: str, path: str) -> str:
    """A server's address through its Service's DNS name, as other pods reach it."""
    return f"http://{server}.{stack.namespace}.svc.cluster.local:{PORT}{path}"


def ready(pod: client.V1Pod) -> bool:
    return any(c.type == "Ready" and c.status == "True" for c in pod.status.conditions or [])


def run_example_graph(stack: LiveStack, server: str, text: str) -> tuple[str, dict[str, Any]]:
    """A thread, and one run of the example graph on it, waited for: (thread id, the run's
    final state)."""
    status, thread = request(stack.api, stack.namespace, "POST", url(stack, server, "/threads"), {})
    assert status == 200, thread
    status, state = request(
        stack.api,
        stack.namespace,
        "POST",
        url(stack, server, f"/threads/{thread['thread_id']}/runs/wait"),
        {"assistant_id": "agent", "input": {"messages": [{"role": "user", "content": text}]}},
    )
    # A run that fails still answers 200, with the error instead of the graph's state.
    assert status == 200 and "messages" in state, state
    return thread["thread_id"], state


def clients_of(stack: LiveStack, server: str) -> dict[str, set[str]]:
    """The addresses connected to a deployment's Postgres and Redis, as each store sees them."""
    pg = psql(
        stack.api,
        stack.namespace,
        server,
        "SELECT DISTINCT host(client_addr) FROM pg_stat_activity WHERE client_addr IS NOT NULL",
    )
    redis = pod_of(
        stack.api,
        stack.namespace,
        f"app.kubernetes.io/instance={server},app.kubernetes.io/component=redis",
    )
    code, listed = exec_in(
        stack.api,
        stack.namespace,
        redis.metadata.name,
        ["sh", "-c", 'redis-cli --no-auth-warning -a "$REDIS_PASSWORD" client list'],
    )
    assert code == 0, listed
    addrs = {
        part.split("=", 1)[1].rsplit(":", 1)[0]
        for line in listed.splitlines()
        for part in line.split()
        if part.startswith("addr=")
    }
    return {"postgres": set(pg.split()), "redis": addrs}


def server_pods(stack: LiveStack, server: str) -> list[client.V1Pod]:
    return [
        p
        for role in ("api", "queue")
        for p in stack.pods_of(stack.deployment(f"{server}-{role}"))
        if p.metadata.deletion_timestamp is None
    ]
