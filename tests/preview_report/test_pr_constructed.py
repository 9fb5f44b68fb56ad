"""The report of CONSTRUCTED previews: Kubernetes steps, data-loss warnings.

No real preview here has Kubernetes steps (the kubernetes and random plugins cannot be
built on this machine), so these documents are derived from real captures by
derive_constructed.py: the program's real registrations under mocks, diffed into steps.
Kept apart from the real-capture tests on purpose.
"""

from __future__ import annotations

from collections.abc import Callable

import derive_constructed
import pytest
from pr_fixtures import CONSTRUCTED, fixture_path

from preview_report.steps import steps_of


def test_there_are_constructed_fixtures() -> None:
    assert sorted(derive_constructed.SCENARIOS) == CONSTRUCTED


@pytest.mark.parametrize("name", CONSTRUCTED)
def test_constructed_fixtures_are_current(name: str) -> None:
    """Each file is exactly what derive_constructed.py makes of the real captures."""
    expected = derive_constructed.render(
        derive_constructed.derive(name, derive_constructed.SCENARIOS[name])
    )
    assert fixture_path(name).read_text() == expected, "run derive_constructed.py"


@pytest.mark.parametrize("name", CONSTRUCTED)
def test_constructed_fixtures_keep_the_real_revision_sync_steps(name: str) -> None:
    base = derive_constructed.real(derive_constructed.SCENARIOS[name]["base"])
    constructed = derive_constructed.real(name)
    real_syncs = {s["urn"]: s for s in base["steps"] if "::pulumi-python:dynamic:" in s["urn"]}
    made_syncs = {
        s["urn"]: s for s in constructed["steps"] if "::pulumi-python:dynamic:" in s["urn"]
    }
    if "show-secrets" not in name:
        assert made_syncs == real_syncs


def test_database_replacement_is_a_warning_at_the_top(markdown_of: Callable[..., str]) -> None:
    md = markdown_of("constructed-database-replace")
    caution = md.index("> [!CAUTION]")
    assert caution < md.index("**Summary:**") < md.index("####")
    assert "**🛑 Data-loss risk: 2 resources holding data would be replaced or deleted.**" in md
    for deployment in ("alpha", "beta"):
        assert (
            f"> - **replace** data volume (PersistentVolumeClaim) of Postgres "
            f"`dataplane-agent-{deployment}-postgres-data`: a new, empty volume replaces it"
        ) in md
    assert "Because of: `spec.storageClassName`." in md
    assert "2 data-loss risks" in md and "2 to replace" in md
    assert (
        "| 🔁 replace | `dataplane-agent-alpha-postgres-data` | PersistentVolumeClaim | "
        "`spec.storageClassName` |"
    ) in md


def test_kubernetes_workloads_show_their_new_image(markdown_of: Callable[..., str]) -> None:
    md = markdown_of("constructed-database-replace")
    old, new = (
        "docker.io/langchain/langgraph-api:0.4.20-py3.11",
        "registry.example.com/agents/alpha:2.0.0",
    )
    assert f"| `dataplane-agent-alpha-api` | Deployment | `api-server` | `{old}` → `{new}` |" in md
    assert (
        f"| `dataplane-agent-alpha-queue` | Deployment | `queue-worker` | `{old}` → `{new}` |" in md
    )


def test_removed_deployment_lists_every_data_risk(report_of: Callable, markdown_of) -> None:
    report = report_of("constructed-deployment-removed")
    risks = {(r.name, r.what) for r in report.data_risks}
    assert risks == {
        ("dataplane-agent-beta-postgres-data", "data volume (PersistentVolumeClaim) of Postgres"),
        ("dataplane-agent-beta-postgres-statefulset", "Postgres StatefulSet"),
        ("dataplane-agent-beta-postgres", "Postgres database (component)"),
        ("dataplane-agent-beta-postgres-password", "Postgres password (RandomPassword)"),
        ("dataplane-agent-beta-postgres-secret", "Postgres password Secret"),
        ("dataplane-agent-beta-redis", "Redis (component)"),
        ("dataplane-agent-beta-redis-deployment", "Redis workload"),
    }
    password = next(r for r in report.data_risks if r.type.startswith("random:"))
    assert "locks the data" in password.consequence
    md = markdown_of("constructed-deployment-removed")
    assert "7 resources holding data" in md
    # 23 deletions: the resource table folds, the warnings do not.
    assert "<details>\n<summary><b>Resource changes</b> (23)</summary>" in md
    assert md.index("[!CAUTION]") < md.index("<details>")


def test_kubernetes_scale_changes(report_of: Callable) -> None:
    report = report_of("constructed-scale-change-kubernetes")
    settings = {(s.subject, s.setting): (s.old, s.new) for s in report.settings}
    assert settings[("dataplane-agent-beta-api-hpa", "HPA minReplicas")] == ("1", "2")
    assert settings[("dataplane-agent-beta-api-hpa", "HPA maxReplicas")] == ("2", "5")
    assert settings[("dataplane-agent-beta-queue-hpa", "HPA maxReplicas")] == ("3", "6")
    assert settings[("dataplane-agent-beta-api", "api-server: requests.cpu")] == (
        "1000m",
        "2000m",
    )
    assert settings[("dataplane-agent-beta-queue", "queue-worker: limits.memory")] == (
        "4096Mi",
        "8192Mi",
    )
    assert not report.risks


def test_a_replacement_in_several_steps_is_one_change() -> None:
    doc = {
        "steps": [
            {
                "op": "create-replacement",
                "urn": "urn:pulumi:s::p::kubernetes:core/v1:PersistentVolumeClaim::pvc",
            },
            {
                "op": "replace",
                "urn": "urn:pulumi:s::p::kubernetes:core/v1:PersistentVolumeClaim::pvc",
                "replaceReasons": ["spec"],
                "detailedDiff": {"spec.storageClassName": {"kind": "update-replace"}},
            },
            {
                "op": "delete-replaced",
                "urn": "urn:pulumi:s::p::kubernetes:core/v1:PersistentVolumeClaim::pvc",
            },
        ]
    }
    (step,) = steps_of(doc)
    assert step.op == "replace" and step.reasons() == ["spec.storageClassName"]


def test_protected_and_retained_deletions_say_so() -> None:
    from preview_report.risks import data_risks

    doc = {
        "steps": [
            {
                "op": "delete",
                "urn": "urn:pulumi:s::p::langgraph:dataplane:DataPlane$langgraph:dataplane:"
                "Postgres$kubernetes:core/v1:PersistentVolumeClaim::x-postgres-data",
                "oldState": {"protect": True, "retainOnDelete": True, "inputs": {}},
            }
        ]
    }
    (risk,) = data_risks(steps_of(doc))
    assert any("protected" in n for n in risk.notes)
    assert any("retainOnDelete" in n for n in risk.notes)


def test_an_external_database_component_is_no_data_risk() -> None:
    from preview_report.risks import data_risks

    urn = "urn:pulumi:s::p::langgraph:dataplane:DataPlane$langgraph:dataplane:Postgres::x-postgres"
    doc = {"steps": [{"op": "delete", "urn": urn, "oldState": {"inputs": {}}}]}
    assert data_risks(steps_of(doc)) == []  # no children: the data lives elsewhere (a DSN)
