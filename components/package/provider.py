"""The package's provider: its schema, the `DataPlane` component, and the served resources.

`package/__main__.py` runs it. Construct validates the inputs with the stack file's own
parser, so a bad input gets the stack file's message (key path and `Fix:`), and nothing is
declared; the control-plane resources' calls go to `served.py`.
"""

from __future__ import annotations

import threading

import pulumi
from pulumi.errors import InputPropertiesError
from pulumi.provider.experimental import provider as rpc
from pulumi.runtime import settings

from ..config import ConfigError, parse_with_environment
from ..config.messages import SECRET_KEYS
from ..core.names import PACKAGE_COMPONENT_TOKEN, PACKAGE_VERSION
from .schema import schema_text, secret_by_schema
from .served import ServedResources
from .values import UnknownInput, plain_map, resolved, secret_keys, secret_paths


class DataPlaneProvider(rpc.Provider):
    """Serves `langgraph:index:DataPlane` and the resources it declares."""

    def __init__(self) -> None:
        self._served = ServedResources()
        self._constructed: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    async def get_schema(self, request: rpc.GetSchemaRequest) -> rpc.GetSchemaResponse:
        return rpc.GetSchemaResponse(schema_text())

    async def construct(self, request: rpc.ConstructRequest) -> rpc.ConstructResponse:
        from ..program import clear_errors  # the program's imports, only when constructing
        from .component import DataPlaneComponent

        if request.resource_type != PACKAGE_COMPONENT_TOKEN:
            raise ValueError(f"the langgraph package has no component {request.resource_type}")
        self._one_per_stack(request.name)
        try:
            raw = plain_map(request.inputs)
        except UnknownInput as unknown:
            raise InputPropertiesError(
                f"DataPlane {request.name}: `{unknown.path}` is not known yet (it is an output "
                "of another resource). The data plane is planned from plain values: pass a "
                "value known before the run, for example from config.",
                [{"property_path": unknown.path, "reason": "not known during the preview"}],
            ) from None
        try:
            # The schema makes these secret inputs; an SDK may send a nested one plainly.
            secret = set(secret_keys(request.inputs)) | set(SECRET_KEYS) | {"deployments"}
            config = parse_with_environment(raw, sorted(secret & set(raw)))
        except ConfigError as error:
            raise InputPropertiesError(f"DataPlane {request.name}: {error}", []) from None
        try:
            with clear_errors("declaring the data plane", "the DataPlane's inputs", []):
                component = DataPlaneComponent(request.name, config, request.options)
        except pulumi.RunError as error:  # already one clear line: no traceback
            raise InputPropertiesError(f"DataPlane {request.name}: {error}", []) from None
        # A value the schema does not hold secret, passed as one: every output may carry it.
        hidden = [p for p in secret_paths(request.inputs) if not secret_by_schema(p)]
        state = {}
        for key, output in component.outputs().items():
            value = await resolved(output)
            state[key] = value.with_secret(True) if hidden else value
        urn = await component.urn.future()
        assert urn is not None  # a registered component always has its URN
        return rpc.ConstructResponse(urn, state, {})

    def _one_per_stack(self, name: str) -> None:
        """A stack holds one data plane: its objects and resources have fixed names."""
        stack = (settings.get_project() or "", settings.get_stack() or "")
        with self._lock:
            first = self._constructed.setdefault(stack, name)
        if first != name:
            raise InputPropertiesError(
                f"DataPlane {name}: this stack already has a DataPlane ({first}). A stack holds "
                "one data plane, as a stack file does: its objects have fixed names. Declare "
                "each data plane in a stack of its own (one per environment or customer).",
                [],
            )

    async def check(self, request: rpc.CheckRequest) -> rpc.CheckResponse:
        return await self._served.check(request)

    async def diff(self, request: rpc.DiffRequest) -> rpc.DiffResponse:
        return await self._served.diff(request)

    async def create(self, request: rpc.CreateRequest) -> rpc.CreateResponse:
        return await self._served.create(request)

    async def read(self, request: rpc.ReadRequest) -> rpc.ReadResponse:
        return await self._served.read(request)

    async def update(self, request: rpc.UpdateRequest) -> rpc.UpdateResponse:
        return await self._served.update(request)

    async def delete(self, request: rpc.DeleteRequest) -> None:
        await self._served.delete(request)


def serve(args: list[str]) -> None:
    """Run the provider as a plugin: the engine's address is in `args`."""
    from .server import serve as serve_provider

    serve_provider(args, PACKAGE_VERSION, DataPlaneProvider())
