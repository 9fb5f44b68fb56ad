"""Stack config validation: good configs pass, each bad one names its path and its fix."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.config import ConfigError, check_served, parse_stack_config
from components.config.fields import CONTROL_PLANE_URL_ENV
from components.config.loading import load_stack_config
from components.config.schema import ControlPlaneConfig
from components.controlplane import REGION_BASE_URLS
from components.controlplane.derive import cloud_region, derived_base_url, same_control_plane
from components.spec.args import SMITH_URL

SECRETS = ["apiKey", "licenseKey", "externalPostgresUris", "externalRedisUris", "deployments"]


def base(**overrides: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "controlPlane": {"url": "http://127.0.0.1:8765", "listenerComputeId": "dev-cluster"},
        "apiKey": "lsv2_test_key",
        "licenseKey": "lic-test",
    }
    raw.update(overrides)
    return raw


def problems(raw: dict[str, Any], secret_keys: list[str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_stack_config(raw, SECRETS if secret_keys is None else secret_keys)
    return info.value.problems


def test_minimal_config_gets_defaults() -> None:
    config = parse_stack_config(base(), SECRETS)
    assert config.control_plane.base_url == "http://127.0.0.1:8765"
    assert config.namespaces.names == ["langgraph"]
    assert config.reconciler == "pulumi"
    assert config.postgres.deletion_protection is True
    assert config.postgres.image.endswith(":0.8.0-pg15")
    assert config.servers.jobs_per_worker == 10
    assert config.api_key.get_secret_value() == "lsv2_test_key"
    assert "lsv2_test_key" not in repr(config)


def test_json_text_is_decoded_like_pulumi_hands_it_over() -> None:
    raw = base(controlPlane=json.dumps({"region": "eu", "listenerComputeId": "c"}))
    config = parse_stack_config(raw, SECRETS)
    assert config.control_plane.base_url == "https://eu.api.host.langchain.com"


@pytest.mark.parametrize(
    ("written", "root"),
    [
        ("https://langsmith.example.com/api-host", "https://langsmith.example.com/api-host"),
        ("https://langsmith.example.com/api-host/", "https://langsmith.example.com/api-host"),
        ("https://langsmith.example.com//api-host//", "https://langsmith.example.com/api-host"),
        ("http://127.0.0.1:8765/api-host", "http://127.0.0.1:8765/api-host"),
        ("https://corp.example.com/tools/langsmith/api-host/", "https://corp.example.com/tools/langsmith/api-host"),
        ("https://api.host.langchain.com/", "https://api.host.langchain.com"),
        (" https://langsmith.example.com/api-host/ \n", "https://langsmith.example.com/api-host"),
    ],
)  # fmt: skip
def test_a_self_hosted_url_keeps_its_prefix_written_one_way(written: str, root: str) -> None:
    config = parse_stack_config(
        base(controlPlane={"url": written, "listenerComputeId": "c"}), SECRETS
    )
    assert config.control_plane.base_url == config.control_plane.url == root


def test_spaces_around_every_url_are_dropped_as_the_readme_says() -> None:
    # A paste with a trailing space or line break is the URL; a space inside it is refused.
    control_plane = {
        "region": "us",
        "listenerComputeId": "c",
        "smithUrl": "https://smith.example.com/api/v1 ",
        "langsmithEndpoint": "\thttps://ls.example.com/api/v1",
    }
    raw = base(
        controlPlane=control_plane,
        reconciler="listener",
        operator={"chart": {"repository": " https://charts.example.com/helm\n"}},
    )
    config = parse_stack_config(raw, SECRETS)
    assert config.control_plane.smith_url == "https://smith.example.com/api/v1"
    assert config.control_plane.langsmith_endpoint == "https://ls.example.com/api/v1"
    assert config.operator.chart.repository == "https://charts.example.com/helm"


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("oci://registry.example.com/helm-charts", "oci://registry.example.com/helm-charts"),
        (" oci://registry.example.com:5000/helm-charts/ ", "oci://registry.example.com:5000/helm-charts"),
        ("oci://registry.example.com", "oci://registry.example.com"),
        ("https://mirror.example.com/helm/", "https://mirror.example.com/helm/"),
    ],
)  # fmt: skip
def test_a_chart_repository_may_be_an_oci_registry(written: str, kept: str) -> None:
    # The operator runs beside the listener only: its settings need `reconciler: listener`.
    raw = base(reconciler="listener", operator={"chart": {"repository": written}})
    assert parse_stack_config(raw, SECRETS).operator.chart.repository == kept


@pytest.mark.parametrize(
    ("written", "problem"),
    [
        ("https://langsmith.example.com/api-host/v2", "holds the API's own `/v2` path"),
        ("https://langsmith.example.com/v2/deployments", "holds the API's own `/v2` path"),
        ("https://langsmith.example.com/api/v1", "is the LangSmith API"),
        ("https://langsmith.example.com/api", "is the LangSmith API"),
    ],
)
def test_an_api_path_is_refused_as_the_root(written: str, problem: str) -> None:
    (found,) = problems(base(controlPlane={"url": written, "listenerComputeId": "c"}))
    assert found.startswith(f"dataplane:controlPlane.url: {problem}"), found
    assert "Fix: give the API's root" in found and "`https://<host>/api-host`" in found


# --- The control plane from the LangSmith API URL (`langsmithUrl`) and the environment ---

SELF_HOSTED = "https://langsmith.example.com"


def control_plane(env: str | None = None, **fields: Any) -> ControlPlaneConfig:
    raw = base(controlPlane={"listenerComputeId": "c", **fields})
    return parse_stack_config(raw, SECRETS, env).control_plane


@pytest.mark.parametrize(
    ("langsmith_url", "base_url"),
    [
        ("https://api.smith.langchain.com", "https://api.host.langchain.com"),
        ("https://api.smith.langchain.com/", "https://api.host.langchain.com"),
        ("https://API.Smith.LangChain.com/api/v1", "https://api.host.langchain.com"),
        ("https://eu.api.smith.langchain.com", "https://eu.api.host.langchain.com"),
    ],
)
def test_a_cloud_langsmith_url_gives_its_regions_control_plane(
    langsmith_url: str, base_url: str
) -> None:
    cp = control_plane(langsmithUrl=langsmith_url)
    assert cp.base_url == base_url
    assert cp.listener_smith_url == SMITH_URL  # the cloud's listener keeps its default
    assert REGION_BASE_URLS[cloud_region(langsmith_url) or ""] == base_url


@pytest.mark.parametrize(
    ("langsmith_url", "origin"),
    [
        (SELF_HOSTED, SELF_HOSTED),
        (f"{SELF_HOSTED}/", SELF_HOSTED),
        (f"{SELF_HOSTED}///", SELF_HOSTED),
        (f"{SELF_HOSTED}/api/v1/", SELF_HOSTED),
        ("HTTP://127.0.0.1:8765/api", "http://127.0.0.1:8765"),
        ("https://[fd00::1]:8443/", "https://[fd00::1]:8443"),
    ],
)
def test_a_self_hosted_langsmith_url_gives_api_host_and_the_listeners_api_on_its_origin(
    langsmith_url: str, origin: str
) -> None:
    cp = control_plane(langsmithUrl=langsmith_url)
    assert cp.base_url == f"{origin}/api-host"
    assert cp.listener_smith_url == f"{origin}/api/v1"


def test_an_explicit_smith_url_wins_over_the_derived_one() -> None:
    cp = control_plane(langsmithUrl=SELF_HOSTED, smithUrl="https://proxy.example.com/api/v1")
    assert cp.listener_smith_url == "https://proxy.example.com/api/v1"
    assert control_plane(region="eu").listener_smith_url == SMITH_URL


@pytest.mark.parametrize(
    "fields",
    [
        {"url": f"{SELF_HOSTED}/api-host/", "langsmithUrl": f"{SELF_HOSTED}/api/v1"},
        {"url": "HTTPS://LangSmith.Example.com:443/api-host", "langsmithUrl": SELF_HOSTED},
        {
            "url": "https://api.host.langchain.com",
            "langsmithUrl": "https://api.smith.langchain.com",
        },
        {"region": "eu", "langsmithUrl": "https://eu.api.smith.langchain.com"},
    ],
)
def test_an_explicit_control_plane_that_agrees_with_langsmith_url_is_kept(
    fields: dict[str, str],
) -> None:
    cp = control_plane(**fields)
    explicit = cp.url or REGION_BASE_URLS[cp.region or ""]
    assert cp.base_url == explicit  # as written (tidied), not re-derived
    assert same_control_plane(cp.base_url, derived_base_url(fields["langsmithUrl"]))


ENV_CP = "https://cp.example.com/api-host"


def test_the_order_url_or_region_then_environment_then_langsmith_url_then_us() -> None:
    assert control_plane(ENV_CP, url="https://mine.example.com").base_url == (
        "https://mine.example.com"
    )
    assert control_plane(ENV_CP, region="eu").base_url == REGION_BASE_URLS["eu"]
    assert control_plane(ENV_CP, langsmithUrl=SELF_HOSTED).base_url == ENV_CP
    assert control_plane(None, langsmithUrl=SELF_HOSTED).base_url == f"{SELF_HOSTED}/api-host"
    assert control_plane(ENV_CP).base_url == ENV_CP
    assert control_plane().base_url == REGION_BASE_URLS["us"]
    # The environment names the control plane only: the listener's API still follows
    # `langsmithUrl`.
    assert control_plane(ENV_CP, langsmithUrl=SELF_HOSTED).listener_smith_url == (
        f"{SELF_HOSTED}/api/v1"
    )


def test_the_environments_url_is_tidied_and_never_makes_a_standalone_stack_synced() -> None:
    assert control_plane(f"{ENV_CP}//").base_url == ENV_CP
    static = {"static": {"image": "registry.example.com/agent:1.2.3"}}
    standalone = {"licenseKey": "l", "deployments": {"agent": static}}
    assert parse_stack_config(standalone, SECRETS, ENV_CP).control_plane_settings is None


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ("cp.example.com", "must start with http:// or https://"),
        ("https://u:env-pw-3@cp.example.com", "contains a user name or password"),
        (f"{SELF_HOSTED}/api/v1", "is the LangSmith API"),
        (f"{ENV_CP}/v2", "holds the API's own `/v2` path"),
    ],
)
def test_a_wrong_environment_url_is_a_problem_of_control_plane_unquoted(
    env: str, problem: str
) -> None:
    raw = base(controlPlane={"listenerComputeId": "c", "langsmithUrl": SELF_HOSTED})
    with pytest.raises(ConfigError) as info:
        parse_stack_config(raw, SECRETS, env)
    (found,) = info.value.problems
    assert found.startswith(
        f"dataplane:controlPlane: `LANGSMITH_CONTROL_PLANE_URL` (environment) {problem}"
    ), found
    assert "Fix: unset `LANGSMITH_CONTROL_PLANE_URL`, or set it" in found
    assert env not in found and "env-pw-3" not in found
    # Ignored, so not checked, when the stack file's `url` or `region` wins.
    assert control_plane(env, region="us").base_url == REGION_BASE_URLS["us"]


def test_contradictions_are_refused_together_with_every_other_problem() -> None:
    raw = base(
        controlPlane={
            "listenerComputeId": "c",
            "url": "https://cp.example.com/api-host",
            "region": "eu",
            "langsmithUrl": SELF_HOSTED,
        },
        servers={"jobsPerWorker": 0},
    )
    found = problems(raw)
    assert len(found) == 4, found
    text = "\n".join(found)
    assert "dataplane:controlPlane: both `url` and `region` are set" in text
    assert (
        f"dataplane:controlPlane.langsmithUrl: {SELF_HOSTED} derives the control plane "
        f"{SELF_HOSTED}/api-host, but `url` https://cp.example.com/api-host names another"
    ) in text
    assert (
        f"dataplane:controlPlane.langsmithUrl: {SELF_HOSTED} derives the control plane "
        f"{SELF_HOSTED}/api-host, but `region` eu (https://eu.api.host.langchain.com) names "
        "another"
    ) in text
    assert "dataplane:servers.jobsPerWorker" in text


def test_the_program_reads_the_control_plane_url_from_its_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    raw = base(controlPlane={"listenerComputeId": "c", "langsmithUrl": SELF_HOSTED})
    config = {f"dataplane:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in raw.items()}
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps(config))
    monkeypatch.setenv(
        "PULUMI_CONFIG_SECRET_KEYS", json.dumps(["dataplane:apiKey", "dataplane:licenseKey"])
    )
    monkeypatch.setenv(CONTROL_PLANE_URL_ENV, ENV_CP)
    assert load_stack_config().control_plane.base_url == ENV_CP
    monkeypatch.setenv(CONTROL_PLANE_URL_ENV, "")  # empty is unset
    assert load_stack_config().control_plane.base_url == f"{SELF_HOSTED}/api-host"


def test_every_problem_is_reported_at_once() -> None:
    raw = base(
        controlPlane={"url": "ftp://x", "regoin": "us"},
        bogus=1,
        servers={"jobsPerWorker": 0},
    )
    raw.pop("licenseKey")
    found = problems(raw)
    assert len(found) == 6, found
    text = "\n".join(found)
    assert "dataplane:bogus: unknown key" in text
    assert "dataplane:controlPlane.regoin: unknown key" in text
    assert "dataplane:controlPlane.url: must start with http:// or https://" in text
    assert "dataplane:controlPlane.listenerComputeId: required but missing" in text
    assert "pulumi config set --secret dataplane:licenseKey" in text
    assert "dataplane:servers.jobsPerWorker" in text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            base(controlPlane={"url": "http://x", "region": "us", "listenerComputeId": "c"}),
            "both `url` and `region` are set",
        ),
        (base(namespaces={"names": ["Bad_Name"]}), "not valid namespace names"),
        (base(namespaces={"names": ["a", "a"]}), "names must be unique"),
        (base(reconciler="helm"), "dataplane:reconciler"),
        (base(postgres={"mode": "cloud"}), "dataplane:postgres.mode"),
        (base(postgres={"storageSize": "10Gi"}), "dataplane:postgres.storageSize: unknown key"),
        (base(listener={"enabled": False}), "dataplane:listener.enabled: unknown key"),
        (
            base(deployments={"a": {"resourceSpec": {"min_replicas": 2}}}),
            "unknown resource_spec keys ['min_replicas']",
        ),
        (
            base(deployments={"a": {"resourceSpec": {"cpu": -1}}}),
            "non-negative numbers",
        ),
        (
            base(deployments={"a": {"postgres": {"mode": "external"}}}),
            None,  # valid at parse time: the URI is checked once `a` is served
        ),
        (
            base(externalPostgresUris={"a": "mysql://x"}),
            "dataplane:externalPostgresUris.a: must start with postgres:// or postgresql://",
        ),
        (
            base(reconciler="listener", redis={"mode": "external"}),
            "dataplane:externalRedisUris.listener: missing",
        ),
        (base(deployments={"Agent_A": {}}), "lowercase DNS labels"),
    ],
)
def test_bad_config_messages(raw: dict[str, Any], expected: str | None) -> None:
    if expected is None:
        parse_stack_config(raw, SECRETS)
        return
    assert any(expected in p for p in problems(raw)), problems(raw)


def test_secrets_in_plain_text_are_refused() -> None:
    found = problems(base(), secret_keys=[])
    assert any(p.startswith("dataplane:apiKey: is stored in plain text") for p in found)
    assert any(p.startswith("dataplane:licenseKey: is stored in plain text") for p in found)
    assert all("lsv2_test_key" not in p for p in found)


def test_static_revision_checks() -> None:
    static = {
        "deploymentId": "d1",
        "namespace": "elsewhere",
        "revisionId": "r1",
        "image": "img:1",
        "secrets": {"DATABASE_URI": "x"},
    }
    found = problems(base(deployments={"a": {"static": static, "revision": "r0"}}))
    text = "\n".join(found)
    assert "`revision` pins a control-plane revision but `static` describes one" in text
    assert "dataplane:deployments.a.static.namespace: 'elsewhere' is not in" in text
    assert "reserved by the platform" in text


def test_static_secrets_must_be_secret_config() -> None:
    static = {
        "deploymentId": "d1",
        "namespace": "langgraph",
        "revisionId": "r1",
        "image": "img:1",
        "secrets": {"OPENAI_API_KEY": "sk-plain"},
    }
    found = problems(base(deployments={"a": {"static": static}}), ["apiKey", "licenseKey"])
    assert any("static revision secrets are stored in plain text" in p for p in found)


def test_external_store_without_uri_is_reported_when_served() -> None:
    config = parse_stack_config(
        base(deployments={"a": {"postgres": {"mode": "external"}}}, redis={"mode": "external"}),
        SECRETS,
    )
    with pytest.raises(ConfigError) as info:
        check_served(config, ["a", "b"])
    text = str(info.value)
    assert "dataplane:externalPostgresUris.a: missing" in text
    assert "dataplane:externalRedisUris.a: missing" in text
    assert "dataplane:externalRedisUris.b: missing" in text
    assert "externalPostgresUris.b" not in text


def test_overrides_resolve_per_deployment() -> None:
    config = parse_stack_config(
        base(
            postgres={"mode": "external"},
            deployments={"a": {"postgres": {"mode": "in-cluster"}, "revision": "r9"}},
            externalPostgresUris={"b": "postgresql://u:p@h/db"},
        ),
        SECRETS,
    )
    assert config.postgres_mode("a") == "in-cluster"
    assert config.postgres_mode("b") == "external"
    assert config.pinned_revision("a") == "r9"
    assert config.pinned_revision("b") is None
    check_served(config, ["a", "b"])


# --- Exposure, images, placement, identity and metadata (issue 8) ---


def test_new_sections_default_to_nothing() -> None:
    config = parse_stack_config(base(), SECRETS)
    assert config.exposure.route() is None
    assert config.images.registry is None and config.images.pull_secrets == []
    assert config.workloads == {}
    assert config.pod("api").topology_spread_constraints is None
    assert config.common_labels == {} and config.common_annotations == {}
    assert config.cluster_domain == "cluster.local"
    account = config.service_account("any")
    assert (account.name, account.annotations, account.automount_token) == (None, {}, False)


def test_two_routes_at_once_is_one_error() -> None:
    exposure = {
        "ingress": {"enabled": True, "hostname": "agents.example.com"},
        "gateway": {"enabled": True, "hostname": "agents.example.com", "gatewayName": "gw"},
    }
    found = problems(base(exposure=exposure))
    assert found == [
        "dataplane:exposure: `ingress` and `gateway` are enabled together, but each server is "
        "reached through exactly one kind of route. Fix: keep one of them and set "
        "`enabled: false` on the others."
    ]
    exposure["istio"] = {"enabled": True, "hostname": "a.b", "gatewayName": "gw"}
    assert (
        "`ingress` and `gateway` and `istio` are enabled together"
        in problems(base(exposure=exposure))[0]
    )
    # Disabled sections may keep their settings.
    exposure["gateway"]["enabled"] = False
    exposure["istio"]["enabled"] = False
    config = parse_stack_config(base(exposure=exposure), SECRETS)
    assert config.exposure.enabled() == ["ingress"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (base(images={"mirror": "x"}), "dataplane:images.mirror: unknown key"),
        (
            base(workloads={"worker": {}}),
            "dataplane:workloads.worker: unknown key. Fix: use one of",
        ),
        (base(workloads={"api": {"nodeSelecter": {}}}), "dataplane:workloads.api.nodeSelecter"),
        (
            base(workloads={"api": {"tolerations": [{"key": "a", "efect": "NoSchedule"}]}}),
            "dataplane:workloads.api.tolerations.0.efect: unknown key",
        ),
        (
            base(workloads={"redis": {"dnsConfig": {"nameserver": ["1.1.1.1"]}}}),
            "dataplane:workloads.redis.dnsConfig.nameserver: unknown key",
        ),
        (
            base(workloads={"queue": {"extraVolumeMounts": [{"name": "a", "path": "/x"}]}}),
            "dataplane:workloads.queue.extraVolumeMounts.0.path: unknown key",
        ),
        (base(exposure={"nginx": {}}), "dataplane:exposure.nginx: unknown key"),
        (base(exposure={"ingress": {"host": "a.b"}}), "dataplane:exposure.ingress.host: unknown"),
        (base(exposure={"gateway": {"gateway": "gw"}}), "dataplane:exposure.gateway.gateway: unk"),
        (base(exposure={"istio": {"tls": True}}), "dataplane:exposure.istio.tls: unknown key"),
        (
            base(servers={"serviceAccount": {"annotation": {}}}),
            "dataplane:servers.serviceAccount.annotation: unknown key",
        ),
        (
            base(deployments={"a": {"serviceAccount": {"create": True}}}),
            "dataplane:deployments.a.serviceAccount.create: unknown key",
        ),
        (base(commonLabel={"a": "b"}), "dataplane:commonLabel: unknown key"),
    ],
)
def test_unknown_keys_in_new_sections(raw: dict[str, Any], expected: str) -> None:
    assert any(expected in p for p in problems(raw)), problems(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (base(redis={"image": "redis"}), "dataplane:redis.image: image is not pinned"),
        (
            base(postgres={"image": "pgvector/pgvector:latest"}),
            "dataplane:postgres.image: image is not pinned",
        ),
        (base(listener={"image": "x@sha256:12"}), "dataplane:listener.image: image has an invalid"),
        (
            base(workloads={"api": {"sidecars": [{"name": "proxy", "image": "envoy"}]}}),
            "sidecar 'proxy': image is not pinned",
        ),
        (base(images={"registry": "mirror"}), "dataplane:images.registry: must start with a"),
        (base(images={"pullPolicy": "Sometimes"}), "dataplane:images.pullPolicy"),
        (
            base(exposure={"ingress": {"enabled": True}}),
            "dataplane:exposure.ingress.hostname: required when the ingress is enabled",
        ),
        (
            base(exposure={"istio": {"enabled": True, "hostname": "a.example.com"}}),
            "dataplane:exposure.istio.gatewayName: required when the istio is enabled",
        ),
        (
            base(exposure={"gateway": {"hostname": "https://a.example.com"}}),
            "dataplane:exposure.gateway.hostname: not a valid host name",
        ),
        (
            base(exposure={"ingress": {"basePath": "a/../b"}}),
            "dataplane:exposure.ingress.basePath: not valid path segments",
        ),
        (
            base(
                exposure={
                    "ingress": {
                        "enabled": True,
                        "hostname": "a.example.com",
                        "scheme": "http",
                        "clusterIssuer": "letsencrypt",
                    }
                }
            ),
            "`http`, yet the Ingress terminates TLS",
        ),
        (
            base(reconciler="listener", exposure={"ingress": {"enabled": True, "hostname": "a.b"}}),
            "with `reconciler: listener` Pulumi runs none",
        ),
        (
            base(servers={"serviceAccount": {"name": "shared", "annotations": {"a/b": "c"}}}),
            "would create one ServiceAccount of that name for every deployment",
        ),
        (
            base(workloads={"api": {"extraEnv": [{"name": "MOUNT_PREFIX", "value": "/x"}]}}),
            "dataplane:workloads.api.extraEnv: ['MOUNT_PREFIX'] are set by the data plane",
        ),
        (
            base(workloads={"listener": {"extraEnv": [{"name": "HOST_QUEUE", "value": "x"}]}}),
            "dataplane:workloads.listener.extraEnv: ['HOST_QUEUE'] are set by the data plane",
        ),
        (
            base(workloads={"postgres": {"extraEnv": [{"name": "PGDATA", "value": "/x"}]}}),
            "['PGDATA'] are set by the data plane",
        ),
        (
            base(workloads={"api": {"extraEnv": [{"name": "A", "value": "1"}] * 2}}),
            "['A'] are set twice",
        ),
        (
            base(workloads={"api": {"extraEnv": [{"name": "A"}]}}),
            "A: set exactly one of `value` and `valueFrom`",
        ),
        (
            base(workloads={"api": {"extraEnv": [{"name": "A", "valueFrom": {"x": {}}}]}}),
            "valueFrom takes exactly one of",
        ),
        (
            base(workloads={"redis": {"extraVolumes": [{"name": "data", "emptyDir": {}}]}}),
            "dataplane:workloads.redis.extraVolumes: names ['data'] are taken",
        ),
        (
            base(workloads={"api": {"extraVolumes": [{"name": "h", "hostPath": {"path": "/"}}]}}),
            "restricted Pod Security Standard",
        ),
        (
            base(workloads={"api": {"extraVolumeMounts": [{"name": "v", "mountPath": "/v"}]}}),
            "['v'] are not in `extraVolumes`",
        ),
        (
            base(
                workloads={
                    "api": {
                        "extraVolumes": [{"name": "v", "emptyDir": {}}],
                        "extraVolumeMounts": [{"name": "v", "mountPath": "/tmp"}],
                    }
                }
            ),
            "['/tmp'] are mounted by the workload itself",
        ),
        (
            base(workloads={"queue": {"sidecars": [{"name": "queue-worker", "image": "a:1"}]}}),
            "names ['queue-worker'] are taken",
        ),
        (base(workloads={"api": {"dnsPolicy": "None"}}), "add `dnsConfig`"),
        (base(workloads={"api": {"affinity": {"nodeAfinity": {}}}}), "unknown affinity keys"),
        (
            base(workloads={"api": {"podLabels": {"app.kubernetes.io/instance": "x"}}}),
            "are set by the data plane itself",
        ),
        (
            base(workloads={"api": {"podAnnotations": {"langgraph.ai/secrets-digest": "x"}}}),
            "are set by the data plane itself",
        ),
        (base(commonLabels={"team": "a b"}), "dataplane:commonLabels: not valid Kubernetes labels"),
        (base(commonLabels={"team": True}), "dataplane:commonLabels.team"),
        (base(clusterDomain="Cluster_Local"), "dataplane:clusterDomain: not a valid DNS domain"),
        (base(images={"pullSecrets": ["Mirror Creds"]}), "dataplane:images.pullSecrets"),
        (
            base(workloads={"api": {"priorityClassName": "High_Priority"}}),
            "dataplane:workloads.api.priorityClassName: 'High_Priority' is not a valid",
        ),
        (
            base(exposure={"gateway": {"gatewayNamespace": "Gateways"}}),
            "dataplane:exposure.gateway.gatewayNamespace: 'Gateways' is not a valid",
        ),
        (
            base(exposure={"ingress": {"clusterIssuer": "lets encrypt"}}),
            "dataplane:exposure.ingress.clusterIssuer",
        ),
    ],
)
def test_new_knob_errors(raw: dict[str, Any], expected: str) -> None:
    assert any(expected in p for p in problems(raw)), problems(raw)


def test_literal_credentials_in_extra_env_are_refused_without_echo() -> None:
    env = [{"name": "OPENAI_API_KEY", "value": "sk-literal-value"}]
    found = problems(base(workloads={"api": {"extraEnv": env}}))
    assert any("OPENAI_API_KEY looks like a credential" in p for p in found)
    assert any("valueFrom.secretKeyRef" in p for p in found)
    assert all("sk-literal-value" not in p for p in found)
    sidecar = {"name": "proxy", "image": "envoy:1", "env": env}
    found = problems(base(workloads={"api": {"sidecars": [sidecar]}}))
    assert any("sidecar 'proxy': env: OPENAI_API_KEY looks like a credential" in p for p in found)
    assert all("sk-literal-value" not in p for p in found)
    ref = {"secretKeyRef": {"name": "openai", "key": "key"}}
    parse_stack_config(
        base(workloads={"api": {"extraEnv": [{"name": "OPENAI_API_KEY", "valueFrom": ref}]}}),
        SECRETS,
    )


def test_route_paths_and_urls() -> None:
    exposure = {"gateway": {"enabled": True, "hostname": "agents.example.com", "basePath": "/lg/"}}
    exposure["gateway"]["gatewayName"] = "public"
    route = parse_stack_config(base(exposure=exposure), SECRETS).exposure.route()
    assert route is not None
    assert route.base_path == "lg"
    assert route.path_for("support-agent") == "/lg/support-agent"
    assert route.url_for("support-agent") == "https://agents.example.com/lg/support-agent"
    exposure = {"ingress": {"enabled": True, "hostname": "a.example.com", "clusterIssuer": "le"}}
    ingress = parse_stack_config(base(exposure=exposure), SECRETS).exposure.ingress
    assert ingress.path_for("x") == "/x"
    assert ingress.tls_secret == "a-example-com-tls"


def test_service_account_per_deployment_replaces_the_shared_one() -> None:
    config = parse_stack_config(
        base(
            servers={"serviceAccount": {"annotations": {"iam.gke.io/gcp-service-account": "s@p"}}},
            deployments={"a": {"serviceAccount": {"name": "existing-sa"}}},
        ),
        SECRETS,
    )
    assert config.service_account("a").name == "existing-sa"
    assert config.service_account("a").annotations == {}
    assert config.service_account("b").annotations == {"iam.gke.io/gcp-service-account": "s@p"}


def test_every_new_problem_is_reported_at_once() -> None:
    raw = base(
        redis={"image": "redis"},
        workloads={"apii": {}, "api": {"extraEnv": [{"name": "PORT", "value": "1"}]}},
        exposure={"ingress": {"enabled": True}, "istio": {"enabled": True}},
    )
    text = "\n".join(problems(raw))
    assert "dataplane:redis.image" in text
    assert "dataplane:workloads.apii: unknown key" in text
    assert "['PORT'] are set by the data plane" in text
    assert "are enabled together" in text


def test_numbers_as_pulumi_hands_them_over_are_taken() -> None:
    # `pulumi config set --path` stores whole numbers as numbers and a fraction as text
    # (`2.5`): that text is taken where a fraction is, and a whole number may be written `3.0`.
    raw = base(
        controlPlane={"region": "us", "listenerComputeId": "c", "timeoutSeconds": "2.5"},
        servers={"jobsPerWorker": 3.0, "queueKeda": {"enabled": True, "cooldownPeriod": 0}},
        deployments={"a": {"resourceSpec": {"cpu": "0.5", "max_scale": 3}}},
    )
    config = parse_stack_config(raw, SECRETS)
    assert config.control_plane.timeout_seconds == 2.5
    assert config.servers.jobs_per_worker == 3
    assert config.spec_overrides("a") == {"cpu": 0.5, "max_scale": 3}


def test_a_field_keeps_its_own_bound_below_the_int32_one() -> None:
    keda = {"enabled": True, "scaleDownStabilizationWindowSeconds": 3600}
    config = parse_stack_config(base(servers={"queueKeda": keda}), SECRETS)
    assert config.servers.queue_keda.scale_down_stabilization_window_seconds == 3600
    found = problems(
        base(servers={"queueKeda": {**keda, "scaleDownStabilizationWindowSeconds": 3601}})
    )
    assert found[0].startswith(
        "dataplane:servers.queueKeda.scaleDownStabilizationWindowSeconds: must be at most 3600"
    )


def test_snake_case_keys_alone_are_still_taken() -> None:
    raw = base(servers={"queue_enabled": False, "jobs_per_worker": 4})
    config = parse_stack_config(raw, SECRETS)
    assert (config.servers.queue_enabled, config.servers.jobs_per_worker) == (False, 4)
    # The caller's values are left as they were, twins included.
    twins = base(servers={"queue_enabled": False, "queueEnabled": False})
    problems(twins)
    assert twins["servers"] == {"queue_enabled": False, "queueEnabled": False}


@pytest.mark.parametrize(
    ("resource", "amount"),
    [
        ("cpu", "250m"),
        ("cpu", "2"),
        ("cpu", "1e-1"),
        ("memory", "1Mi"),
        ("memory", "1e9"),
        ("memory", "600M"),
    ],
)
def test_quantities_in_their_own_units_are_taken(resource: str, amount: str) -> None:
    limit = {"cpu": "cpuLimit", "memory": "memoryLimit"}[resource]
    resources = {resource: amount, limit: amount}
    config = parse_stack_config(
        base(reconciler="listener", listener={"resources": resources}), SECRETS
    )
    assert getattr(config.listener.resources, resource) == amount
