"""The operator and its CRD beside the listener: from the official chart, only its operator
part, at the location the stack sets (a local archive checked against SHA256SUMS)."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tarfile
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml

from components.config import ConfigError
from components.planning.charts import chart_problem, check_local_chart
from components.resources.operator import CRD_TYPE, KEEP_OPERATOR_PART
from components.spec.args import OPERATOR_CHART, OPERATOR_CHART_VERSION, OPERATOR_IMAGE
from devtools.engine import REPO
from tests.unit.dataplane_setup import dataplane, served, stack_config
from tests.unit.harness import run_program

CHARTS = REPO.parent / "shared" / "charts"
ARCHIVE = CHARTS / f"{OPERATOR_CHART}-{OPERATOR_CHART_VERSION}.tgz"
MIRROR = "registry.acme.internal/mirror"


def chart_values_yaml(archive: Path) -> dict[str, Any]:
    with tarfile.open(archive) as tar:
        handle = tar.extractfile(f"{OPERATOR_CHART}/values.yaml")
        assert handle is not None
        return yaml.safe_load(handle.read())


def test_the_pinned_operator_image_is_the_charts_own() -> None:
    image = chart_values_yaml(ARCHIVE)["images"]["operatorImage"]
    assert f"{image['repository']}:{image['tag']}" == OPERATOR_IMAGE


def listener_run(**settings: Any) -> Any:
    return run_program(lambda: dataplane([served("alpha")], reconciler="listener", **settings))


def test_the_listener_brings_the_operator_from_the_chart_repository_by_default() -> None:
    run = listener_run()
    (operator,) = run.of_type("langgraph:dataplane:Operator")
    assert operator.name == "dataplane-operator"
    chart = run.named("dataplane-operator-chart")
    assert chart.typ == "kubernetes:helm.sh/v4:Chart" and chart.parent.endswith(
        "langgraph:dataplane:Operator::dataplane-operator"
    )
    inputs = chart.inputs
    assert (inputs["chart"], inputs["version"]) == (OPERATOR_CHART, OPERATOR_CHART_VERSION)
    assert inputs["repositoryOpts"] == {"repo": "https://langchain-ai.github.io/helm"}
    assert inputs["name"] == "langgraph-dataplane" and inputs["namespace"] == "langgraph"
    assert inputs["postRenderer"] == {"command": "awk", "args": [KEEP_OPERATOR_PART]}
    values = inputs["values"]
    assert values["config"]["watchNamespaces"] == "langgraph,batch"
    assert values["ingress"] == {"enabled": False}
    operator_values = values["operator"]
    assert operator_values["kedaEnabled"] is False and operator_values["createCRDs"] is True
    pod = operator_values["deployment"]["podSecurityContext"]
    assert pod["runAsNonRoot"] is True and pod["seccompProfile"] == {"type": "RuntimeDefault"}
    container = operator_values["deployment"]["securityContext"]
    assert container["allowPrivilegeEscalation"] is False
    assert container["capabilities"] == {"drop": ["ALL"]}
    assert values["images"]["operatorImage"] == {
        "repository": "docker.io/langchain/langgraph-operator",
        "tag": "0.1.36",
    }


def test_an_oci_repository_is_the_chart_reference_itself() -> None:
    # helm.v4.Chart takes an OCI chart as `chart: oci://host/path/<name>`, without
    # `repositoryOpts` (which is for http(s) repositories).
    run = listener_run(operator={"chart": {"repository": "oci://registry.example.com/charts/"}})
    inputs = run.named("dataplane-operator-chart").inputs
    assert inputs["chart"] == f"oci://registry.example.com/charts/{OPERATOR_CHART}"
    assert inputs["version"] == OPERATOR_CHART_VERSION
    assert "repositoryOpts" not in inputs


def test_no_operator_when_pulumi_reconciles_or_standalone() -> None:
    run = run_program(lambda: dataplane([served("alpha")]))
    assert run.count("langgraph:dataplane:Operator") == 0
    assert run.count("kubernetes:helm.sh/v4:Chart") == 0


def test_mirror_pull_settings_keda_and_common_labels_reach_the_chart() -> None:
    run = listener_run(
        images={"registry": MIRROR, "pullSecrets": ["mirror-creds"], "pullPolicy": "Always"},
        servers={"queueKeda": {"enabled": True}},
        common_labels={"acme.com/team": "ml"},
        operator={"chart": {"path": str(ARCHIVE)}},
    )
    inputs = run.named("dataplane-operator-chart").inputs
    # The archive as the program reads it: its real path (../shared may be a link).
    assert inputs["chart"] == str(ARCHIVE.resolve()) and "version" not in inputs
    assert "repositoryOpts" not in inputs
    values = inputs["values"]
    assert values["images"]["operatorImage"] == {
        "repository": f"{MIRROR}/langchain/langgraph-operator",
        "tag": "0.1.36",
        "pullPolicy": "Always",
    }
    assert values["images"]["imagePullSecrets"] == [{"name": "mirror-creds"}]
    assert values["operator"]["kedaEnabled"] is True
    assert values["commonLabels"] == {"acme.com/team": "ml"}
    # The common-metadata transformation leaves the chart alone (it takes them as values).
    assert "metadata" not in inputs


def test_the_crd_outlives_the_stack_and_nothing_else_is_touched() -> None:
    run = listener_run()
    (keep,) = run.transforms.values()
    crd = pulumi.ResourceTransformArgs(
        custom=True,
        type_=CRD_TYPE,
        name="dataplane-operator-chart:lgps.apps.langchain.ai",
        props={"metadata": {"name": "lgps.apps.langchain.ai"}},
        opts=pulumi.ResourceOptions(),
    )
    result = keep(crd)
    assert result is not None and result.opts.retain_on_delete is True
    assert result.props == crd.props
    other = pulumi.ResourceTransformArgs(
        custom=True,
        type_="kubernetes:apps/v1:Deployment",
        name="x",
        props={},
        opts=pulumi.ResourceOptions(),
    )
    assert keep(other) is None


HELM_OUTPUT = """---
# Source: langgraph-dataplane/templates/listener/service-account.yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: listener
---
# Source: langgraph-dataplane/templates/operator/crds.yaml
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: lgps.apps.langchain.ai
---
# Source: langgraph-dataplane/templates/redis/secrets.yaml
apiVersion: v1
kind: Secret
metadata:
  name: redis
