"""A Python dynamic provider for the toolchain smoke program.

It lives in its own module (not `__main__`) so that the provider process that the engine
starts (`pulumi-resource-pulumi-python`, i.e. `python -m pulumi.dynamic`) can import it.
`create` writes a marker file and `delete` removes it, so the test can see that the
provider really ran out of process.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, ResourceProvider


class GreetingProvider(ResourceProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        message = f"hello, {props['who']}"
        marker = Path(props["marker_dir"]) / f"{props['who']}.created"
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(message)
        digest = hashlib.sha256(message.encode()).hexdigest()[:16]
        return CreateResult(id_=digest, outs={**props, "message": message})

    def delete(self, id: str, props: dict[str, Any]) -> None:
        (Path(props["marker_dir"]) / f"{props['who']}.created").unlink(missing_ok=True)


class Greeting(pulumi.dynamic.Resource):
    message: pulumi.Output[str]

    def __init__(
        self, name: str, *, who: str, marker_dir: str, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        props = {"who": who, "marker_dir": marker_dir, "message": None}
        super().__init__(GreetingProvider(), name, props, opts)
