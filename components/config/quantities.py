"""Kubernetes resource quantities (`500m`, `2Gi`, `1.5`, `1e3`), read the way the API server
reads them (k8s.io/apimachinery `resource.Quantity`).

    <quantity> ::= <sign><number><suffix>
    <suffix>   ::= Ki | Mi | Gi | Ti | Pi | Ei | m | "" | k | M | G | T | P | E | e<signed int>
"""

from __future__ import annotations

import re
from decimal import Decimal

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


def quantity_problem(text: str, *, memory: bool) -> str | None:
    """Why `text` cannot be a CPU (or memory) request or limit, or None when it can."""
    try:
        value = parse_quantity(text)
    except ValueError:
        return "is not a Kubernetes quantity"
    if value <= 0:
        return "must be above zero"
    if memory and text.endswith("m"):
        # `512m` of memory is 0.512 bytes: almost always meant as `512Mi`.
        return "is in thousandths of a byte (`m`)"
    return None
