"""The gRPC server of the package's provider: the SDK's experimental server, with one fix.

The Node.js and YAML SDKs send a component's inputs as output values (a struct with the
output signature, `value`, `secret` and `dependencies`). The Python SDK 3.259.0 fails to read
one that lacks `dependencies` or `secret` (an unbound local in `PropertyValue.unmarshal`) or
that is unknown (no `value`). So the inputs are rewritten first into the plain forms it
reads: the value itself, wrapped as a secret when it is one, or the unknown marker.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from typing import Any

import grpc.aio
from google.protobuf import struct_pb2
from pulumi.provider.experimental import provider as rpc_provider
from pulumi.provider.experimental.server import ProviderServicer
from pulumi.runtime import rpc
from pulumi.runtime._grpc_settings import _GRPC_CHANNEL_OPTIONS
from pulumi.runtime.proto import provider_pb2_grpc


def plain_outputs(value: struct_pb2.Value) -> None:
    """Rewrite every output value inside `value`, in place (see the module's docstring)."""
    kind = value.WhichOneof("kind")
    if kind == "list_value":
        for item in value.list_value.values:
            plain_outputs(item)
        return
    if kind != "struct_value":
        return
    fields = value.struct_value.fields
    sig = fields.get(rpc._special_sig_key)
    if sig is not None and sig.string_value == rpc._special_output_value_sig:
        secret = "secret" in fields and fields["secret"].bool_value
        if "value" in fields:
            inner = struct_pb2.Value()
            inner.CopyFrom(fields["value"])
            plain_outputs(inner)
        else:
            inner = struct_pb2.Value(string_value=rpc.UNKNOWN)
        if secret:
            wrapped = struct_pb2.Value()
            wrapped.struct_value.fields[rpc._special_sig_key].string_value = rpc._special_secret_sig
            wrapped.struct_value.fields["value"].CopyFrom(inner)
            inner = wrapped
        value.CopyFrom(inner)
        return
    for item in fields.values():
        plain_outputs(item)


class PackageServicer(ProviderServicer):
    """The experimental servicer, with the construct inputs made readable first."""

    async def _construct(self, request: Any, context: Any) -> Any:
        for item in request.inputs.fields.values():
            plain_outputs(item)
        return await super()._construct(request, context)


def serve(args: list[str], version: str, provider: rpc_provider.Provider) -> None:
    """Serve `provider` as a plugin: print the port, then answer the engine until it stops."""
    parser = argparse.ArgumentParser(description="langgraph package provider")
    parser.add_argument("engine", help="the Pulumi engine's address")
    known, _ = parser.parse_known_args(args)

    async def run() -> None:
        server = grpc.aio.server(options=_GRPC_CHANNEL_OPTIONS)
        servicer = PackageServicer(args, version, provider, engine_address=known.engine)
        provider_pb2_grpc.add_ResourceProviderServicer_to_server(servicer, server)
        port = server.add_insecure_port(address="127.0.0.1:0")
        await server.start()
        sys.stdout.buffer.write(f"{port}\n".encode())
        sys.stdout.buffer.flush()
        await server.wait_for_termination()

    with contextlib.suppress(KeyboardInterrupt):  # the engine stops plugins with SIGINT
        asyncio.run(run())
