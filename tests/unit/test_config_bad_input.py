"""Bad stack configs, grouped by class: each is refused with its key path and a fix, in the stack
file's words, and no secret value in it is ever repeated.

Every case asserts: a problem starts with `dataplane:<path>: `; that problem's `Fix:` says
`fix`; every problem reported has a `Fix:`; no pydantic wording or Python class name; none of
the case's secret values (nor the stack's keys) anywhere in the error.
"""

# ruff: noqa: E501 (one case per line: the cases read as a table)
from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from components.config import ConfigError, parse_stack_config

SECRETS = ["apiKey", "licenseKey", "externalPostgresUris", "externalRedisUris", "deployments"]
API_KEY, LICENCE = "lsv2_pt_case_api_key_0123", "lgp-case-licence-4567"
PYDANTIC_WORDS = ("Input should", "instance of", "Value error", "[type=", "pydantic", "Config(")


def base(**overrides: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "controlPlane": {"url": "http://127.0.0.1:8765", "listenerComputeId": "dev-cluster"},
        "apiKey": API_KEY,
        "licenseKey": LICENCE,
    }
    raw.update(overrides)
    return raw


def cp(**fields: Any) -> dict[str, Any]:
    return {"controlPlane": {"listenerComputeId": "dev-cluster", **fields}}


def listener_resources(**fields: Any) -> dict[str, Any]:
    return {"reconciler": "listener", "listener": {"resources": fields}}


def api_pod(**fields: Any) -> dict[str, Any]:
    return {"workloads": {"api": fields}}


def spec(**fields: Any) -> dict[str, Any]:
    return {"deployments": {"a": {"resourceSpec": fields}}}


def static(**fields: Any) -> dict[str, Any]:
    entry = {"deploymentId": "d1", "namespace": "langgraph", "revisionId": "r1", "image": "i:1"}
    return {"deployments": {"s": {"static": {**entry, **fields}}}}


def chart(**fields: Any) -> dict[str, Any]:
    return {"operator": {"chart": fields}}


def env(name: str, value: str) -> dict[str, Any]:
    return api_pod(extraEnv=[{"name": name, "value": value}])


@dataclass
class Case:
    raw: dict[str, Any]
    path: str
    fix: str
    secrets: tuple[str, ...] = field(default=())


def cases(group: str, *items: tuple[str, Case]) -> list[Any]:
    return [pytest.param(case, id=f"{group}-{name}") for name, case in items]


QUANTITIES = cases(
    "quantity",
    ("memory-with-space", Case(listener_resources(memory="2 GB"), "listener.resources.memory", "`512Mi`")),
    ("negative-cpu", Case(listener_resources(cpu="-1"), "listener.resources.cpu", "millicores")),
    ("negative-limit", Case(listener_resources(memoryLimit="-4Gi"), "listener.resources.memoryLimit", "`2Gi`")),
    ("zero-cpu", Case(listener_resources(cpu="0"), "listener.resources.cpu", "`500m`")),
    ("milli-bytes", Case(listener_resources(memory="512m"), "listener.resources.memory", "`512Mi`")),
    ("word-unit", Case(listener_resources(cpuLimit="2 cores"), "listener.resources.cpuLimit", "cores")),
    ("cpu-request-above-limit", Case(listener_resources(cpu="3"), "listener.resources.cpuLimit", "raise `cpuLimit` to at least 3")),
    ("memory-request-above-limit", Case(listener_resources(memory="8Gi"), "listener.resources.memoryLimit", "raise `memoryLimit` to at least 8Gi")),
    ("sidecar-quantity", Case(api_pod(sidecars=[{"name": "p", "image": "e:1", "resources": {"requests": {"memory": "lots"}}}]), "workloads.api.sidecars", "`memory: 128Mi`")),
    ("sidecar-request-above-limit", Case(api_pod(sidecars=[{"name": "p", "image": "e:1", "resources": {"requests": {"cpu": "2"}, "limits": {"cpu": "1"}}}]), "workloads.api.sidecars", "raise the limit")),
)  # fmt: skip

INTEGERS = cases(
    "integer",
    ("replicas-beyond-int32", Case({"listener": {"replicas": 3_000_000_000}}, "listener.replicas", "at most 2147483647")),
    ("replicas-zero", Case({"listener": {"replicas": 0}}, "listener.replicas", "at least 1")),
    ("fractional-jobs", Case({"servers": {"jobsPerWorker": 1.5}}, "servers.jobsPerWorker", "whole number")),
    ("word-for-number", Case({"servers": {"pdbMaxUnavailable": "two"}}, "servers.pdbMaxUnavailable", "whole number")),
    ("min-replicas-int32", Case({"servers": {"minReplicas": 2**31}}, "servers.minReplicas", "at most 2147483647")),
    ("negative-grace", Case({"workloads": {"postgres": {"terminationGracePeriodSeconds": -5}}}, "workloads.postgres.terminationGracePeriodSeconds", "at least 0")),
    ("max-skew-int32", Case(api_pod(topologySpreadConstraints=[{"maxSkew": 2**40, "topologyKey": "zone", "whenUnsatisfiable": "ScheduleAnyway"}]), "workloads.api.topologySpreadConstraints.0.maxSkew", "at most 2147483647")),
    ("spec-int32", Case(spec(max_scale=10**12), "deployments.a.resourceSpec.max_scale", "realistic")),
    ("spec-fraction", Case(spec(min_scale=1.5), "deployments.a.resourceSpec.min_scale", "`1`")),
    ("spec-zero", Case(spec(cpu=0), "deployments.a.resourceSpec.cpu", "positive")),
    ("spec-not-a-number", Case(spec(memory_mb="2Gi"), "deployments.a.resourceSpec.memory_mb", "plain numbers")),
    ("percent-above-100", Case({"servers": {"cpuTargetPercent": 150}}, "servers.cpuTargetPercent", "at most 100")),
    ("drain-at-grace", Case({"servers": {"drainSeconds": 30}}, "servers.drainSeconds", "raise `workloads.api.terminationGracePeriodSeconds`")),
    ("drain-above-set-grace", Case({"servers": {"drainSeconds": 20}, **api_pod(terminationGracePeriodSeconds=15)}, "servers.drainSeconds", "lower `servers.drainSeconds`")),
    ("drain-negative", Case({"servers": {"drainSeconds": -1}}, "servers.drainSeconds", "at least 0")),
    ("toleration-seconds-int64", Case(api_pod(tolerations=[{"key": "k", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 2**70}]), "workloads.api.tolerations.0.tolerationSeconds", "at most")),
)  # fmt: skip

