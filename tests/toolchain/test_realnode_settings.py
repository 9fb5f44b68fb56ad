"""The real node's settings and image archives, checked without starting anything: the rules
its configuration must keep whatever someone edits (tests/cluster/realnode runs it for real).
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import tarfile
import tomllib
from pathlib import Path

import pytest

from devtools import image_archive
from devtools.realnode import configs, layout
from devtools.realnode.host import HostSnapshot
from devtools.realnode.layout import NodePaths

PRIVATE = [ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")]
TEST_NETS = ipaddress.ip_network("198.18.0.0/15")


@pytest.fixture
def paths(tmp_path: Path) -> NodePaths:
    return NodePaths(tmp_path / "node")


def test_every_address_stays_inside_the_test_range_and_out_of_the_private_ones() -> None:
    pods = ipaddress.ip_network(layout.POD_CIDR)
    services = ipaddress.ip_network(layout.SERVICE_CIDR)
    routed = ipaddress.ip_network(layout.ROUTED_TO_PODS)
    for net in (pods, services, routed):
        assert net.subnet_of(TEST_NETS), net
        assert not any(net.overlaps(p) for p in PRIVATE), net
    assert not pods.overlaps(services)
    assert pods.subnet_of(routed) and services.subnet_of(routed)
    assert ipaddress.ip_address(layout.NODE_IP) in pods
    assert ipaddress.ip_address(layout.POD_RANGE_START) in pods


def test_pods_get_no_masquerade_no_default_route_and_no_host_wide_forwarding(
    paths: NodePaths,
) -> None:
    network = configs.cni_network(paths)
    bridge = network["plugins"][0]
    assert bridge["type"] == "bridge" and bridge["bridge"] == layout.BRIDGE
    # isGateway would also switch on forwarding for the whole host.
    assert bridge["isGateway"] is False and bridge["ipMasq"] is False
    assert bridge["ipam"]["routes"] == [{"dst": layout.ROUTED_TO_PODS, "gw": layout.NODE_IP}]
    assert Path(bridge["ipam"]["dataDir"]).is_relative_to(paths.root)


def test_dns_answers_only_the_cluster_domain_on_the_node_address(paths: NodePaths) -> None:
    corefile = configs.corefile(paths)
    blocks = [line for line in corefile.splitlines() if line.endswith("{") and ":53" in line]
    assert blocks == [f"{layout.CLUSTER_DOMAIN}:53 {{"]
    assert "forward" not in corefile and "proxy" not in corefile
    assert f"bind {layout.NODE_IP}" in corefile


def test_the_kubelet_keeps_to_its_own_folders_cgroups_and_rules(paths: NodePaths) -> None:
    kubelet = configs.kubelet_config(paths, Path("/ca.crt"))
    assert kubelet["makeIPTablesUtilChains"] is False
    assert kubelet["cgroupRoot"] == f"/{layout.CGROUP_PARENT}"
    assert kubelet["failCgroupV1"] is False and kubelet["cgroupDriver"] == "cgroupfs"
    assert kubelet["oomScoreAdj"] == 0
    assert kubelet["clusterDNS"] == [layout.NODE_IP]
    assert kubelet["authentication"]["anonymous"]["enabled"] is False
    assert kubelet["authorization"]["mode"] == "Webhook"
    assert kubelet["readOnlyPort"] == 0
    assert kubelet["imageGCHighThresholdPercent"] == 100  # imported images cannot be pulled
    for key in ("podLogsDir", "resolvConf"):
        assert Path(kubelet[key]).is_relative_to(paths.root), key
    assert kubelet["containerRuntimeEndpoint"] == f"unix://{paths.containerd_socket}"


def test_kube_proxy_uses_its_own_tables_and_leaves_the_host_settings(paths: NodePaths) -> None:
    proxy = configs.kube_proxy_config(paths)
    assert proxy["mode"] == "nftables"
    assert proxy["nodePortAddresses"] == [f"{layout.NODE_IP}/32"]
    assert all(v in (0, "0s") for v in proxy["conntrack"].values()), proxy["conntrack"]
    assert proxy["healthzBindAddress"].startswith("127.0.0.1:")
    assert proxy["metricsBindAddress"].startswith("127.0.0.1:")


def test_containerd_writes_under_the_node_root(paths: NodePaths) -> None:
    config = tomllib.loads(configs.containerd_config(paths, "3.10.2"))
    for path in (config["root"], config["state"], config["grpc"]["address"]):
        assert Path(path).is_relative_to(paths.root), path
    cri = config["plugins"]["io.containerd.grpc.v1.cri"]
    assert cri["restrict_oom_score_adj"] is True
    assert cri["netns_mounts_under_state_dir"] is True
    assert cri["sandbox_image"] == f"{layout.PAUSE_IMAGE_NAME}:3.10.2"
    assert cri["stream_server_address"] == "127.0.0.1"
    runc = cri["containerd"]["runtimes"]["runc"]["options"]
    assert Path(runc["Root"]).is_relative_to(paths.root)
    assert runc["SystemdCgroup"] is False
    assert Path(cri["cni"]["conf_dir"]).is_relative_to(paths.root)


def test_an_image_archive_is_what_containerd_imports(tmp_path: Path) -> None:
    rootfs = tmp_path / "rootfs"
    (rootfs / "bin").mkdir(parents=True)
    (rootfs / "dev").mkdir()
    (rootfs / "dev" / "null-left-by-debootstrap").write_text("x")
    (rootfs / "bin" / "hello").write_text("#!/bin/sh\necho hello\n")
    (rootfs / "bin" / "hello").chmod(0o755)
    out = tmp_path / "hello.tar"
    config = {"Entrypoint": ["/bin/hello"], "User": "1000:1000"}
    digest = image_archive.pack(rootfs, out, "langgraph.local/test/hello:1.0", config)

    with tarfile.open(out) as archive:
        manifest = json.loads(archive.extractfile("manifest.json").read())  # type: ignore[union-attr]
        assert manifest == [
            {
                "Config": f"{digest}.json",
                "RepoTags": ["langgraph.local/test/hello:1.0"],
                "Layers": [manifest[0]["Layers"][0]],
            }
        ]
        raw = archive.extractfile(f"{digest}.json").read()  # type: ignore[union-attr]
        assert hashlib.sha256(raw).hexdigest() == digest
        image = json.loads(raw)
        layer = archive.extractfile(manifest[0]["Layers"][0]).read()  # type: ignore[union-attr]
    assert image["config"] == config
    assert image["rootfs"]["diff_ids"] == [f"sha256:{hashlib.sha256(layer).hexdigest()}"]
    assert manifest[0]["Layers"][0] == f"{hashlib.sha256(layer).hexdigest()}/layer.tar"
    (tmp_path / "layer.tar").write_bytes(layer)
    with tarfile.open(tmp_path / "layer.tar") as files:
        names = {m.name: m for m in files.getmembers()}
    assert names["./bin/hello"].mode & 0o111 and names["./bin/hello"].mtime == 0
    # /dev stays empty: the runtime mounts its own.
    assert "./dev" in names and "./dev/null-left-by-debootstrap" not in names
    # The same folder packs to the same image.
    again = image_archive.pack(
        rootfs, tmp_path / "again.tar", "langgraph.local/test/hello:1.0", config
    )
    assert again == digest


def test_a_snapshot_names_each_difference(paths: NodePaths) -> None:
    before = HostSnapshot.take(paths)
    changed = HostSnapshot(
        **{
            **before.__dict__,
            "sysctls": {**before.sysctls, "kernel.panic": "10"},
            "links": ["lgnode0"],
        }
    )
    lines = changed.differences(before)
    assert len(lines) == 2
    assert lines[0].startswith("sysctls:") and "'10'" in lines[0]
    assert lines[1] == f"links: {before.links!r} before, ['lgnode0'] now"
    assert before.differences(before) == []
