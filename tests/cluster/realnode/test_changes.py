"""The data plane on a real node (issue 21), changed: a new revision rolled while requests
flow, the database through destroy and up, a crashed Postgres, wrong credentials. Each test
has a stack of its own (`node_stack`).

How they run: conftest.py.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import signal
import time
from typing import Any

import pytest
from kubernetes.client.exceptions import ApiException

from components.controlplane import ControlPlaneClient
from local_controlplane.seed import ALPHA_ID, DEFAULT_API_KEY
from tests.cluster.live import DeploymentWatch, LiveStack, rolled_out
from tests.cluster.realnode.node_live import (
    Load,
    all_ready,
    container_pid,
    deploy,
    psql,
    ready,
    run_example_graph,
    url,
)

pytestmark = [pytest.mark.integration, pytest.mark.cluster]


# --- 4. a new revision rolls without a failed request ------------------------------------


@pytest.mark.live_config(**{"dataplane:servers": {"minReplicas": 2}})
def test_new_revision_rolls_without_a_failed_request(
    node_stack: LiveStack, controlplane: str, images: dict[str, str], record_property: Any
) -> None:
    deploy(node_stack, images)
    # The HPA raises the Deployment to its floor of 2 on its own schedule (a sync every 15 s).
    node_stack.wait_for(
        "agent-alpha-api at 2 ready replicas",
        lambda: (
            (d := node_stack.deployment("agent-alpha-api")).spec.replicas == 2 and rolled_out(d)
        ),
        180,
    )
    before = node_stack.deployment("agent-alpha-api")
    with Load(node_stack.api, node_stack.namespace, url(node_stack, "agent-alpha", "/ok")) as load:
        time.sleep(5)  # requests flow before anything changes
        # A new revision: a rotated secret of the deployment (it reaches every server pod).
        with ControlPlaneClient(DEFAULT_API_KEY, base_url=controlplane) as cp:
            current = [
                {"name": s.name, "value": s.value}
                for s in cp.get_deployment(ALPHA_ID).secrets or []
            ]
            rotated = [
                {**s, "value": f"sk-local-rotated-{secrets.token_hex(8)}"}
                if s["name"] == "OPENAI_API_KEY"
                else s
                for s in current
            ]
            cp.patch_deployment(ALPHA_ID, {"secrets": rotated})
        started = time.monotonic()
        with DeploymentWatch(node_stack.api, node_stack.namespace) as watched:
            node_stack.up()
            node_stack.wait_for(
                "agent-alpha-api rolled out",
                lambda: (
                    rolled_out(node_stack.deployment("agent-alpha-api"))
                    and node_stack.deployment("agent-alpha-api").metadata.generation
                    > before.metadata.generation
                ),
                300,
            )
        rollout = time.monotonic() - started
        time.sleep(5)  # and keep flowing after it
    after = node_stack.deployment("agent-alpha-api")
    assert after.spec.template.metadata.annotations != before.spec.template.metadata.annotations
    samples = [
        s for s in watched.of("agent-alpha-api") if s.generation == after.metadata.generation
    ]
    assert min(s.available for s in samples) >= 2, samples
    result = load.result
    record_property("requests", result.get("requests"))
    record_property("rollout_seconds", round(rollout, 1))
    print(f"\nrollout of agent-alpha-api: {rollout:.1f} s; {result}")
    assert result["requests"] > 50, result
    assert result["failed"] == 0, result


# --- 5. data survives destroy and up ------------------------------------------------------


def test_data_survives_destroy_and_up(node_stack: LiveStack, images: dict[str, str]) -> None:
    deploy(node_stack, images)
    ns = node_stack.namespace
    canary = secrets.token_hex(8)
    psql(
        node_stack.api,
        ns,
        "agent-alpha",
        f"CREATE TABLE canary (v text); INSERT INTO canary VALUES ('{canary}')",
    )
    claim = node_stack.core.read_namespaced_persistent_volume_claim("agent-alpha-postgres-data", ns)

    down = node_stack.stack().destroy(
        exclude_protected=True, on_output=node_stack.record, color="never"
    )
    assert down.summary.result == "succeeded"
    node_stack.wait_for(
        "the Postgres pods to be gone",
        lambda: (
            not node_stack.core.list_namespaced_pod(
                ns, label_selector="app.kubernetes.io/component=postgres"
            ).items
        ),
        180,
    )
    deploy_again = node_stack.up()
    assert deploy_again.summary.result == "succeeded"
    node_stack.wait_for("every workload rolled out and Ready", lambda: all_ready(node_stack), 300)
    again = node_stack.core.read_namespaced_persistent_volume_claim("agent-alpha-postgres-data", ns)
    assert (
        again.metadata.uid == claim.metadata.uid
        and again.spec.volume_name == claim.spec.volume_name
    )
    assert psql(node_stack.api, ns, "agent-alpha", "SELECT v FROM canary") == canary


# --- 6. a crashed Postgres ----------------------------------------------------------------


def test_postgres_crash_recovers_without_an_up(
    node_stack: LiveStack, images: dict[str, str]
) -> None:
    deploy(node_stack, images)
    ns = node_stack.namespace
    thread, _ = run_example_graph(node_stack, "agent-alpha", "before the crash")
    pod = node_stack.core.read_namespaced_pod("agent-alpha-postgres-0", ns)
    restarts = pod.status.container_statuses[0].restart_count
    os.kill(container_pid(pod, pod.spec.containers[0].name), signal.SIGKILL)

    def restarted() -> bool:
        p = node_stack.core.read_namespaced_pod("agent-alpha-postgres-0", ns)
        return p.status.container_statuses[0].restart_count > restarts and ready(p)

    node_stack.wait_for("Kubernetes to restart Postgres", restarted, 180)
    assert (
        psql(
            node_stack.api,
            ns,
            "agent-alpha",
            f"SELECT status FROM runs WHERE thread_id = '{thread}'",
        )
        == "success"
    )
    # The servers recover by themselves: a new run succeeds (the first ones may still meet a
    # connection the restart closed).
    failures: list[str] = []
    deadline = time.monotonic() + 120
    while True:
        try:
            _, state = run_example_graph(node_stack, "agent-alpha", "after the crash")
            break
        except AssertionError as exc:
            failures.append(str(exc)[:200])
            assert time.monotonic() < deadline, failures
            time.sleep(2)
    assert state["messages"][-1]["content"] == "message 1: after the crash"
    print(f"\nruns that failed before the servers recovered: {len(failures)}")
    # Each failed run meets one pooled connection the restart closed (2 in the runs
    # measured); a server that never recovers fails at the deadline above.
    assert len(failures) <= 10, failures


# --- 7. wrong credentials -----------------------------------------------------------------


def secret_with(stack: LiveStack, name: str, key: str, value: str) -> None:
    stack.core.patch_namespaced_secret(
        name, stack.namespace, {"data": {key: base64.b64encode(value.encode()).decode()}}
    )


def log_lines(log: str) -> list[str]:
    """The lines of a server's log, each JSON record's message (a traceback) split too."""
    lines = []
    for line in log.splitlines():
        try:
            lines += str(json.loads(line).get("event", "")).splitlines()
        except (ValueError, AttributeError):
            lines.append(line)
    return lines


def crashing_because(stack: LiveStack, deployment: str, words: list[str]) -> str:
    """Wait until a new pod of the deployment has exited, not Ready, with one of `words` in
    the log of its exited container; that log line."""
    seen: list[str] = []

    def failing() -> bool:
        for p in stack.pods_of(stack.deployment(deployment)):
            statuses = p.status.container_statuses or []
            if p.metadata.deletion_timestamp or ready(p) or not statuses:
                continue
            ended = statuses[0].last_state.terminated
            if ended is None or ended.exit_code == 0:
                continue
            try:
                log = stack.core.read_namespaced_pod_log(
                    p.metadata.name, stack.namespace, previous=True
                )
            except ApiException:
                continue
            found = [line for line in log_lines(log) if any(w in line for w in words)]
            if found:
                seen.append(found[-1].strip())
                return True
        return False

    stack.wait_for(f"{deployment} to fail with {words}", failing, 240)
    return seen[0]


@pytest.mark.live_config(**{"dataplane:servers": {"minReplicas": 1}})
def test_wrong_credentials_are_not_ready(node_stack: LiveStack, images: dict[str, str]) -> None:
    deploy(node_stack, images)
    ns = node_stack.namespace
    core = node_stack.core
    good: dict[str, str] = {}
    for server, key, wrong in (
        (
            "agent-alpha",
            "DATABASE_URI",
            "postgres://postgres:wrong-password@agent-alpha-postgres.{ns}.svc.cluster.local:5432/postgres?sslmode=disable",
        ),
        (
            "agent-beta",
            "REDIS_URI",
            "redis://:wrong-password@agent-beta-redis.{ns}.svc.cluster.local:6379/0",
        ),
    ):
        name = f"{server}-platform-env"
        good[server] = core.read_namespaced_secret(name, ns).data[key]
        secret_with(node_stack, name, key, wrong.format(ns=ns))
        # A new pod reads the Secret when its container starts.
        for pod in node_stack.pods_of(node_stack.deployment(f"{server}-api")):
            core.delete_namespaced_pod(pod.metadata.name, ns)
    why_pg = crashing_because(node_stack, "agent-alpha-api", ["password authentication failed"])
    why_redis = crashing_because(
        node_stack, "agent-beta-api", ["invalid username-password pair", "AuthenticationError"]
    )
    print(f"\nagent-alpha-api: {why_pg}\nagent-beta-api: {why_redis}")
    assert "password authentication failed" in why_pg and "wrong-password" not in why_pg
    assert "AuthenticationError" in why_redis or "invalid username-password" in why_redis
    for server in ("agent-alpha", "agent-beta"):
        api = node_stack.deployment(f"{server}-api")
        assert (api.status.ready_replicas or 0) < (api.spec.replicas or 0), api.status

    # `up --refresh` takes the hand edits back; the next restart reads the right Secret.
    node_stack.up(refresh=True)
    for server, key in (("agent-alpha", "DATABASE_URI"), ("agent-beta", "REDIS_URI")):
        assert core.read_namespaced_secret(f"{server}-platform-env", ns).data[key] == good[server]
    node_stack.wait_for("every workload Ready again", lambda: all_ready(node_stack), 400)
