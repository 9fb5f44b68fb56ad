"""Exposure: Ingress, Gateway API HTTPRoute or Istio VirtualService, and the public URLs."""

from __future__ import annotations

from typing import Any

import pytest

from components.config import (
    ExposureConfig,
    GatewayRouteConfig,
    IngressRouteConfig,
    IstioRouteConfig,
)
from tests.unit.dataplane_setup import dataplane, served
from tests.unit.harness import Run, run_program

INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
HTTPROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute"
VIRTUALSERVICE = "kubernetes:networking.istio.io/v1:VirtualService"
ROUTE_TYPES = (INGRESS, HTTPROUTE, VIRTUALSERVICE)
HOST = "agents.acme.com"


def build(exposure: ExposureConfig, **settings: Any) -> Any:
    dp = dataplane(
        [
            served("support-agent", "langgraph"),
            served("research-agent", "langgraph"),
            served("batch-agent", "batch"),
        ],
        exposure=exposure,
        **settings,
    )
    return {"urls": dp.server_urls, "public": dp.server_public_urls}


def routes(run: Run) -> list[Any]:
    return [r for t in ROUTE_TYPES for r in run.of_type(t)]


def env_of(run: Run, name: str) -> dict[str, Any]:
    container = run.named(name).get("spec.template.spec.containers.0")
    return {e["name"]: e.get("value") for e in container["env"]}


def test_in_cluster_only_by_default() -> None:
    run = run_program(lambda: build(ExposureConfig()))
    assert routes(run) == []
    assert run.count("langgraph:dataplane:Exposure") == 0
    assert run.value["public"] == {}
    assert "MOUNT_PREFIX" not in env_of(run, "dataplane-support-agent-api")
    assert run.value["urls"]["support-agent"] == (
        "http://support-agent.langgraph.svc.cluster.local:8000"
    )


def test_ingress_per_namespace_with_tls_from_cert_manager() -> None:
    ingress = IngressRouteConfig(
        enabled=True,
        hostname=HOST,
        base_path="langgraph",
        class_name="nginx",
        cluster_issuer="letsencrypt-prod",
        annotations={"nginx.ingress.kubernetes.io/proxy-read-timeout": "3600"},
    )
    run = run_program(lambda: build(ExposureConfig(ingress=ingress)))
    assert run.count(HTTPROUTE) == run.count(VIRTUALSERVICE) == 0
    by_ns = {r.get("metadata.namespace"): r for r in run.of_type(INGRESS)}
    assert sorted(by_ns) == ["batch", "langgraph"]
    main = by_ns["langgraph"]
    assert main.name == "dataplane-exposure-ingress-langgraph"
    assert main.get("spec.ingressClassName") == "nginx"
    assert main.get("spec.tls") == [{"hosts": [HOST], "secretName": "agents-acme-com-tls"}]
    assert main.get("metadata.annotations") == {
        "cert-manager.io/cluster-issuer": "letsencrypt-prod",
        "nginx.ingress.kubernetes.io/proxy-read-timeout": "3600",
    }
    (rule,) = main.get("spec.rules")
    assert rule["host"] == HOST
    paths = {p["path"]: p for p in rule["http"]["paths"]}
    assert sorted(paths) == ["/langgraph/research-agent", "/langgraph/support-agent"]
    support = paths["/langgraph/support-agent"]
    assert support["pathType"] == "Prefix"
    assert support["backend"] == {"service": {"name": "support-agent", "port": {"number": 8000}}}
    batch_paths = by_ns["batch"].get("spec.rules.0.http.paths")
    assert [p["path"] for p in batch_paths] == ["/langgraph/batch-agent"]
    assert run.value["public"] == {
        "support-agent": f"https://{HOST}/langgraph/support-agent",
        "research-agent": f"https://{HOST}/langgraph/research-agent",
        "batch-agent": f"https://{HOST}/langgraph/batch-agent",
    }


def test_ingress_with_existing_secret_or_without_tls() -> None:
    ingress = IngressRouteConfig(enabled=True, hostname=HOST, tls_secret_name="wildcard-acme")
    run = run_program(lambda: build(ExposureConfig(ingress=ingress)))
    main = run.named("dataplane-exposure-ingress-langgraph")
    assert main.get("spec.tls") == [{"hosts": [HOST], "secretName": "wildcard-acme"}]
    assert "annotations" not in main.get("metadata")
    assert "ingressClassName" not in main.get("spec")
    assert main.get("spec.rules.0.http.paths.0.path") == "/support-agent"  # no base path
    plain = IngressRouteConfig(enabled=True, hostname=HOST, scheme="http")
    run = run_program(lambda: build(ExposureConfig(ingress=plain)))
    assert "tls" not in run.named("dataplane-exposure-ingress-langgraph").get("spec")
    assert run.value["public"]["support-agent"] == f"http://{HOST}/support-agent"


