"""The owner every Kubernetes object carries, and the same-named objects that are not the
stack's: read from the API server's metadata lists (an httpx mock of it here; the live
cluster in tests/cluster/test_foreign_objects.py)."""

from __future__ import annotations

from typing import Any

import httpx
import pulumi

from components.cluster.ownership import Foreign, ObjectRef, OwnershipGuard, foreign_objects, plural
from components.core.names import ANNOTATION_OWNER
from components.resources.dataplane import DataPlane
from tests.unit.dataplane_setup import plan, served
from tests.unit.harness import run_program

OWNER = "langgraph-dataplane/dev"


def test_object_refs_and_their_api_paths() -> None:
    secret = ObjectRef.of(
        "kubernetes:core/v1:Secret", {"metadata": {"name": "s", "namespace": "lg"}}
    )
    assert secret == ObjectRef("v1", "Secret", "lg", "s")
    assert secret.list_path() == "/api/v1/namespaces/lg/secrets"
    scaled = ObjectRef.of(
        "kubernetes:keda.sh/v1alpha1:ScaledObject", {"metadata": {"name": "q", "namespace": "lg"}}
    )
    assert (
        scaled is not None
        and scaled.list_path() == "/apis/keda.sh/v1alpha1/namespaces/lg/scaledobjects"
    )
    namespace = ObjectRef.of("kubernetes:core/v1:Namespace", {"metadata": {"name": "lg"}})
    assert namespace is not None and namespace.list_path() == "/api/v1/namespaces"
    assert (
        ObjectRef.of(
            "kubernetes:core/v1:Secret", {"metadata": {"name": pulumi.Output.from_input("x")}}
        )
        is None
    )
    assert [plural(k) for k in ("Ingress", "NetworkPolicy", "Gateway", "HTTPRoute")] == [
        "ingresses", "networkpolicies", "gateways", "httproutes",
    ]  # fmt: skip


def test_every_object_of_the_data_plane_carries_the_owner_and_is_recorded() -> None:
    guard = OwnershipGuard(OWNER)

    def program() -> None:
        DataPlane(
            "dataplane",
            plan([served("agent-alpha"), served("agent-beta")]),
            opts=pulumi.ResourceOptions(transformations=[guard.transformation]),
        )

    run = run_program(program)
    objects = [r for r in run.resources if r.typ.startswith("kubernetes:")]
    assert len(objects) > 20
    for r in objects:
        assert r.inputs["metadata"]["annotations"][ANNOTATION_OWNER] == OWNER, r.name
    # Every object is known by name before the check, so none slips past it.
    recorded = {(ref.kind, ref.name) for ref in guard.objects}
    declared = {(r.typ.split(":")[-1], r.inputs["metadata"]["name"]) for r in objects}
    assert recorded == declared


def metadata_lists(
    items: dict[str, list[dict[str, Any]]], seen: list[httpx.Request]
) -> httpx.Client:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path not in items:
            return httpx.Response(404, json={"kind": "Status"})
        return httpx.Response(
            200, json={"items": [{"metadata": m} for m in items[request.url.path]]}
        )

    return httpx.Client(base_url="https://k8s.test", transport=httpx.MockTransport(answer))


def test_objects_of_others_are_found_and_ours_pass() -> None:
    secrets = "/api/v1/namespaces/lg/secrets"
    services = "/api/v1/namespaces/lg/services"
    items = {
        secrets: [
            {"name": "by-hand"},
            {"name": "other-stack", "annotations": {ANNOTATION_OWNER: "langgraph-dataplane/acme"}},
            {"name": "ours", "annotations": {ANNOTATION_OWNER: OWNER}},
            {
                "name": "ours-before-owners",
                "labels": {"app.kubernetes.io/part-of": "langgraph-dataplane"},
            },
        ],
        services: [],
    }
    refs = [
        ObjectRef("v1", "Secret", "lg", n)
        for n in ("by-hand", "other-stack", "ours", "ours-before-owners", "new")
    ]
    refs += [
        ObjectRef("v1", "Service", "lg", "api"),
        ObjectRef("apps/v1", "Deployment", "lg", "api"),
    ]
    seen: list[httpx.Request] = []
    with metadata_lists(items, seen) as http:
        found = foreign_objects(http, refs, OWNER)
    assert found == [Foreign(refs[0], None), Foreign(refs[1], "langgraph-dataplane/acme")]
    # One metadata-only list per kind and namespace, never the Secrets' data.
    assert len(seen) == 3
    assert all("PartialObjectMetadataList" in r.headers["accept"] for r in seen)
    by_hand, other = (f.problem(OWNER) for f in found)
    assert "Secret lg/by-hand already exists in the cluster and is not this stack's" in by_hand
    assert "made by hand or by another tool" in by_hand
    assert "kubectl -n lg delete secret by-hand" in by_hand
    assert (
        f"kubectl -n lg annotate secret by-hand {ANNOTATION_OWNER}={OWNER} --overwrite" in by_hand
    )
    assert "it belongs to stack 'langgraph-dataplane/acme'" in other
