"""Values between the engine and the package's provider: `values.py` and the server's fix."""

from __future__ import annotations

import pytest
from google.protobuf import struct_pb2
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.runtime import rpc

from components.package.schema import secret_by_schema
from components.package.server import plain_outputs
from components.package.values import (
    UnknownInput,
    plain,
    plain_map,
    property_map,
    secret_keys,
    secret_paths,
)


def _pv(value: object, secret: bool = False) -> PropertyValue:
    return property_map({"v": value}, ["v"] if secret else [])["v"]


def test_numbers_come_back_as_a_stack_file_gives_them() -> None:
    assert plain(PropertyValue(2.0)) == 2 and isinstance(plain(PropertyValue(2.0)), int)
    assert plain(PropertyValue(0.5)) == 0.5


def test_maps_come_back_by_name_and_secrets_unwrapped() -> None:
    value = _pv({"b": 1, "a": {"y": "s", "x": [1, "t"]}}, secret=True)
    assert list(plain(value)) == ["a", "b"]
    assert list(plain(value)["a"]) == ["x", "y"]
    assert plain(value) == {"a": {"x": [1, "t"], "y": "s"}, "b": 1}


def test_secret_keys_name_every_value_that_holds_a_secret() -> None:
    inputs = {
        "apiKey": _pv("k", secret=True),
        "deployments": PropertyValue({"a": PropertyValue("x").with_secret(True)}),
        "renderDir": _pv("out"),
    }
    assert secret_keys(inputs) == ["apiKey", "deployments"]
    assert plain_map(inputs) == {"apiKey": "k", "deployments": {"a": "x"}, "renderDir": "out"}


@pytest.mark.parametrize(
    "unknown", [PropertyValue.computed(), PropertyValue(rpc.UNKNOWN)], ids=["computed", "marker"]
)
def test_an_unknown_input_names_its_path(unknown: PropertyValue) -> None:
    with pytest.raises(UnknownInput) as raised:
        plain_map({"controlPlane": PropertyValue({"url": unknown})})
    assert raised.value.path == "controlPlane.url"


def test_property_map_marks_only_the_named_keys_secret() -> None:
    out = property_map({"secrets": {"A": "1"}, "image": "i", "n": 3}, ["secrets"])
    assert out["secrets"].is_secret and not out["image"].is_secret
    assert out["n"].value == 3.0


def _output_value(fields: dict[str, struct_pb2.Value]) -> struct_pb2.Value:
    value = struct_pb2.Value()
    value.struct_value.fields[rpc._special_sig_key].string_value = rpc._special_output_value_sig
    for key, item in fields.items():
        value.struct_value.fields[key].CopyFrom(item)
    return value


def test_output_values_without_dependencies_become_plain_values() -> None:
    # What the Node.js SDK sends for a known, non-secret input: no `dependencies`, no `secret`.
    value = _output_value({"value": struct_pb2.Value(string_value="agents")})
    plain_outputs(value)
    assert PropertyValue.unmarshal(value) == PropertyValue("agents")


def test_secret_and_unknown_output_values_stay_secret_and_unknown() -> None:
    nested = struct_pb2.Value()
    nested.struct_value.fields["key"].CopyFrom(
        _output_value(
            {
                "value": struct_pb2.Value(string_value="s3cret"),
                "secret": struct_pb2.Value(bool_value=True),
            }
        )
    )
    nested.struct_value.fields["later"].CopyFrom(_output_value({}))
    plain_outputs(nested)
    back = PropertyValue.unmarshal(nested).value
    assert back["key"].is_secret and back["key"].value == "s3cret"
    with pytest.raises(UnknownInput):
        plain(back["later"], "later")


def test_secret_paths_find_each_secret_and_the_schema_says_which_are_expected() -> None:
    static = PropertyValue({"secrets": PropertyValue({"X": _pv("1", secret=True)})})
    inputs = {
        "apiKey": _pv("k", secret=True),
        "namespaces": PropertyValue({"names": PropertyValue([_pv("ns", secret=True)])}),
        "deployments": PropertyValue(
            {"a": PropertyValue({"static": static}), "b": _pv({"env": []}, secret=True)}
        ),
    }
    paths = secret_paths(inputs)
    assert paths == [
        "apiKey",
        "namespaces.names[0]",
        "deployments.a.static.secrets.X",
        "deployments.b",
    ]
    expected = [p for p in paths if secret_by_schema(p)]
    assert expected == ["apiKey", "deployments.a.static.secrets.X"]
    assert secret_by_schema("externalRedisUris.a")
