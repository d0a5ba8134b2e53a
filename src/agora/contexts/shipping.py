"""Shipping wired: methods and their tariffs in PostgreSQL, and the adapter that serves
ordering's ShippingOptions port from them on ordering's own connection."""

from functools import partial

from sqlalchemy.ext.asyncio import AsyncConnection

from agora.platform import Platform, Wiring
from application.shared.bus import CommandBus
from application.shipping import commands as c
from application.shipping.deps import ShippingDeps
from application.shipping.handlers import shipping_method
from application.shipping.queries import ShippingQueries
from application.shipping.views import OfferedMethod
from domain.ordering.pricing.inputs import RateBand, ShippingBasis, ShippingKind, ShippingOption
from domain.shared.money import Money
from domain.shipping.events import EVENTS
from infrastructure.shipping.readers import SqlShippingReader, any_active_method, offered_methods
from infrastructure.shipping.unit_of_work import SqlShippingUnitOfWork

NAME = "shipping"
__all__ = ["EVENTS", "NAME", "ShippingForOrdering", "dependencies", "queries", "register", "wire"]


class ShippingForOrdering:
    """Ordering's ShippingOptions port, served by the shipping tables on ordering's connection
    in one statement: active methods serving the country, with a tariff in the currency."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def offered(self, *, country: str, currency: str) -> list[ShippingOption]:
        methods = await offered_methods(
            self._conn, country=country.strip().upper(), currency=currency.strip().upper()
        )
        return [option_of(method) for method in methods]

    async def any_active(self) -> bool:
        return await any_active_method(self._conn)


def option_of(method: OfferedMethod) -> ShippingOption:
    """Shipping's method as ordering's contract type (the translation of the two contexts)."""
    currency = method.currency
    return ShippingOption(
        method_id=method.id,
        code=method.code,
        name=method.name,
        kind=ShippingKind(method.kind),
        basis=ShippingBasis(method.basis),
        bands=tuple(
            RateBand(from_value=b.from_value, price=Money.of(b.price, currency))
            for b in method.bands
        ),
        free_above=None if method.free_above is None else Money.of(method.free_above, currency),
        tax_category=method.tax_category,
        max_weight_grams=method.max_weight_grams,
    )


def wire(p: Platform) -> Wiring:
    register(p.bus, dependencies(p))
    return Wiring()


def dependencies(p: Platform) -> ShippingDeps:
    return ShippingDeps(uow=partial(SqlShippingUnitOfWork, p.engine, p.registry), clock=p.clock)


def register(bus: CommandBus, deps: ShippingDeps) -> None:
    """The context's command handlers on the bus (tests register them with fakes)."""
    bus.register(c.CreateShippingMethod, shipping_method.create_shipping_method, deps)
    bus.register(c.ChangeShippingMethod, shipping_method.change_shipping_method, deps)
    bus.register(c.DeleteShippingMethod, shipping_method.delete_shipping_method, deps)


def queries(p: Platform) -> ShippingQueries:
    return ShippingQueries(reader=SqlShippingReader(p.engine))
