"""The shard benchmark's generated fleet (`benchmarks.fleet_stacks`): copies of the example
stack files that the policy pack's fleet rule cannot find sharing a listener or, on one
kubeconfig, a namespace. The benchmark itself previews them (exit 0 needs it)."""

from __future__ import annotations

from pathlib import Path

import yaml

from benchmarks.fleet_stacks import PASSPHRASES, generate, write_project
from devtools.engine import REPO


def test_the_generated_stacks(tmp_path: Path) -> None:
    project = write_project(tmp_path / "project")
    assert (project / "components").resolve() == REPO / "components"
    passphrases = generate(project, 7)
    assert sorted(passphrases) == [
        "acme-prod-01",
        "acme-prod-02",
        "acme-prod-03",
        "dev-01",
        "dev-02",
        "standalone-example-01",
        "standalone-example-02",
    ]
    assert passphrases["dev-02"] == PASSPHRASES["dev"]
    configs = {
        p.name[7:-5]: yaml.safe_load(p.read_text())["config"]
        for p in (project / "stacks").glob("Pulumi.*.yaml")
    }
    listeners = [
        c["dataplane:controlPlane"]["listenerComputeId"]
        for c in configs.values()
        if "dataplane:controlPlane" in c
    ]
    assert len(listeners) == len(set(listeners)) == 5
    acme = configs["acme-prod-02"]
    assert acme["dataplane:controlPlane"]["listenerComputeId"] == "acme-prod-eks-02"
    assert acme["dataplane:namespaces"]["names"] == ["acme-agents-02", "acme-agents-batch-02"]
    assert sorted(acme["dataplane:deployments"]) == ["research-agent-02", "support-agent-02"]
    assert list(acme["dataplane:externalPostgresUris"]) == ["support-agent-02"]
    # The secrets stay as encrypted for the example, which the example's passphrase opens.
    example = yaml.safe_load((REPO / "stacks" / "Pulumi.acme-prod.yaml").read_text())
    assert acme["dataplane:apiKey"] == example["config"]["dataplane:apiKey"]
    # No control plane, no listener: the standalone copies are the example as it is.
    standalone = configs["standalone-example-01"]
    assert "dataplane:controlPlane" not in standalone
    assert all("dataplane:renderDir" not in c for c in configs.values())