def test_gateway_api_route_per_server() -> None:
    gateway = GatewayRouteConfig(
        enabled=True,
        hostname=HOST,
        base_path="lg",
        gateway_name="public",
        gateway_namespace="gateways",
        section_name="https",
    )
    run = run_program(lambda: build(ExposureConfig(gateway=gateway)))
    assert run.count(INGRESS) == run.count(VIRTUALSERVICE) == 0
    assert run.count(HTTPROUTE) == 3
    route = run.named("dataplane-exposure-httproute-batch-agent")
    assert route.get("apiVersion") == "gateway.networking.k8s.io/v1"
    assert route.get("kind") == "HTTPRoute"
    assert route.get("metadata.name") == "batch-agent"
    assert route.get("metadata.namespace") == "batch"
    assert route.get("spec.parentRefs") == [
        {"name": "public", "namespace": "gateways", "sectionName": "https"}
    ]
    assert route.get("spec.hostnames") == [HOST]
    assert route.get("spec.rules") == [
        {
            "matches": [{"path": {"type": "PathPrefix", "value": "/lg/batch-agent"}}],
            "backendRefs": [{"name": "batch-agent", "port": 8000}],
        }
    ]
    assert run.value["public"]["batch-agent"] == f"https://{HOST}/lg/batch-agent"
    same_ns = GatewayRouteConfig(enabled=True, hostname=HOST, gateway_name="public")
    run = run_program(lambda: build(ExposureConfig(gateway=same_ns)))
    parent = run.named("dataplane-exposure-httproute-support-agent").get("spec.parentRefs")
    assert parent == [{"name": "public"}]


def test_istio_virtual_service_per_server() -> None:
    istio = IstioRouteConfig(
        enabled=True, hostname=HOST, gateway_name="ingressgateway", gateway_namespace="istio-system"
    )
    run = run_program(lambda: build(ExposureConfig(istio=istio), cluster_domain="corp.local"))
    assert run.count(INGRESS) == run.count(HTTPROUTE) == 0
    assert run.count(VIRTUALSERVICE) == 3
    vs = run.named("dataplane-exposure-virtualservice-support-agent")
    assert vs.get("apiVersion") == "networking.istio.io/v1"
    assert vs.get("metadata.namespace") == "langgraph"
    assert vs.get("spec.hosts") == [HOST]
    assert vs.get("spec.gateways") == ["istio-system/ingressgateway"]
    (http,) = vs.get("spec.http")
    # The path itself and below it, never a longer sibling such as /support-agent-2.
    assert http["match"] == [
        {"uri": {"exact": "/support-agent"}},
        {"uri": {"prefix": "/support-agent/"}},
    ]
    assert http["route"] == [
        {
            "destination": {
                "host": "support-agent.langgraph.svc.corp.local",
                "port": {"number": 8000},
            }
        }
    ]


@pytest.mark.parametrize(
    "exposure",
    [
        ExposureConfig(ingress=IngressRouteConfig(enabled=True, hostname=HOST, base_path="lg")),
        ExposureConfig(
            gateway=GatewayRouteConfig(
                enabled=True, hostname=HOST, base_path="lg", gateway_name="g"
            )
        ),
        ExposureConfig(
            istio=IstioRouteConfig(enabled=True, hostname=HOST, base_path="lg", gateway_name="g")
        ),
    ],
    ids=["ingress", "gateway", "istio"],
)
def test_servers_answer_under_their_path_and_keep_health_at_ok(exposure: ExposureConfig) -> None:
    run = run_program(lambda: build(exposure))
    for role in ("api", "queue"):
        env = env_of(run, f"dataplane-support-agent-{role}")
        assert env["MOUNT_PREFIX"] == "/lg/support-agent"
    # In-cluster probes stay at /ok: the server keeps it at the root under a mount prefix,
    # and the route forwards <public url>/ok to <prefix>/ok for the control plane's checks.
    container = run.named("dataplane-support-agent-api").get("spec.template.spec.containers.0")
    assert container["readinessProbe"]["httpGet"]["path"] == "/ok"
    assert run.value["urls"]["support-agent"] == (
        "http://support-agent.langgraph.svc.cluster.local:8000/lg/support-agent"
    )
    assert run.value["public"]["support-agent"] == f"https://{HOST}/lg/support-agent"
    # Stores are never exposed.
    for r in routes(run):
        assert "postgres" not in str(r.inputs) and "redis" not in str(r.inputs), r.name


def test_listener_mode_exposes_nothing() -> None:
    exposure = ExposureConfig(ingress=IngressRouteConfig(enabled=True, hostname=HOST))
    run = run_program(lambda: build(exposure, reconciler="listener"))
    assert routes(run) == []
    assert run.value["public"] == {}
