"""The statistics of the report: medians, a least-squares line, per-deployment increments."""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence
from dataclasses import dataclass


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def spread(values: Sequence[float]) -> tuple[float, float]:
    """(min, max): how noisy the repeats were."""
    return min(values), max(values)


@dataclass(frozen=True)
class Line:
    """y = intercept + slope * x, with the coefficient of determination."""

    intercept: float
    slope: float
    r2: float


def line(xs: Sequence[float], ys: Sequence[float]) -> Line:
    """Least-squares fit of `ys` against `xs` (at least two distinct xs)."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx
    intercept = my - slope * mx
    ss_tot = sum((y - my) ** 2 for y in ys)
    ss_res = sum((y - intercept - slope * x) ** 2 for x, y in zip(xs, ys, strict=True))
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else 1.0
    return Line(intercept, slope, r2)


def increments(xs: Sequence[float], ys: Sequence[float]) -> list[float]:
    """Cost per added unit between consecutive sizes: (y[i+1]-y[i]) / (x[i+1]-x[i])."""
    pairs = sorted(zip(xs, ys, strict=True))
    return [(y1 - y0) / (x1 - x0) for (x0, y0), (x1, y1) in itertools.pairwise(pairs)]


def linear_or_better(
    xs: Sequence[float],
    ys: Sequence[float],
    spreads: Sequence[float] | None = None,
    tolerance: float = 1.25,
) -> bool:
    """False only when a per-unit increment exceeds the one before it by more than
    `tolerance` times, beyond what the noise of the points explains.

    `spreads` are the max-min spreads of the repeats at each x (same order as `xs`): an
    increment between two points is uncertain by the sum of their spreads over the step.
    """
    pairs = sorted(zip(xs, ys, spreads or [0.0] * len(xs), strict=True))
    for a, b, c in zip(pairs, pairs[1:], pairs[2:], strict=False):
        first = (b[1] - a[1]) / (b[0] - a[0])
        second = (c[1] - b[1]) / (c[0] - b[0])
        uncertainty = (a[2] + b[2]) / (b[0] - a[0]) + (b[2] + c[2]) / (c[0] - b[0])
        if second > tolerance * first + uncertainty:
            return False
    return True
