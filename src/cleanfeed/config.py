"""Explicit, validated, frozen configuration.

Every stage takes its configuration as an argument; nothing is read from the environment or at
import time. ``fingerprint()`` is what a persisted index stores and checks, so a store built
with one configuration refuses another.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field


def _fingerprint(obj: object) -> str:
    payload = json.dumps(asdict(obj), sort_keys=True, separators=(",", ":"))  # type: ignore[call-overload]
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class ExtractConfig:
    """How one page is read and cleaned.

    max_bytes: pages larger than this are refused with ``BudgetExceeded`` before parsing.
    timeout_seconds: wall-clock budget for extracting one page (enforced by the runner's
        worker processes; ``None`` disables it).
    """

    max_bytes: int = 20 * 1024 * 1024
    timeout_seconds: float | None = 30.0

    def __post_init__(self) -> None:
        if self.max_bytes <= 0:
            raise ValueError(f"max_bytes must be positive, got {self.max_bytes}")
        if self.timeout_seconds is not None and self.timeout_seconds <= 0:
            raise ValueError(
                f"timeout_seconds must be positive or None (no limit), got {self.timeout_seconds}"
            )

    def fingerprint(self) -> str:
        return _fingerprint(self)


@dataclass(frozen=True, slots=True)
class Config:
    """The whole pipeline's configuration: one frozen object, one fingerprint."""

    extract: ExtractConfig = field(default_factory=ExtractConfig)

    def fingerprint(self) -> str:
        return _fingerprint(self)
