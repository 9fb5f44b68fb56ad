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
    xs: Sequence[float], ys: Sequence[float], noise: float = 0.0, tolerance: float = 1.25
) -> bool:
    """True when no later per-unit increment exceeds the first one by more than `tolerance`,
    once `noise` (the spread of the repeats, in units of y) is allowed over each step."""
    pairs = sorted(zip(xs, ys, strict=True))
    steps = increments(xs, ys)
    if len(steps) < 2:
        return True
    first = max(steps[0], 0.0)
    for (x0, _), (x1, _), step in zip(pairs[1:], pairs[2:], steps[1:], strict=False):
        if step > first * tolerance + noise / (x1 - x0):
            return False
    return True
