"""The component package's schema is the stack config's, and the committed file is current."""

from __future__ import annotations

import json
from typing import Any, get_args, get_origin

from pydantic import BaseModel

from components.config.messages import SECRET_KEYS
from components.config.schema import StackConfig
from components.core.names import PACKAGE_COMPONENT_TOKEN
from components.package.schema import SCHEMA_FILE, package_schema, schema_text


def _component() -> dict[str, Any]:
    return package_schema()["resources"][PACKAGE_COMPONENT_TOKEN]


def _models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in get_args(annotation) for m in _models(arg)]


def test_the_committed_schema_is_the_generated_one() -> None:
    assert SCHEMA_FILE.read_text() == schema_text(), (
        "package/schema.json is stale: run `.venv/bin/python -m components.package.schema "
        "--write` and commit it"
    )


def test_the_inputs_are_the_stack_files_keys() -> None:
    keys = {f.alias or name for name, f in StackConfig.model_fields.items()}
    component = _component()
    assert set(component["inputProperties"]) == keys
    required = {f.alias or n for n, f in StackConfig.model_fields.items() if f.is_required()}
    assert set(component["requiredInputs"]) == required


def test_every_section_is_a_type_with_its_fields() -> None:
    schema = package_schema()
    seen: set[type[BaseModel]] = set()
    pending = [m for f in StackConfig.model_fields.values() for m in _models(f.annotation)]
    while pending:
        model = pending.pop()
        if model in seen:
            continue
        seen.add(model)
        found = schema["types"][f"langgraph:index:{model.__name__}"]
        assert set(found["properties"]) == {f.alias or n for n, f in model.model_fields.items()}
        pending += [m for f in model.model_fields.values() for m in _models(f.annotation)]
    assert len(seen) == len(schema["types"])


def test_each_input_keeps_its_docstring_and_default() -> None:
    inputs = _component()["inputProperties"]
    for name, field in StackConfig.model_fields.items():
        prop = inputs[field.alias or name]
        assert " ".join((field.description or "").split()) in prop["description"]
        default = field.default
        if isinstance(default, str | int | bool) and default not in ("", None):
            assert f"Default: `{json.dumps(default)}`" in prop["description"], name


def test_secrets_are_secret_inputs() -> None:
    schema = package_schema()
    inputs = _component()["inputProperties"]
    assert {k for k, v in inputs.items() if v.get("secret")} == set(SECRET_KEYS)
    static = schema["types"]["langgraph:index:StaticRevisionConfig"]["properties"]
    assert static["secrets"]["secret"] is True


def test_maps_lists_and_unions_have_types_a_typescript_sdk_can_use() -> None:
    inputs = _component()["inputProperties"]
    assert inputs["deployments"] == {
        "type": "object",
        "additionalProperties": {"$ref": "#/types/langgraph:index:DeploymentConfig"},
        "description": inputs["deployments"]["description"],
    }
    assert inputs["commonLabels"]["additionalProperties"] == {"type": "string"}
    assert get_origin(StackConfig.model_fields["deployments"].annotation) is dict
