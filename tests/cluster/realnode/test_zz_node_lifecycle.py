"""The real node's own life: stop leaves the host as it was, and a crashed node never breaks
the next start. Named to run after the data-plane tests, which share the session's node.
"""

from __future__ import annotations

import os
import signal
import subprocess

import pytest
from kubernetes import client, config

from devtools.realnode import processes
from devtools.realnode.host import node_processes
from devtools.realnode.layout import NODE_NAME, NodePaths
from tests.cluster.realnode.conftest import CLUSTER_STATE, NodeSession, host_now

pytestmark = [pytest.mark.integration, pytest.mark.cluster]


def test_a_crashed_node_restarts_and_stop_leaves_nothing(node_session: NodeSession) -> None:
    paths = NodePaths.default()
    # 1. The suite's node, stopped: nothing it started is left running, mounted, routed or
    # filtered, and no host setting is changed.
    node_session.stop()
    after_suite = host_now()
    if node_session.before is not None:
        assert after_suite.differences(node_session.before) == []
    # Neither the node's processes nor the control plane's are left.
    assert after_suite.processes == [], after_suite.processes
    assert not after_suite.node_root_exists

    # 2. A node that crashes (every process of it killed, its pods' containers left
    # running, its mounts, bridge, rules and cgroups left behind)...
    node_session.start()
    with config.new_client_from_config(config_file=str(node_session.kubeconfig)) as api:
        assert node_ready(api)
    crashed = processes.ours(paths)
    assert {"containerd", "kubelet", "kube-proxy", "coredns"} <= set(crashed.values()), crashed
    for pid in crashed:
        os.kill(pid, signal.SIGKILL)
    processes.wait_gone(list(crashed), 10)
    left = host_now()
    assert left.mounts and left.links and left.cgroups, left  # it did leave things behind

    # ... never breaks the next start, which begins from a clean host.
    node_session.start()
    with config.new_client_from_config(config_file=str(node_session.kubeconfig)) as api:
        assert node_ready(api)
    running = host_now()
    assert len([p for p in running.processes if p.startswith("kubelet ")]) == 1, running.processes

    # 3. And its stop leaves the host exactly as the first stop did.
    node_session.stop()
    final = host_now()
    assert final.differences(after_suite) == []
    assert node_processes(CLUSTER_STATE) == []
    leftover = subprocess.run(
        ["ip", "link", "show", "type", "veth"], capture_output=True, text=True
    )
    assert leftover.stdout.strip() == "", leftover.stdout


def node_ready(api: client.ApiClient) -> bool:
    node = client.CoreV1Api(api).read_node(NODE_NAME)
    return any(c.type == "Ready" and c.status == "True" for c in node.status.conditions or [])
