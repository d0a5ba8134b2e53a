"""Domain events are facts: immutable, named in the past tense, stamped with when they happened."""

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Base of all domain events; subclasses add what happened."""

    # The payload's schema version: a class that changes its payload raises it and registers
    # an upcaster from the one before (infrastructure/eventlog/registry.py).
    SCHEMA_VERSION: ClassVar[int] = 1

    occurred_at: datetime