---
# Source: langgraph-dataplane/templates/operator/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: operator
"""


def test_the_post_renderer_keeps_the_operator_templates_only() -> None:
    # Helm pipes what it rendered through the post-renderer: this is that program, run.
    done = subprocess.run(
        ["awk", KEEP_OPERATOR_PART], input=HELM_OUTPUT, capture_output=True, text=True, check=True
    )
    docs = [d for d in yaml.safe_load_all(done.stdout) if d]
    assert [(d["kind"], d["metadata"]["name"]) for d in docs] == [
        ("CustomResourceDefinition", "lgps.apps.langchain.ai"),
        ("Deployment", "operator"),
    ]


# --- The chart's location ---


def test_the_shipped_archive_passes_its_check() -> None:
    assert chart_problem(str(ARCHIVE), OPERATOR_CHART, OPERATOR_CHART_VERSION) is None


@pytest.fixture
def charts(tmp_path: Path) -> Path:
    folder = tmp_path / "charts"
    shutil.copytree(CHARTS, folder)
    return folder


def problem_of(path: Path) -> str:
    found = chart_problem(str(path), OPERATOR_CHART, OPERATOR_CHART_VERSION)
    assert found is not None
    return str(found)


def test_a_damaged_archive_is_refused(charts: Path) -> None:
    archive = charts / ARCHIVE.name
    archive.write_bytes(archive.read_bytes() + b"\0")
    assert "does not match its SHA-256" in problem_of(archive)


def test_an_archive_without_sums_or_unlisted_is_refused(charts: Path) -> None:
    archive = charts / ARCHIVE.name
    renamed = charts / "copy.tgz"
    shutil.copy(archive, renamed)
    assert "copy.tgz is not listed in" in problem_of(renamed)
    (charts / "SHA256SUMS").unlink()
    text = problem_of(archive)
    assert "there is no SHA256SUMS beside" in text and "operator.chart.repository" in text
    assert "no file at" in problem_of(charts / "missing.tgz")


def test_another_chart_is_refused_even_when_its_sum_matches() -> None:
    text = problem_of(CHARTS / "langgraph-cloud-0.3.2.tgz")
    assert "holds chart langgraph-cloud 0.3.2, not langgraph-dataplane 0.2.22" in text


def test_not_an_archive_is_refused(charts: Path) -> None:
    fake = charts / "fake.tgz"
    fake.write_bytes(b"not a tarball")
    sums = charts / "SHA256SUMS"
    sums.write_text(
        sums.read_text() + f"{hashlib.sha256(b'not a tarball').hexdigest()}  fake.tgz\n"
    )
    assert "holds chart (not a chart archive)" in problem_of(fake)


def test_the_check_runs_for_listener_stacks_with_a_local_path_only(charts: Path) -> None:
    archive = charts / ARCHIVE.name
    archive.write_bytes(b"damaged")
    local = {"chart": {"path": str(archive)}}
    with pytest.raises(ConfigError) as info:
        check_local_chart(
            stack_config(reconciler="listener", operator=local),
            OPERATOR_CHART,
            OPERATOR_CHART_VERSION,
        )
    assert "dataplane:operator.chart.path:" in str(info.value)
    # Pulumi reconciles: no operator, so nothing to check.
    check_local_chart(stack_config(operator=local), OPERATOR_CHART, OPERATOR_CHART_VERSION)


def test_the_listener_is_the_one_of_the_operators_chart() -> None:
    from components.spec.args import LISTENER_IMAGE

    image = chart_values_yaml(ARCHIVE)["images"]["listenerImage"]
    assert f"{image['repository']}:{image['tag']}" == LISTENER_IMAGE
    command = chart_values_yaml(ARCHIVE)["listener"]["deployment"]["command"]
    run = listener_run()
    container = run.named("dataplane-listener-deployment").get("spec.template.spec.containers.0")
    assert container["command"] == command
