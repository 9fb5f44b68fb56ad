"""The component package's Pulumi schema, generated from the stack config's models.

The `DataPlane` component takes exactly the stack file's `dataplane:` keys: its inputs are
`StackConfig`'s fields by their config names, each object type one of its sections, each
description the field's docstring with its default. So the two cannot drift; the schema
only describes, and `construct` validates through the same `parse_stack_config` as a stack.

    python -m components.package.schema            # print it
    python -m components.package.schema --write    # update package/schema.json

`tests/unit/test_package_schema.py` fails when the committed file differs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..config.messages import SECRET_KEYS
from ..config.schema import StackConfig
from ..core.names import (
    PACKAGE_COMPONENT_TOKEN,
    PACKAGE_NAME,
    PACKAGE_VERSION,
)

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "package" / "schema.json"
_ANY = {"$ref": "pulumi.json#/Any"}
_PRIMITIVES = {"string", "integer", "number", "boolean"}
# Nested keys whose values are secret (`deployments.<name>.static.secrets`).
_NESTED_SECRETS = frozenset({"secrets"})

# What the component returns: the Python program's stack outputs, in the schema's spelling.
OUTPUTS: dict[str, dict[str, Any]] = {
    "namespace": {"type": "string", "description": "The namespace of the servers."},
    "listenerId": {
        "type": "string",
        "description": "The listener's id in the control plane; empty when standalone.",
    },
    "serverUrls": {
        "type": "object",
        "additionalProperties": {"type": "string"},
        "description": "Deployment name to its server's URL inside the cluster.",
    },
    "serverPublicUrls": {
        "type": "object",
        "additionalProperties": {"type": "string"},
        "description": "Deployment name to its public URL (the control plane's `custom_url`).",
    },
    "revisions": {
        "type": "object",
        "additionalProperties": {"type": "object", "additionalProperties": {"type": "string"}},
        "description": "Deployment name to the `revision` it serves and the `image` it runs.",
    },
    "manifestsDir": {
        "type": "string",
        "description": "Where the manifests were rendered (`renderDir`); empty on a cluster.",
    },
}


def _token(definition: str) -> str:
    return f"{PACKAGE_NAME}:index:{definition}"


def _describe(spec: dict[str, Any]) -> str:
    """The field's docstring, then its allowed values and default, as a stack file shows them."""
    parts = [" ".join(str(spec.get("description", "")).split())]
    allowed = _allowed(spec)
    if allowed:
        parts.append("One of " + ", ".join(f"`{json.dumps(v)}`" for v in allowed) + ".")
    if "default" in spec and spec["default"] not in (None, {}, []):
        parts.append(f"Default: `{json.dumps(spec['default'])}`.")
    return " ".join(p for p in parts if p)


def _allowed(spec: dict[str, Any]) -> list[Any]:
    if "enum" in spec:
        return list(spec["enum"])
    if "const" in spec:
        return [spec["const"]]
    found: list[Any] = []
    for option in spec.get("anyOf", []):
        found += _allowed(option)
    return found


def _type_of(spec: dict[str, Any], refs: set[str]) -> dict[str, Any]:
    """A Pulumi type spec for one JSON-schema node; `refs` collects the definitions used."""
    if "$ref" in spec:
        name = spec["$ref"].rsplit("/", 1)[-1]
        refs.add(name)
        return {"$ref": f"#/types/{_token(name)}"}
    options = [o for o in spec.get("anyOf", []) if o.get("type") != "null"]
    if options:
        if len(options) == 1:
            return _type_of(options[0], refs)
        kinds = {o.get("type") for o in options}
        if len(kinds) == 1 and kinds <= _PRIMITIVES:
            return _type_of(options[0], refs)
        return dict(_ANY)
    kind = spec.get("type")
    if "enum" in spec or "const" in spec:
        values = _allowed(spec)
        kind = "string" if all(isinstance(v, str) for v in values) else kind
    if kind in _PRIMITIVES:
        return {"type": kind}
    if kind == "array":
        items = spec.get("items")
        return {"type": "array", "items": _type_of(items, refs) if items else dict(_ANY)}
    if kind == "object":
        extra = spec.get("additionalProperties")
        value = _type_of(extra, refs) if isinstance(extra, dict) else dict(_ANY)
        return {"type": "object", "additionalProperties": value}
    return dict(_ANY)


def _properties(
    model: dict[str, Any], refs: set[str], secret_keys: frozenset[str] = frozenset()
) -> dict[str, Any]:
    properties = {}
    for key, spec in model.get("properties", {}).items():
        prop = _type_of(spec, refs)
        description = _describe(spec)
        if description:
            prop["description"] = description
        if key in secret_keys or _is_password(spec):
            prop["secret"] = True
        properties[key] = prop
    return properties


def _is_password(spec: dict[str, Any]) -> bool:
    options = spec.get("anyOf", [spec])
    return any(o.get("format") == "password" for o in options)


def secret_by_schema(path: str) -> bool:
    """Whether the input at key path `path` is secret in the schema (or inside one that is)."""
    parts = path.replace("[", ".[").split(".")
    if parts[0] in SECRET_KEYS:
        return True
    # deployments.<name>.static.secrets[.<NAME>]
    return len(parts) >= 4 and parts[0] == "deployments" and parts[2:4] == ["static", "secrets"]


def package_schema() -> dict[str, Any]:
    """The package's schema: one `DataPlane` component, its object types and its outputs."""
    config = StackConfig.model_json_schema(by_alias=True, mode="validation")
    definitions = config.get("$defs", {})
    refs: set[str] = set()
    inputs = _properties(config, refs, frozenset(SECRET_KEYS))
    types: dict[str, Any] = {}
    pending = sorted(refs)
    while pending:
        name = pending.pop()
        if _token(name) in types:
            continue
        definition = definitions[name]
        found: set[str] = set()
        types[_token(name)] = {
            "type": "object",
            "description": " ".join(str(definition.get("description", name)).split()),
            "properties": _properties(definition, found, _NESTED_SECRETS),
            "required": sorted(definition.get("required", [])),
        }
        pending += sorted(found - {n for n in definitions if _token(n) in types})
    return {
        "name": PACKAGE_NAME,
        "displayName": "LangGraph data plane",
        "version": PACKAGE_VERSION,
        "description": (
            "LangGraph's data plane on Kubernetes: Agent Servers (API and queue), Postgres, "
            "Redis and, in hybrid mode, the listener, with revisions synced from the control "
            "plane. Inputs are the stack file's `dataplane:` keys."
        ),
        "keywords": ["langgraph", "langsmith", "kubernetes", "category/infrastructure"],
        "license": "Apache-2.0",
        "resources": {
            PACKAGE_COMPONENT_TOKEN: {
                "isComponent": True,
                "description": (
                    "The whole data plane of one environment, as one stack of the Python "
                    "program declares it: standalone (`deployments.<name>.static`), synced "
                    "from the control plane (`controlPlane`), or with the listener."
                ),
                "inputProperties": inputs,
                "requiredInputs": sorted(config.get("required", [])),
                "properties": OUTPUTS,
                "required": sorted(OUTPUTS),
            }
        },
        "types": dict(sorted(types.items())),
        "language": {
            "nodejs": {"respectSchemaVersion": True},
            "python": {"respectSchemaVersion": True},
        },
    }


def schema_text() -> str:
    """The schema as committed: sorted keys, two-space indents, a final newline."""
    return json.dumps(package_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["--write"]:
        SCHEMA_FILE.write_text(schema_text())
    else:
        sys.stdout.write(schema_text())
