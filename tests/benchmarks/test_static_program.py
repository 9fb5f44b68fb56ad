"""The static baseline declares exactly the data plane's Kubernetes objects, by hand; and the
project folders the engine runs are what `pulumi preview` expects."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pulumi_kubernetes as k8s
import pulumi_random
import pytest
import yaml

from benchmarks import project, static_dataplane
from benchmarks.fixtures import pulumi_config, seed
from devtools.engine import REPO
from local_controlplane.testing import run_server
from tests.unit.harness import mocked_main, run_program


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with run_server() as base_url:
        seed(base_url, 2)
        yield base_url


def test_it_declares_the_same_objects_with_the_same_inputs(url: str) -> None:
    config, secret_keys = pulumi_config(url)
    objects = static_dataplane.record(config, secret_keys)
    full = run_program(mocked_main, config=config, secret_keys=secret_keys)
    own = [r for r in full.resources if r.custom and r.typ.startswith(("kubernetes:", "random:"))]
    assert len(objects) == len(own) > 20
    # What the baseline has none of: components, the control-plane resources. (The root
    # Stack registers in a process's first mocked run only.)
    left_out = {r.typ for r in full.resources} - {o["type"] for o in objects}
    left_out.discard("pulumi:pulumi:Stack")
    assert left_out == {
        "pulumi:providers:kubernetes",  # the baseline declares its own
        "pulumi-python:dynamic:Resource",
        *(t for t in left_out if t.startswith("langgraph:dataplane:")),
    }
    static = run_program(lambda: static_dataplane.declare(objects, "/tmp/rendered"))
    declared = {r.name: r for r in static.resources if r.custom}
    providers = [r for r in declared.values() if r.typ == "pulumi:providers:kubernetes"]
    assert len(providers) == 1 and providers[0].inputs["renderYamlToDirectory"] == "/tmp/rendered"
    for obj in objects:
        mine = declared[obj["name"]]
        assert mine.typ == obj["type"]
        assert mine.inputs == obj["inputs"], obj["name"]
        assert {p.split(".")[0] for p in mine.secret_paths} == set(obj["secret"]), obj["name"]
        assert (mine.protect, mine.retain_on_delete) == (obj["protect"], obj["retain_on_delete"])
        assert mine.parent.endswith("Stack::langgraph-dataplane-test")  # flat: no component
    assert any(o["secret"] for o in objects)  # Secrets stay secret in the baseline


def test_type_tokens_map_to_the_typed_sdk_classes() -> None:
    assert static_dataplane.sdk_class("kubernetes:apps/v1:Deployment") is k8s.apps.v1.Deployment
    assert static_dataplane.sdk_class("kubernetes:core/v1:Secret") is k8s.core.v1.Secret
    policy = static_dataplane.sdk_class("kubernetes:networking.k8s.io/v1:NetworkPolicy")
    assert policy is k8s.networking.v1.NetworkPolicy
    hpa = static_dataplane.sdk_class("kubernetes:autoscaling/v2:HorizontalPodAutoscaler")
    assert hpa is k8s.autoscaling.v2.HorizontalPodAutoscaler
    random_password = "random:index/randomPassword:RandomPassword"
    assert static_dataplane.sdk_class(random_password) is pulumi_random.RandomPassword
    assert static_dataplane.snake("stringData") == "string_data"


def test_project_folders_run_through_the_language_host(tmp_path: Path) -> None:
    objects = tmp_path / "objects.json"
    for name in project.PROGRAMS:
        where = project.write(tmp_path, name)
        doc = yaml.safe_load((where / "Pulumi.yaml").read_text())
        assert doc["runtime"] == {"name": "python", "options": {"virtualenv": str(REPO / ".venv")}}
        assert f"run({name!r})" in (where / "__main__.py").read_text()
        assert (where / "components").resolve() == REPO / "components"
        project.stack_file(tmp_path, name, "s", url="http://127.0.0.1:1", resources=objects)
        config = yaml.safe_load((where / "stacks" / "Pulumi.s.yaml").read_text())["config"]
        if name == "dataplane":
            assert config["dataplane:controlPlane"]["url"] == "http://127.0.0.1:1"
            assert config["dataplane:renderDir"] == str(tmp_path / "manifests" / "s")
            assert config["dataplane:apiKey"]["secure"]  # the dev stack's encrypted key
        if name == "static":
            assert config == {
                "bench:resources": str(objects),
                "bench:renderDir": str(tmp_path / "manifests" / "s"),
            }
    assert project.write(tmp_path, "empty") == project.folder(tmp_path, "empty")  # again: fine
    with pytest.raises(ValueError, match="recorded objects"):
        project.stack_file(tmp_path, "static", "t", url="http://x")
