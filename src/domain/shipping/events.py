"""What happens to shipping methods. Prices are not repeated here: an order freezes the option
it was priced with, and the method's row says what it costs now."""

from dataclasses import dataclass
from uuid import UUID

from domain.shared.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class ShippingMethodCreated(DomainEvent):
    """Staff added a way to ship, to these countries, priced in these currencies."""

    method_id: UUID
    code: str
    name: str
    kind: str
    basis: str
    countries: tuple[str, ...]
    currencies: tuple[str, ...]
    active: bool


@dataclass(frozen=True, kw_only=True)
class ShippingMethodChanged(DomainEvent):
    """Its name, countries, tariffs, limits or availability changed; this is how it is now."""

    method_id: UUID
    name: str
    countries: tuple[str, ...]
    currencies: tuple[str, ...]
    active: bool


@dataclass(frozen=True, kw_only=True)
class ShippingMethodDeleted(DomainEvent):
    """No longer offered; orders shipped with it keep the option they were priced with."""

    method_id: UUID


EVENTS: tuple[type[DomainEvent], ...] = (
    ShippingMethodCreated,
    ShippingMethodChanged,
    ShippingMethodDeleted,
)
