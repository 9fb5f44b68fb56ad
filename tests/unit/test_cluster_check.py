"""The cluster check's own errors, without a cluster: each names the fix.

tests/cluster/test_live_dataplane.py checks it against the live local cluster (an
unreachable API server, a wrong context, a missing namespace) through the real CLI.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import yaml

from components.cluster.cluster_check import check_cluster
from components.config import ConfigError


def kubeconfig(tmp_path: Path, server: str, current: str = "dev") -> Path:
    path = tmp_path / "kubeconfig.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "current-context": current,
                "contexts": [{"name": "dev", "context": {"cluster": "c", "user": "u"}}],
                "clusters": [{"name": "c", "cluster": {"server": server}}],
                "users": [{"name": "u", "user": {"token": "not-a-secret"}}],
            }
        )
    )
    return path


def closed_port() -> int:
    """A loopback port that nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_missing_kubeconfig_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="dataplane:kubeconfig: cannot read") as err:
        check_cluster(str(tmp_path / "nope.yaml"), ["langgraph"], True)
    assert "Fix: point dataplane:kubeconfig" in str(err.value)


def test_a_current_context_that_does_not_exist(tmp_path: Path) -> None:
    path = kubeconfig(tmp_path, "https://127.0.0.1:1", current="prod")
    with pytest.raises(
        ConfigError, match=r"current context 'prod' .* not one of its contexts \(dev\)"
    ):
        check_cluster(str(path), ["langgraph"], True)


def test_an_unreachable_api_server(tmp_path: Path) -> None:
    server = f"https://127.0.0.1:{closed_port()}"
    with pytest.raises(
        ConfigError, match=f"cannot reach the Kubernetes API server {server}"
    ) as err:
        check_cluster(str(kubeconfig(tmp_path, server)), ["langgraph"], True)
    assert "scripts/cluster.sh start" in str(err.value)
