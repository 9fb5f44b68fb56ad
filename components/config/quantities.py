"""Kubernetes resource quantities (`500m`, `2Gi`, `1.5`, `1e3`), read the way the API server
reads them (k8s.io/apimachinery `resource.Quantity`).

    <quantity> ::= <sign><number><suffix>
    <suffix>   ::= Ki | Mi | Gi | Ti | Pi | Ei | m | "" | k | M | G | T | P | E | e<signed int>
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Literal

_QUANTITY = re.compile(
    r"^(?P<number>[+-]?(?:\d+(?:\.\d*)?|\.\d+))"
    r"(?P<suffix>[eE][+-]?\d+|Ki|Mi|Gi|Ti|Pi|Ei|[mkMGTPE])?$"
)
_BINARY = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}
_DECIMAL = {"m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}


def parse_quantity(text: str) -> Decimal:
    """The value of a Kubernetes quantity; ValueError when `text` is not one."""
    match = _QUANTITY.match(text)
    if not match:
        raise ValueError(text)
    number = Decimal(match["number"])
    suffix = match["suffix"] or ""
    if suffix in _BINARY:
        return number * (1024 ** _BINARY[suffix])
    if suffix in _DECIMAL:
        return number.scaleb(_DECIMAL[suffix])
    return number.scaleb(int(suffix[1:]))


Resource = Literal["cpu", "memory", "storage"]
# Below this, a memory or storage amount without a unit is a number of cores or GiB written
# without its unit, not bytes: no container starts in a mebibyte.
_LEAST_BYTES = 1024**2


def quantity_problem(text: str, resource: Resource) -> str | None:
    """Why `text` cannot be a request or limit of `resource` (CPU in cores, memory or storage
    in bytes), or None when it can."""
    match = _QUANTITY.match(text)
    if not match:
        return "is not a Kubernetes quantity"
    value = parse_quantity(text)
    if value <= 0:
        return "must be above zero"
    suffix = match["suffix"] or ""
    if resource == "cpu":
        if suffix in _BINARY or (suffix in _DECIMAL and _DECIMAL[suffix] > 0):
            # `100Mi` of CPU is about 105 million cores: a memory amount in the wrong key.
            return f"is in `{suffix}`, a unit of bytes, not in cores"
        return None
    if suffix == "m":
        # `512m` of memory is 0.512 bytes: almost always meant as `512Mi`.
        return "is in thousandths of a byte (`m`)"
    unitless = suffix == "" or suffix[0] in "eE"
    if unitless and value < _LEAST_BYTES:
        return "has no unit, and a number without one counts bytes"
    return None