URLS = cases(
    "url",
    ("no-host", Case(cp(url="https://"), "controlPlane.url", "with a host")),
    ("malformed-ipv6", Case(cp(url="http://[::1"), "controlPlane.url", "absolute http(s) URL")),
    ("wrong-scheme", Case(cp(url="ftp://cp.example.com"), "controlPlane.url", "absolute http(s) URL")),
    ("no-scheme", Case(cp(url="cp.example.com"), "controlPlane.url", "`https://api.host.langchain.com`")),
    ("port-out-of-range", Case(cp(url="https://cp.example.com:99999"), "controlPlane.url", "absolute http(s) URL")),
    ("query", Case(cp(url="https://cp.example.com/api-host?tenant=1"), "controlPlane.url", "absolute http(s) URL")),
    ("space", Case(cp(url="https://cp example.com"), "controlPlane.url", "absolute http(s) URL")),
    ("api-path-in-root", Case(cp(url="https://ls.example.com/api-host/v2/"), "controlPlane.url", "self-hosted LangSmith `https://<host>/api-host`")),
    ("langsmith-api-as-root", Case(cp(url="https://ls.example.com/api/v1"), "controlPlane.url", "self-hosted LangSmith `https://<host>/api-host`")),
    ("smith-url-not-a-url", Case(cp(region="us", smithUrl="not a url"), "controlPlane.smithUrl", "absolute http(s) URL")),
    ("langsmith-endpoint-no-host", Case(cp(region="us", langsmithEndpoint="https://"), "controlPlane.langsmithEndpoint", "with a host")),
    ("redis-uri-no-host", Case(base(externalRedisUris={"a": "redis://:r3dis-pw@"}), "externalRedisUris.a", "redis://:pass@host", ("r3dis-pw",))),
    ("postgres-uri-bad-port", Case(base(externalPostgresUris={"a": "postgresql://u:pg-pw-9@db:port/x"}), "externalPostgresUris.a", "postgresql://user:pass@host", ("pg-pw-9",))),
    ("postgres-uri-wrong-scheme", Case(base(externalPostgresUris={"a": "mysql://u:my-pw-3@db/x"}), "externalPostgresUris.a", "--secret --path", ("my-pw-3",))),
    ("inner-space", Case(cp(url=" https://cp.example .com "), "controlPlane.url", "absolute http(s) URL")),
)  # fmt: skip

# The chart repository's fix is about chart repositories, never the control plane's URL.
CHART_REPOSITORIES = cases(
    "chart-repository",
    ("wrong-scheme", Case(chart(repository="ftp://charts.example.com"), "operator.chart.repository", "`oci://registry.example.com/helm-charts`")),
    ("no-scheme", Case(chart(repository="langchain-ai.github.io/helm"), "operator.chart.repository", "`https://langchain-ai.github.io/helm`")),
    ("oci-no-host", Case(chart(repository="oci://"), "operator.chart.repository", "an OCI registry path")),
    ("oci-names-the-chart", Case(chart(repository="oci://registry.example.com/charts/langgraph-dataplane"), "operator.chart.repository", "an OCI registry path")),
    ("query", Case(chart(repository="https://charts.example.com/helm?token=x"), "operator.chart.repository", "`index.yaml`")),
    ("credentials", Case(chart(repository="https://bot:ch4rt-pw@charts.example.com"), "operator.chart.repository", "`helm registry login`", ("ch4rt-pw",))),
)  # fmt: skip

URL_CREDENTIALS = cases(
    "url-credentials",
    ("user-and-password", Case(cp(url="https://admin:hunter2-pw@cp.example.com"), "controlPlane.url", "never in a URL", ("hunter2-pw", "admin:"))),
    ("token-as-user", Case(cp(url="https://tok3n-abcdef@cp.example.com"), "controlPlane.url", "never in a URL", ("tok3n-abcdef",))),
    ("smith-url", Case(cp(region="us", smithUrl="https://u:sm1th-pw@smith.example.com"), "controlPlane.smithUrl", "never in a URL", ("sm1th-pw",))),
    ("langsmith-endpoint", Case(cp(region="eu", langsmithEndpoint="https://u:ls-pw-77@ls.example.com/api"), "controlPlane.langsmithEndpoint", "never in a URL", ("ls-pw-77",))),
    ("with-bad-port", Case(cp(url="https://u:p0rt-pw@cp.example.com:x"), "controlPlane.url", "never in a URL", ("p0rt-pw",))),
)  # fmt: skip

# `langsmithUrl` derives the control plane; beside `url` or `region` it must name the same one.
CONTROL_PLANE = cases(
    "control-plane",
    ("url-and-langsmith-url-disagree", Case(cp(url="https://cp.example.com/api-host", langsmithUrl="https://langsmith.example.com"), "controlPlane.langsmithUrl", "replace `langsmithUrl` by `smithUrl: https://langsmith.example.com/api/v1`")),
    ("url-and-cloud-langsmith-url", Case(cp(url="https://cp.example.com/api-host", langsmithUrl="https://api.smith.langchain.com"), "controlPlane.langsmithUrl", "keep `langsmithUrl` alone")),
    ("region-and-self-hosted", Case(cp(region="us", langsmithUrl="https://langsmith.example.com/api/v1"), "controlPlane.langsmithUrl", "to keep `region`")),
    ("region-and-other-cloud", Case(cp(region="us", langsmithUrl="https://eu.api.smith.langchain.com"), "controlPlane.langsmithUrl", "to keep `region`, remove it")),
    ("unknown-cloud-region", Case(cp(langsmithUrl="https://apac.api.smith.langchain.com"), "controlPlane.langsmithUrl", "set `region`")),
    ("control-plane-host", Case(cp(langsmithUrl="https://api.host.langchain.com"), "controlPlane.langsmithUrl", "give the control plane's `url`")),
    ("langsmith-url-not-a-url", Case(cp(langsmithUrl="langsmith.example.com"), "controlPlane.langsmithUrl", "absolute http(s) URL")),
    ("langsmith-url-credentials", Case(cp(langsmithUrl="https://u:lsurl-pw-5@langsmith.example.com"), "controlPlane.langsmithUrl", "never in a URL", ("lsurl-pw-5",))),
)  # fmt: skip

