"""Metadata stage: title, author, date, site name and wire agency, each with its provenance."""

from .text import AGENCIES, canonical_agency, clean_author, detect_wire

__all__ = ["AGENCIES", "canonical_agency", "clean_author", "detect_wire"]
