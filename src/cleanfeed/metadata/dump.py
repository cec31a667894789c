"""Metadata of a rendered text dump (stub)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..extract.lines import DumpLine


@dataclass(frozen=True, slots=True)
class DumpMetadata:
    title: str | None = None
    author: str | None = None
    date: str | None = None
    wire: str | None = None
    site: str | None = None
    provenance: dict[str, str] = field(default_factory=dict)


def dump_metadata(lines: Sequence[DumpLine], paragraphs: Sequence[str], url: str | None) -> DumpMetadata:
    return DumpMetadata()