SCALE_BOUNDS = cases(
    "bounds",
    ("min-above-max", Case(spec(min_scale=5, max_scale=2), "deployments.a.resourceSpec.min_scale", "raise `max_scale` to at least 5")),
    ("queue-min-above-max", Case(spec(queue_min_scale=4, queue_max_scale=1), "deployments.a.resourceSpec.queue_min_scale", "raise `queue_max_scale`")),
    ("cpu-above-limit", Case(spec(cpu=2, cpu_limit=1), "deployments.a.resourceSpec.cpu", "raise `cpu_limit`")),
    ("memory-above-limit", Case(spec(memory_mb=4096, memory_limit_mb=1024), "deployments.a.resourceSpec.memory_mb", "raise `memory_limit_mb`")),
    ("static-min-above-default-max", Case(static(resourceSpec={"min_scale": 3}), "deployments.s.static.resourceSpec.min_scale", "set `max_scale` to at least 3")),
    ("static-db-cpu-above-limit", Case(static(resourceSpec={"db_cpu": 4, "db_cpu_limit": 2}), "deployments.s.static.resourceSpec.db_cpu", "raise `db_cpu_limit`")),
)  # fmt: skip

NAMES = cases(
    "name",
    ("deployment-not-a-label", Case({"deployments": {"Agent_A": {}}}, "deployments.Agent_A", "`agent-alpha`")),
    ("deployment-number", Case({"deployments": {123: {}}}, "deployments.123", "`agent-alpha`")),
    ("namespace", Case({"namespaces": {"names": ["Bad_Name"]}}, "namespaces.names", "`langgraph`")),
    ("static-deployment-id", Case(static(deploymentId="dep with spaces"), "deployments.s.static.deploymentId", "UUIDs")),
    ("static-revision-id-too-long", Case(static(revisionId="r" * 70), "deployments.s.static.revisionId", "at most 63")),
    ("static-reference-reserved", Case(static(secretReferences=[{"name": "DATABASE_URI", "secretName": "db", "secretKey": "uri"}]), "deployments.s.static.secretReferences", "use an environment variable name of your own")),
    ("static-reference-secret-name", Case(static(secretReferences=[{"name": "SEARCH_KEY", "secretName": "Search_Creds", "secretKey": "key"}]), "deployments.s.static.secretReferences", "the Secret's lowercase name")),
    ("static-reference-twice", Case(static(secretReferences=[{"name": "K", "secretName": "a", "secretKey": "k"}, {"name": "K", "secretName": "b", "secretKey": "k"}]), "deployments.s.static.secretReferences", "once")),
    ("static-reference-missing-key", Case(static(secretReferences=[{"name": "K", "secretName": "a"}]), "deployments.s.static.secretReferences.0.secretKey", "")),
    ("pinned-revision-path", Case({"deployments": {"a": {"revision": "../../etc"}}}, "deployments.a.revision", "revision's id")),
    ("workspace-id-newline", Case(cp(region="us", workspaceId="ws 1\n"), "controlPlane.workspaceId", "workspace's UUID")),
    ("listener-name", Case(cp(region="us", listenerComputeId="dev cluster!"), "controlPlane.listenerComputeId", "`prod-eks`")),
    ("toleration-key", Case(api_pod(tolerations=[{"key": "bad key!", "operator": "Exists"}]), "workloads.api.tolerations.0.key", "`[prefix/]name`")),
    ("topology-key", Case(api_pod(topologySpreadConstraints=[{"maxSkew": 1, "topologyKey": "Zone Key", "whenUnsatisfiable": "ScheduleAnyway"}]), "workloads.api.topologySpreadConstraints.0.topologyKey", "`topology.kubernetes.io/zone`")),
    ("volume-name", Case(api_pod(extraVolumes=[{"name": "Data_Vol", "emptyDir": {}}]), "workloads.api.extraVolumes", "`cache`")),
    ("service-account", Case({"servers": {"serviceAccount": {"name": "My SA"}}}, "servers.serviceAccount.name", "`agents-sa`")),
)  # fmt: skip

# Names Kubernetes would refuse at `up`, and keys or values that YAML read as something else:
# Pulumi hands a section over as JSON text, its map keys made text (`1e3:` arrives as "1000",
# `null:` as "<nil>"), its list items and values typed (`1e3` arrives as 1000, `true` as true).
DERIVED_NAMES = cases(
    "derived-name",
    ("deployment-starts-with-digit", Case({"deployments": {"1agent": {}}}, "deployments.1agent", "starts with a letter")),
    ("static-starts-with-digit", Case({"deployments": {"9lives": {"static": {"image": "ghcr.io/acme/agent:1.0"}}}}, "deployments.9lives", "starts with a letter")),
    ("deployment-too-long", Case({"deployments": {"a" * 41: {}}}, "deployments." + "a" * 41, "at most 40 characters")),
    ("yaml-number-key-from-pulumi", Case({"deployments": '{"1000": {}}'}, "deployments.1000", "starts with a letter")),
    ("yaml-null-key-from-pulumi", Case({"deployments": '{"<nil>": {}}'}, "deployments.<nil>", "starts with a letter")),
    ("yaml-1.1-boolean-key", Case({"deployments": {False: {}}}, "deployments.False", "`'no':`")),
    ("yaml-float-key", Case({"deployments": {1000.0: {}}}, "deployments.1000.0", "`'no':`")),
    ("namespace-read-as-number", Case({"namespaces": '{"names": ["langgraph", 1000]}'}, "namespaces.names.1", "`'1e3'`")),
    ("namespace-read-as-boolean", Case({"namespaces": {"names": [True]}}, "namespaces.names.0", "`'yes'`")),
    ("label-value-read-as-number", Case({"commonLabels": {"tier": 31}}, "commonLabels.tier", "`'1e3'`")),
    ("pod-label-read-as-boolean", Case(api_pod(podLabels={"sidecar.istio.io/inject": False}), "workloads.api.podLabels.sidecar.istio.io/inject", "`'yes'`")),
    ("secret-read-as-number", Case({"externalPostgresUris": {"a": 12345678}}, "externalPostgresUris.a", "as text", ("12345678",))),
    ("static-tag-gives-no-revision", Case({"deployments": {"s": {"static": {"image": "ghcr.io/acme/agent:_"}}}}, "deployments.s.static.revisionId", "set `revisionId`")),
    ("static-tag-of-dashes", Case({"deployments": {"s": {"static": {"image": "ghcr.io/acme/agent:_--"}}}}, "deployments.s.static.revisionId", "set `revisionId`")),
    ("static-revision-ends-in-dash", Case(static(revisionId="v1-"), "deployments.s.static.revisionId", "ending with a letter or digit")),
    ("pinned-revision-too-long-for-a-label", Case({"deployments": {"a": {"revision": "r" * 100}}}, "deployments.a.revision", "revision's id")),
    ("pinned-revision-ends-in-dot", Case({"deployments": {"a": {"revision": "4f1c2d3e."}}}, "deployments.a.revision", "revision's id")),
)  # fmt: skip

