"""Domain events are facts: immutable, named in the past tense, stamped with when they happened."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Base of all domain events; subclasses add what happened."""

    occurred_at: datetime
