"""What the fleet preview learned of each stack, and what blocks a merge.

Plain data, no engine: `preview_report.fleet` fills it from the Automation API,
`preview_report.fleet_render` prints it, tests build it by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .analyze import StackReport

BLOCKING_LEVEL = "mandatory"


@dataclass(frozen=True)
class PolicyViolation:
    """One violation the engine reported for the policy pack."""

    policy: str
    level: str
    """`mandatory` fails the preview; `advisory` is reported only."""
    resource: str
    """The resource's Pulumi name, or the stack's for stack-wide violations."""
    message: str

    @property
    def blocking(self) -> bool:
        return self.level == BLOCKING_LEVEL


@dataclass
class StackOutcome:
    """One stack's preview in the fleet."""

    stack: str
    report: StackReport
    violations: list[PolicyViolation] = field(default_factory=list)
    policy_packs: dict[str, str] = field(default_factory=dict)
    """The packs the engine ran on the stack: name to version (from its summary event)."""
    setup_error: str | None = None
    """Why the preview did not even start (no passphrase, no such stack...)."""
    data_loss_accepted: bool = False
    started: float = 0.0
    finished: float = 0.0
    """Monotonic seconds, for the bounded-concurrency record."""

    @property
    def policy_failed(self) -> bool:
        return any(v.blocking for v in self.violations)

    @property
    def failed(self) -> bool:
        """The preview failed for a reason other than the pack's mandatory violations."""
        if self.setup_error:
            return True
        if not self.report.failed:
            return False
        if not self.policy_failed:
            return True
        # A mandatory violation fails the preview too; that error alone is no failure here.
        return any(not _policy_error(e) for e in self.report.errors)

    @property
    def errors(self) -> list[str]:
        if self.setup_error:
            return [self.setup_error]
        if self.policy_failed:
            return [e for e in self.report.errors if not _policy_error(e)]
        return list(self.report.errors)

    @property
    def data_risks(self) -> int:
        return len(self.report.data_risks)

    @property
    def blocking(self) -> list[str]:
        """Why this stack blocks the merge (empty: it does not)."""
        reasons = []
        if self.failed:
            reasons.append("the preview failed")
        blocking = sum(v.blocking for v in self.violations)
        if blocking:
            reasons.append(f"{blocking} mandatory policy violation{'s' * (blocking != 1)}")
        if self.data_risks and not self.data_loss_accepted:
            n = self.data_risks
            reasons.append(f"{n} data-loss risk{'s' * (n != 1)} not accepted")
        return reasons


def _policy_error(message: str) -> bool:
    """The engine's only error of a preview that the pack's mandatory violations failed."""
    return message.strip().lower() == "preview failed"


@dataclass
class FleetResult:
    """Every stack of one fleet preview, in the order of the stack names."""

    outcomes: list[StackOutcome]
    jobs: int
    """At most this many previews at once (in each shard, when sharded)."""
    shards: int = 1
    """How many shards ran the fleet (merged from their partial reports when more than 1)."""
    peak: int | None = None
    """The most previews at once when merged: the shards' own figures, since their
    monotonic clocks (other runners) cannot be compared."""

    @property
    def blocked(self) -> bool:
        return any(o.blocking for o in self.outcomes)

    @property
    def exit_code(self) -> int:
        """0: every stack previewed, no mandatory violation, no unaccepted data-loss risk."""
        return 1 if self.blocked else 0

    def max_concurrent(self) -> int:
        """The most previews that ran at one moment (from their start and end times)."""
        if self.peak is not None:
            return self.peak
        return max_overlap([(o.started, o.finished) for o in self.outcomes])


def max_overlap(spans: Sequence[tuple[float, float]]) -> int:
    """The most intervals open at one moment."""
    events = sorted([(s, 1) for s, _ in spans] + [(e, -1) for _, e in spans])
    best = current = 0
    for _, delta in events:  # at equal times the end (-1) sorts first
        current += delta
        best = max(best, current)
    return best