PLAIN_WORDS = cases(
    "words",
    ("section-given-text", Case({"servers": "abc"}, "servers", "`key: value` lines")),
    ("list-given-text", Case({"namespaces": {"names": "langgraph"}}, "namespaces.names", "`- item`")),
    ("choice", Case({"reconciler": "helm"}, "reconciler", "`pulumi` or `listener`")),
    ("boolean", Case({"postgres": {"deletionProtection": "maybe"}}, "postgres.deletionProtection", "`true` or `false`")),
    ("number-given-word", Case(cp(region="us", timeoutSeconds="soon"), "controlPlane.timeoutSeconds", "`30`")),
    ("zero-timeout", Case(cp(region="us", timeoutSeconds=0), "controlPlane.timeoutSeconds", "more than 0")),
    ("deadline-above-an-hour", Case(cp(region="us", deadlineSeconds=7200), "controlPlane.deadlineSeconds", "at most 3600")),
    ("infinite-deadline", Case({"controlPlane": '{"region": "us", "listenerComputeId": "c", "discoveryDeadlineSeconds": Infinity}'}, "controlPlane.discoveryDeadlineSeconds", "`30`")),
    ("env-given-text", Case(api_pod(extraEnv="FOO=1"), "workloads.api.extraEnv", "`- item`")),
    ("misspelt-key", Case({"servers": {"jobsPerWorkr": 3}}, "servers.jobsPerWorkr", "write `jobsPerWorker`")),
    ("misspelt-top-key", Case({"namespace": {"names": ["a"]}}, "namespace", "write `namespaces`")),
    ("unknown-workload", Case({"workloads": {"worker": {}}}, "workloads.worker", "use one of listener, api")),
)  # fmt: skip

