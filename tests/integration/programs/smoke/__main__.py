"""Toolchain smoke program: one resource from every plugin the project relies on.

- `random`: a RandomPassword (resource plugin built by the bootstrap);
- a Python dynamic provider (the `pulumi-resource-pulumi-python` shim next to the CLI);
- `kubernetes`: a ConfigMap through a provider that renders YAML instead of applying it.
"""

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random
from smoke_dynamic import Greeting

config = pulumi.Config()

password = random.RandomPassword("password", length=24, special=False)
greeting = Greeting("greeting", who="toolchain", marker_dir=config.require("markerDir"))

renderer = k8s.Provider("render", render_yaml_to_directory=config.require("renderDir"))
config_map = k8s.core.v1.ConfigMap(
    "smoke",
    metadata={"name": "toolchain-smoke", "namespace": "default"},
    data={"greeting": greeting.message},
    opts=pulumi.ResourceOptions(provider=renderer),
)

pulumi.export("password_length", password.result.apply(len))
pulumi.export("password", password.result)
pulumi.export("greeting", greeting.message)
pulumi.export("config_map_name", config_map.metadata.name)
