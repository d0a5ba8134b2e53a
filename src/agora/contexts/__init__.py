"""One wiring module per bounded context, each with the same four names: `NAME`, `EVENTS`
(its event types), `wire(platform)` (its handlers on the bus, and what the worker runs for it)
and `queries(platform)` (its reads, for the API). The composition root, the worker and the CLI
iterate `CONTEXTS`; adding a context is writing its module and listing it here."""

from typing import Protocol

from agora.contexts import (
    catalog,
    gift_cards,
    identity,
    inventory,
    notifications,
    ordering,
    promotions,
    reporting,
    shipping,
    taxes,
)
from agora.platform import Platform, Wiring
from domain.shared.events import DomainEvent


class Context(Protocol):
    """What every wiring module provides."""

    NAME: str
    EVENTS: tuple[type[DomainEvent], ...]

    def wire(self, p: Platform) -> Wiring: ...


CONTEXTS: tuple[Context, ...] = (
    identity,
    catalog,
    inventory,
    notifications,
    ordering,
    reporting,
    taxes,
    shipping,
    promotions,
    gift_cards,
)
