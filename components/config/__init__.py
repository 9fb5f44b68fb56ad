"""Stack configuration: parsed once, at the edge, into typed objects.

Everything lives in the `dataplane:` namespace. Unknown keys are errors, every problem is
reported in one `ConfigError` with its config path and the fix, and secret fields must come
from secret config (`pulumi config set --secret`). Components never read `pulumi.Config`:
the plan (`components/planning/plan.py`) is the only reader of these objects.

- `fields`: the error and its problems, the base sections and the field checks they share;
- `quantities`, `credentials`: Kubernetes quantities; which environment values are credentials;
- `validators`: the value types (URLs, chart repositories, credentials, quantities, store
  images, `resource_spec` keys), each with its check;
- `kubernetes_shapes`: pod settings and the Kubernetes shapes in them (env, tolerations, ...);
- `sections`: one model per section, with its defaults;
- `schema`: `StackConfig`, the per-deployment settings and their resolution; every model
  is importable from it;
- `messages`: validation errors in the stack file's words, with their fixes;
- `loading`: from Pulumi's config to a `StackConfig`, every problem at once;
- `checks`: the checks across sections;
- `reference`: the configuration reference in docs/configuration.md, generated from the schema.
"""

from .checks import check_served, cross_checks, exposure_problems, route_gaps
from .fields import KUBECONFIG_ENV, NAMESPACE, ConfigError, Problem
from .loading import load_stack_config, parse_stack_config, parse_with_environment
from .schema import (
    ControlPlaneConfig,
    DeploymentConfig,
    DnsConfig,
    EnvVar,
    ExposureConfig,
    GatewayRouteConfig,
    ImagesConfig,
    IngressRouteConfig,
    IstioRouteConfig,
    ListenerWorkloadConfig,
    NamespacesConfig,
    PodConfig,
    PostgresConfig,
    RedisConfig,
    ResourcesConfig,
    RouteConfig,
    ServersConfig,
    ServiceAccountConfig,
    StackConfig,
    StaticRevisionConfig,
    StoreMode,
    StoreOverride,
    Toleration,
    TopologySpread,
    VolumeMount,
)

__all__ = [
    "KUBECONFIG_ENV",
    "NAMESPACE",
    "ConfigError",
    "ControlPlaneConfig",
    "DeploymentConfig",
    "DnsConfig",
    "EnvVar",
    "ExposureConfig",
    "GatewayRouteConfig",
    "ImagesConfig",
    "IngressRouteConfig",
    "IstioRouteConfig",
    "ListenerWorkloadConfig",
    "NamespacesConfig",
    "PodConfig",
    "PostgresConfig",
    "Problem",
    "RedisConfig",
    "ResourcesConfig",
    "RouteConfig",
    "ServersConfig",
    "ServiceAccountConfig",
    "StackConfig",
    "StaticRevisionConfig",
    "StoreMode",
    "StoreOverride",
    "Toleration",
    "TopologySpread",
    "VolumeMount",
    "check_served",
    "cross_checks",
    "exposure_problems",
    "load_stack_config",
    "parse_stack_config",
    "parse_with_environment",
    "route_gaps",
]