ENV_CREDENTIALS = cases(
    "env-credential",
    ("PGPASSWORD", Case(env("PGPASSWORD", "pg-literal-1"), "workloads.api.extraEnv.0", "valueFrom.secretKeyRef", ("pg-literal-1",))),
    ("MYSQL_PWD", Case(env("MYSQL_PWD", "my-literal-2"), "workloads.api.extraEnv.0", "--secret", ("my-literal-2",))),
    ("DB_PASS", Case(env("DB_PASS", "db-literal-3"), "workloads.api.extraEnv.0", "valueFrom.secretKeyRef", ("db-literal-3",))),
    ("GITHUB_PAT", Case(env("GITHUB_PAT", "gh-literal-4"), "workloads.api.extraEnv.0", "valueFrom.secretKeyRef", ("gh-literal-4",))),
    ("DATABASE_URL", Case(env("DATABASE_URL", "postgres://u:url-literal-5@h/db"), "workloads.api.extraEnv.0", "valueFrom.secretKeyRef", ("url-literal-5",))),
    ("PRIVATEKEY", Case(env("PRIVATEKEY", "pk-literal-6"), "workloads.api.extraEnv.0", "valueFrom.secretKeyRef", ("pk-literal-6",))),
    ("SLACK_WEBHOOK_URL", Case(env("SLACK_WEBHOOK_URL", "https://hooks.example.com/T0/B0/hook-literal-7"), "workloads.api.extraEnv.0", "valueFrom.secretKeyRef", ("hook-literal-7",))),
    ("password-in-a-url-value", Case(env("CACHE_ENDPOINT", "redis://:cache-literal-8@cache:6379"), "workloads.api.extraEnv.0", "valueFrom.secretKeyRef", ("cache-literal-8",))),
    ("langsmith-key-value", Case(env("LS_THING", "lsv2_pt_value_literal_9"), "workloads.api.extraEnv.0", "configMapKeyRef", ("lsv2_pt_value_literal_9",))),
    ("sidecar-env", Case(api_pod(sidecars=[{"name": "p", "image": "e:1", "env": [{"name": "PGPASSWORD", "value": "side-literal-10"}]}]), "workloads.api.sidecars", "valueFrom.secretKeyRef", ("side-literal-10",))),
    ("value-of-wrong-type", Case(api_pod(extraEnv=[{"name": "DB_PASS", "value": 424242}]), "workloads.api.extraEnv.0.value", "as text", ("424242",))),
    # Short forms of "password" and ambiguous names whose value looks generated (issue 26, class 4).
    ("bare-PWD-random", Case(env("PWD", "Tn5xQw2LmZ8vKp4r"), "workloads.api.extraEnv.0", "valueFrom.secretKeyRef", ("Tn5xQw2LmZ8vKp4r",))),
    ("glued-SMTPPASS", Case(env("SMTPPASS", "Vx3kLq9zWm2pRt7s"), "workloads.api.extraEnv.0", "valueFrom.secretKeyRef", ("Vx3kLq9zWm2pRt7s",))),
    ("REDIS_AUTH-random", Case(env("REDIS_AUTH", "Hk7pQ2zWm9vXr4Ls"), "workloads.api.extraEnv.0", "valueFrom.secretKeyRef", ("Hk7pQ2zWm9vXr4Ls",))),
    ("NEO4J_AUTH-user-password", Case(env("NEO4J_AUTH", "neo4j/Xw9kLq2zPm7vRt4s"), "workloads.api.extraEnv.0", "valueFrom.secretKeyRef", ("Xw9kLq2zPm7vRt4s",))),
    ("erlang-cookie", Case(env("RABBITMQ_ERLANG_COOKIE", "ZJ4kQw8LmP2xVn7sRt"), "workloads.api.extraEnv.0", "valueFrom.secretKeyRef", ("ZJ4kQw8LmP2xVn7sRt",))),
    ("wordpress-salt", Case(env("WORDPRESS_AUTH_SALT", "salt-literal-12"), "workloads.api.extraEnv.0", "valueFrom.secretKeyRef", ("salt-literal-12",))),
    # Known key formats inside a value: a JSON map, a header list, JVM options, a JWT.
    ("bearer-in-json-headers", Case(env("MODEL_HEADERS", '{"Authorization": "Bearer sk-proj-Xa8kQw2LmZ7pVn3sRt9yBc4d"}'), "workloads.api.extraEnv.0", "configMapKeyRef", ("Xa8kQw2LmZ7pVn3sRt9yBc4d",))),
    ("api-key-header-line", Case(env("CUSTOM_HEADERS", "X-Api-Key: lsv2_sk_inner_literal_13"), "workloads.api.extraEnv.0", "valueFrom.secretKeyRef", ("lsv2_sk_inner_literal_13",))),
    ("otlp-basic-auth-header", Case(env("OTEL_EXPORTER_OTLP_HEADERS", "Authorization=Basic%20YWdlbnQ6N2hGcTJ4TG1w"), "workloads.api.extraEnv.0", "valueFrom.secretKeyRef", ("YWdlbnQ6N2hGcTJ4TG1w",))),
    ("otlp-ingestion-key-header", Case(env("OTEL_EXPORTER_OTLP_HEADERS", "signoz-ingestion-key=7c1f0e3a-9b2d-4c5e-8f6a"), "workloads.api.extraEnv.0", "valueFrom.secretKeyRef", ("7c1f0e3a-9b2d-4c5e-8f6a",))),
    ("runs-endpoints-map", Case(env("LANGSMITH_RUNS_ENDPOINTS", '{"https://eu.api.smith.langchain.com": "lsv2_pt_map_literal_14"}'), "workloads.api.extraEnv.0", "valueFrom.secretKeyRef", ("lsv2_pt_map_literal_14",))),
    ("jvm-option-password", Case(env("JAVA_TOOL_OPTIONS", "-Xmx2g -Dspring.datasource.password=jvm-literal-15"), "workloads.api.extraEnv.0", "valueFrom.secretKeyRef", ("jvm-literal-15",))),
    ("signed-jwt", Case(env("CI_JOB_JWT_V2", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJqb2IifQ.c2lnbmF0dXJlLWxpdGVyYWw"), "workloads.api.extraEnv.0", "valueFrom.secretKeyRef", ("c2lnbmF0dXJlLWxpdGVyYWw",))),
    ("gitlab-token-mid-value", Case(env("CLONE_WITH", "use glpat-Xa8kQw2LmZ7pVn3sRt9y here"), "workloads.api.extraEnv.0", "valueFrom.secretKeyRef", ("Xa8kQw2LmZ7pVn3sRt9y",))),
    ("deployment-env-short-form", Case({"deployments": {"a": {"env": [{"name": "MAIL_PASS", "value": "mail-literal-16"}]}}}, "deployments.a.env.0", "valueFrom.secretKeyRef", ("mail-literal-16",))),
)  # fmt: skip

SECRET_VALUES = cases(
    "secret",
    ("blank-api-key", Case(base(apiKey="   "), "apiKey", "--secret")),
    ("api-key-with-newline", Case(base(apiKey="lsv2 secret-part\n"), "apiKey", "--secret", ("secret-part",))),
    ("empty-licence", Case(base(licenseKey=""), "licenseKey", "--secret")),
    ("api-key-number", Case(base(apiKey=98765432), "apiKey", "as text", ("98765432",))),
    ("key-in-the-wrong-place", Case(base(clusterDomain="lsv2_pt_misplaced_key_12"), "clusterDomain", "`cluster.local`", ("lsv2_pt_misplaced_key_12",))),
    ("static-secret-name", Case(static(secrets={"bad name": "static-literal-11"}), "deployments.s.static.secrets", "`OPENAI_API_KEY`", ("static-literal-11",))),
)  # fmt: skip

KUBERNETES_RULES = cases(
    "kubernetes",
    ("exists-with-value", Case(api_pod(tolerations=[{"key": "k", "operator": "Exists", "value": "v"}]), "workloads.api.tolerations.0.value", "drop `value`")),
    ("no-key-equal", Case(api_pod(tolerations=[{"operator": "Equal", "value": "v"}]), "workloads.api.tolerations.0.operator", "`operator: Exists`")),
    ("seconds-without-noexecute", Case(api_pod(tolerations=[{"key": "k", "operator": "Exists", "effect": "NoSchedule", "tolerationSeconds": 5}]), "workloads.api.tolerations.0.tolerationSeconds", "`effect: NoExecute`")),
    ("min-domains-schedule-anyway", Case(api_pod(topologySpreadConstraints=[{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "ScheduleAnyway", "minDomains": 2}]), "workloads.api.topologySpreadConstraints.0.minDomains", "drop `minDomains`")),
    ("nameserver-not-ip", Case(api_pod(dnsConfig={"nameservers": ["dns.google"]}), "workloads.api.dnsConfig.nameservers", "`10.0.0.10`")),
    ("sub-path-escapes", Case(api_pod(extraVolumes=[{"name": "v", "emptyDir": {}}], extraVolumeMounts=[{"name": "v", "mountPath": "/v", "subPath": "../x"}]), "workloads.api.extraVolumeMounts.0.subPath", "drop the leading")),
)  # fmt: skip

LISTENING = {"reconciler": "listener"}

# Numbers are numbers: `true` is not 1, and `"3"` is not 3 (only quotes in the file make it
# text: `pulumi config set --path` stores whole numbers as numbers). A field's own bound holds.
NUMBERS = cases(
    "number",
    ("replicas-true", Case({**LISTENING, "listener": {"replicas": True}}, "listener.replicas", "whole number such as `1`")),
    ("replicas-text", Case({**LISTENING, "listener": {"replicas": "3"}}, "listener.replicas", "without quotes")),
    ("polling-interval-true", Case({"servers": {"queueKeda": {"enabled": True, "pollingInterval": True}}}, "servers.queueKeda.pollingInterval", "whole number")),
    ("deadline-true", Case(cp(region="us", deadlineSeconds=True), "controlPlane.deadlineSeconds", "such as `60`")),
    ("timeout-false", Case(cp(region="us", timeoutSeconds=False), "controlPlane.timeoutSeconds", "a number such as")),
    ("whole-text-in-seconds", Case(cp(region="us", discoveryDeadlineSeconds="90"), "controlPlane.discoveryDeadlineSeconds", "without quotes")),
    ("keda-window-two-hours", Case({"servers": {"queueKeda": {"enabled": True, "scaleDownStabilizationWindowSeconds": 7200}}}, "servers.queueKeda.scaleDownStabilizationWindowSeconds", "at most 3600")),
    ("cooldown-text", Case({"servers": {"queueKeda": {"enabled": True, "cooldownPeriod": "300"}}}, "servers.queueKeda.cooldownPeriod", "without quotes")),
    ("jobs-true", Case({"servers": {"jobsPerWorker": True}}, "servers.jobsPerWorker", "whole number")),
    ("percent-text", Case({"servers": {"cpuTargetPercent": "80"}}, "servers.cpuTargetPercent", "without quotes")),
    ("min-replicas-true", Case({"servers": {"minReplicas": True}}, "servers.minReplicas", "whole number")),
    ("drain-text", Case({"servers": {"drainSeconds": "10"}}, "servers.drainSeconds", "without quotes")),
    ("mongo-storage-true", Case({"mongo": {"mode": "in-cluster", "storageGi": True}}, "mongo.storageGi", "whole number")),
    ("preflight-timeout-true", Case({"preflight": {"enabled": True, "timeoutSeconds": True}}, "preflight.timeoutSeconds", "a number such as")),
    ("grace-true", Case(api_pod(terminationGracePeriodSeconds=True), "workloads.api.terminationGracePeriodSeconds", "whole number")),
    ("max-skew-text", Case(api_pod(topologySpreadConstraints=[{"maxSkew": "1", "topologyKey": "zone", "whenUnsatisfiable": "ScheduleAnyway"}]), "workloads.api.topologySpreadConstraints.0.maxSkew", "without quotes")),
    ("toleration-seconds-true", Case(api_pod(tolerations=[{"key": "k", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": True}]), "workloads.api.tolerations.0.tolerationSeconds", "whole number")),
    ("spec-true", Case(spec(max_scale=True), "deployments.a.resourceSpec.max_scale", "plain numbers")),
    ("static-spec-false", Case(static(resourceSpec={"cpu": False}), "deployments.s.static.resourceSpec.cpu", "plain numbers")),
    ("spec-whole-text", Case(spec(max_scale="3"), "deployments.a.resourceSpec.max_scale", "plain numbers")),
)  # fmt: skip

# Each quantity in its resource's unit: cores for CPU, bytes for memory and storage.
QUANTITY_KINDS = cases(
    "quantity-kind",
    ("cpu-in-mebibytes", Case(listener_resources(cpu="100Mi"), "listener.resources.cpu", "millicores")),
    ("cpu-limit-in-gigabytes", Case(listener_resources(cpuLimit="2G"), "listener.resources.cpuLimit", "millicores")),
    ("cpu-in-kilo", Case(listener_resources(cpu="1k"), "listener.resources.cpu", "millicores")),
    ("memory-without-unit", Case(listener_resources(memory="2"), "listener.resources.memory", "`512Mi`")),
    ("memory-limit-fraction", Case(listener_resources(memoryLimit="0.5"), "listener.resources.memoryLimit", "`2Gi`")),
    ("sidecar-cpu-in-mebibytes", Case(api_pod(sidecars=[{"name": "p", "image": "e:1", "resources": {"limits": {"cpu": "100Mi"}}}]), "workloads.api.sidecars", "`cpu: 100m`")),
    ("sidecar-memory-number", Case(api_pod(sidecars=[{"name": "p", "image": "e:1", "resources": {"requests": {"memory": 1}}}]), "workloads.api.sidecars", "`memory: 128Mi`")),
    ("sidecar-storage-millis", Case(api_pod(sidecars=[{"name": "p", "image": "e:1", "resources": {"requests": {"ephemeral-storage": "500m"}}}]), "workloads.api.sidecars", "`ephemeral-storage`")),
    ("sidecar-cpu-true", Case(api_pod(sidecars=[{"name": "p", "image": "e:1", "resources": {"requests": {"cpu": True}}}]), "workloads.api.sidecars", "`cpu: 100m`")),
    ("sidecar-storage-above-limit", Case(api_pod(sidecars=[{"name": "p", "image": "e:1", "resources": {"requests": {"ephemeral-storage": "2Gi"}, "limits": {"ephemeral-storage": "1Gi"}}}]), "workloads.api.sidecars", "raise the limit")),
)  # fmt: skip

# A setting that another turns off does nothing: one of the two must go.
DEAD_SETTINGS = cases(
    "dead",
    ("keda-without-queue", Case({"servers": {"queueEnabled": False, "queueKeda": {"enabled": True}}}, "servers.queueKeda.enabled", "set `servers.queueEnabled: true`")),
    ("queue-pods-without-queue", Case({"servers": {"queueEnabled": False}, "workloads": {"queue": {"priorityClassName": "high"}}}, "workloads.queue", "remove `workloads.queue`")),
    ("listener-with-pulumi", Case({"listener": {"replicas": 2}}, "listener", "set `reconciler: listener`")),
    ("listener-pods-with-pulumi", Case({"workloads": {"listener": {"nodeSelector": {"pool": "system"}}}}, "workloads.listener", "remove `workloads.listener`")),
    ("operator-with-pulumi", Case(chart(repository="https://charts.example.com/helm"), "operator", "set `reconciler: listener`")),
    ("listener-redis-with-pulumi", Case(base(externalRedisUris={"listener": "redis://:lr-pw-1@r:6379/0"}), "externalRedisUris.listener", "set `reconciler: listener`", ("lr-pw-1",))),
    ("mongo-image-with-none", Case({"mongo": {"image": "docker.io/library/mongo:7.0.14"}}, "mongo.image", "set `mongo.mode`")),
    ("mongo-storage-with-none", Case({"mongo": {"mode": "none", "storageGi": 50}}, "mongo.storageGi", "set `mongo.mode`")),
    ("mongo-pods-with-none", Case({"workloads": {"mongo": {"priorityClassName": "high"}}}, "workloads.mongo", "set `mongo.mode`")),
    ("mongo-uri-with-none", Case(base(externalMongoUris={"a": "mongodb://u:mg-pw-2@m:27017/x"}), "externalMongoUris.a", "set `mongo.mode: external`", ("mg-pw-2",))),
    ("postgres-uri-in-cluster", Case(base(externalPostgresUris={"a": "postgresql://u:pg-pw-3@db/x"}), "externalPostgresUris.a", "`deployments.a.postgres.mode`", ("pg-pw-3",))),
)  # fmt: skip

# snake_case alone is taken; beside its camelCase twin, one of them must go.
TWINS = cases(
    "twin",
    ("servers-queue-enabled", Case({"servers": {"queue_enabled": False, "queueEnabled": True}}, "servers.queue_enabled", "keep `queueEnabled` and remove `queue_enabled`")),
    ("control-plane-timeout", Case(cp(region="us", timeout_seconds=5, timeoutSeconds=10), "controlPlane.timeout_seconds", "keep `timeoutSeconds`")),
    ("pod-in-a-map", Case(api_pod(priority_class_name="a", priorityClassName="b"), "workloads.api.priority_class_name", "keep `priorityClassName`")),
    ("toleration-in-a-list", Case(api_pod(tolerations=[{"key": "k", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 5, "toleration_seconds": 6}]), "workloads.api.tolerations.0.toleration_seconds", "remove `toleration_seconds`")),
    ("top-level", Case({"renderDir": "out", "render_dir": "out2"}, "render_dir", "keep `renderDir`")),
)  # fmt: skip

ALL = (
    QUANTITIES + INTEGERS + URLS + URL_CREDENTIALS + CONTROL_PLANE + CHART_REPOSITORIES + SCALE_BOUNDS
    + NAMES + DERIVED_NAMES + PLAIN_WORDS + ENV_CREDENTIALS + SECRET_VALUES + KUBERNETES_RULES
    + NUMBERS + QUANTITY_KINDS + DEAD_SETTINGS + TWINS
)  # fmt: skip


def refused(raw: dict[str, Any]) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        parse_stack_config(raw, SECRETS)
    return info.value


def test_there_are_at_least_sixty_distinct_bad_configs() -> None:
    raws = {json.dumps(p.values[0].raw, sort_keys=True, default=str) for p in ALL}
    assert len(raws) == len(ALL) >= 60, len(ALL)


@pytest.mark.parametrize("case", ALL)
def test_a_bad_config_names_its_key_and_its_fix_and_no_secret(case: Case) -> None:
    raw = base(**copy.deepcopy(case.raw))
    error = refused(raw)
    text = str(error)
    prefix = f"dataplane:{case.path}: "
    mine = [p for p in error.problems if p.startswith(prefix)]
    assert mine, f"no problem at {case.path}:\n{text}"
    assert any(case.fix in p.split(" Fix: ", 1)[-1] for p in mine), text
    assert all(" Fix: " in p for p in error.problems), text
    assert not [w for w in PYDANTIC_WORDS if w in text], text
    if case.path.startswith("operator.chart"):
        assert "controlPlane" not in text and "api.host.langchain.com" not in text, text
    for secret in (*case.secrets, API_KEY, LICENCE):
        assert secret not in text, f"{secret!r} repeated in:\n{text}"


def test_every_problem_is_reported_at_once_even_with_a_required_key_missing() -> None:
    raw = base(
        controlPlane={"url": "http://x.example.com", "region": "us"},  # no listenerComputeId
        exposure={"ingress": {"enabled": True, "hostname": "https://agents.example.com"}},
        deployments={7: {}, "b": {"redis": {"mode": "external"}}},
        workloads={"api": {"extraEnv": [{"name": "PORT", "value": "1"}]}},
        servers={"minReplicas": 0},
    )
    raw.pop("licenseKey")
    error = refused(raw)
    found = error.problems
    text = "\n".join(found)
    expected = [
        "dataplane:controlPlane.listenerComputeId: required but missing",
        "dataplane:licenseKey: required but missing",
        "dataplane:controlPlane: both `url` and `region` are set",  # across keys, still run
        "dataplane:exposure.ingress.hostname: not a valid host name",
        "dataplane:deployments.7: 7 is not a deployment name",
        "dataplane:workloads.api.extraEnv: ['PORT'] are set by the data plane",
        "dataplane:servers.minReplicas: must be at least 1",
    ]
    for start in expected:
        assert any(p.startswith(start) for p in found), f"{start!r} not in:\n{text}"
    # A hostname that was given and refused is not also "required".
    assert "hostname: required" not in text
    # The numeric deployment key gets the deployments' fix, not the workloads'.
    assert "use one of listener" not in text
    assert len(found) == len(expected), text


STATIC_ENTRY = {
    "deploymentId": "d1",
    "namespace": "langgraph",
    "revisionId": "r1",
    "image": "ghcr.io/acme/agent:1.0",
}
CONTROL_PLANE = {"region": "us", "listenerComputeId": "dev-cluster"}


def standalone(**overrides: Any) -> dict[str, Any]:
    raw = {"licenseKey": LICENCE, "deployments": {"s": {"static": dict(STATIC_ENTRY)}}}
    raw.update(overrides)
    return raw


def synced(**overrides: Any) -> dict[str, Any]:
    raw = {"controlPlane": dict(CONTROL_PLANE), "apiKey": API_KEY, "licenseKey": LICENCE}
    raw.update(overrides)
    return raw


# One mistake each: a key refused (and dropped), or misspelt, must not also be reported as
# missing, nor make a check that depends on it report a second, wrong problem.
ONE_MISTAKE = [
    pytest.param(standalone(deployments={"s": {"static": {**STATIC_ENTRY, "image": "ghcr.io/acme/agent:latest"}}}), "deployments.s.static.image", id="static-image-latest"),
    pytest.param(standalone(deployments={"s": {"static": {k: v for k, v in STATIC_ENTRY.items() if k != "image"}}}), "deployments.s.static.image", id="static-image-missing"),
    pytest.param(standalone(deployments={"s": {"static": "ghcr.io/acme/agent:1.0"}}), "deployments.s.static", id="static-as-text"),
    pytest.param(standalone(deployments={"s": {"statc": dict(STATIC_ENTRY)}}), "deployments.s.statc", id="static-misspelt"),
    pytest.param(standalone(deployments={7: {"static": dict(STATIC_ENTRY)}}), "deployments.7", id="only-deployment-refused"),
    pytest.param({"controlplane": dict(CONTROL_PLANE), "apiKey": API_KEY, "licenseKey": LICENCE, "deployments": {"a": {}}}, "controlplane", id="controlPlane-lowercase"),
    pytest.param({"controlplane": dict(CONTROL_PLANE), "apiKey": API_KEY, "licenseKey": LICENCE}, "controlplane", id="controlPlane-lowercase-no-deployments"),
    pytest.param({"controlplane": dict(CONTROL_PLANE), "apiKey": API_KEY, "licenseKey": LICENCE, "reconciler": "listener"}, "controlplane", id="controlPlane-lowercase-listener"),
    pytest.param(synced(apiKey=None, apikey=API_KEY), "apikey", id="apiKey-lowercase"),
    pytest.param(synced(licenseKey=None, licensekey=LICENCE), "licensekey", id="licenseKey-lowercase"),
    pytest.param(synced(controlPlane={"region": "us", "listenerComputeID": "dev-cluster"}), "controlPlane.listenerComputeID", id="listenerComputeId-case"),
    pytest.param(synced(reconciler="listener", redis={"mode": "external"}, externalRedisUri={"listener": "redis://:pw@h:6379/0"}), "externalRedisUri", id="externalRedisUris-misspelt"),
    pytest.param(standalone(exposure={"ingress": {"enabled": True, "hostnme": "agents.example.com"}}), "exposure.ingress.hostnme", id="ingress-hostname-misspelt"),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "path"), ONE_MISTAKE)
def test_one_mistake_is_reported_once_where_it_is(raw: dict[str, Any], path: str) -> None:
    raw = {k: v for k, v in copy.deepcopy(raw).items() if v is not None}
    with pytest.raises(ConfigError) as info:
        parse_stack_config(raw, [*SECRETS, "licensekey", "apikey", "externalRedisUri"])
    found = info.value.problems
    assert len(found) == 1, "\n".join(found)
    assert found[0].startswith(f"dataplane:{path}: ") and " Fix: " in found[0], found[0]


def test_a_refused_key_still_lets_independent_problems_through() -> None:
    # Suppression is for knock-ons only: a reserved name beside a refused entry is its own
    # mistake, and the standalone check still sees a deployment that has no `static` at all.
    raw = standalone(
        deployments={"s": {"static": dict(STATIC_ENTRY)}, "t": {}},
        workloads={
            "api": {"extraEnv": [{"name": "PORT", "value": "1"}, {"name": "X", "value": 5}]}
        },
    )
    found = refused(raw).problems
    starts = [
        "dataplane:workloads.api.extraEnv.1.value: ",
        "dataplane:workloads.api.extraEnv: ['PORT'] are set by the data plane",
        "dataplane:deployments.t: a standalone stack (no `controlPlane`) has no revision",
    ]
    assert sorted(p.split(":", 2)[1] for p in found) == sorted(s.split(":", 2)[1] for s in starts)
    for start in starts:
        assert any(p.startswith(start) for p in found), (start, found)


def test_override_bounds_crossed_with_the_control_plane_are_reported_at_plan_time() -> None:
    from components.config import ConfigError as PlanError
    from components.planning.discovery import DiscoveredDeployment, Discovery
    from components.planning.plan import plan_sync

    config = parse_stack_config(
        base(deployments={"a": {"resourceSpec": {"max_scale": 2}}}), SECRETS
    )
    found = DiscoveredDeployment(
        id="id-a",
        name="a",
        namespace="langgraph",
        active_revision_id="r",
        latest_revision_id="r",
        resource_spec={"min_scale": 4, "max_scale": 8},
    )
    with pytest.raises(PlanError) as info:
        plan_sync(config, Discovery("l", [found]))
    (problem,) = info.value.problems
    assert problem.startswith(
        "dataplane:deployments.a.resourceSpec.max_scale: min_scale 4 is above"
    )
    assert "Fix: set `min_scale` here too" in problem
    # The control plane's own values alone are not the stack's problem.
    plain = parse_stack_config(base(), SECRETS)
    assert plan_sync(plain, Discovery("l", [found])).revisions[0].resource_spec["min_scale"] == 4


# A stack file's section as the Pulumi CLI (3.259, yaml.v3) hands it over, checked with the real
# CLI: `1e3:`, `0x1F:`, `012:`, `1.50:` and `null:` keys, and `1e3`, `true` and `0x1F` items.
PULUMI_DEPLOYMENTS = '{"1.5":{},"10":{},"1000":{},"31":{},"\\u003cnil\\u003e":{},"no":{},"true":{}}'
PULUMI_NAMESPACES = '{"names":["no",1000,true,31]}'


def test_names_yaml_read_as_numbers_or_nothing_say_so_and_plain_words_pass() -> None:
    error = refused(base(deployments=PULUMI_DEPLOYMENTS, namespaces=PULUMI_NAMESPACES))
    by_path = {p.split(": ", 1)[0]: p for p in error.problems}
    for key in ("1.5", "10", "1000", "31"):
        problem = by_path[f"dataplane:deployments.{key}"]
        assert "`1e3`, `0x1F`, `012`" in problem and f"arrived as `{key}`" in problem, problem
    assert "`null` or `~`" in by_path["dataplane:deployments.<nil>"]
    for index, written in ((1, "1000"), (2, "true"), (3, "31")):
        problem = by_path[f"dataplane:namespaces.names.{index}"]
        assert f"arrived as `{written}`" in problem and "quote it as written" in problem, problem
    # `no` stays text under YAML 1.2, and `true` as a key arrives as the text "true": both
    # are names Kubernetes takes, and nothing is said of them.
    assert not [
        p
        for p in error.problems
        if p.startswith(("dataplane:deployments.no:", "dataplane:deployments.true:"))
    ]
    assert "dataplane:namespaces.names.0" not in by_path


def test_a_derived_revision_id_is_always_a_label_value() -> None:
    from components.config.naming import label_value_problem
    from components.core.images import image_revision

    for tag in ("v1-", "1.0.", "_v1_", "a" * 62 + "-b", "a" * 62 + "._x", "A_B"):
        revision = image_revision(f"ghcr.io/acme/agent:{tag}")
        assert revision and label_value_problem(revision) is None, (tag, revision)
    assert image_revision("ghcr.io/acme/agent:_") is None
    assert image_revision("ghcr.io/acme/agent:_@sha256:" + "ab" * 32) == "sha256-abababababab"
