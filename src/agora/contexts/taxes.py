"""Taxes wired: categories, rates and currency modes in PostgreSQL, and the adapter that serves
ordering's TaxRates port from them on ordering's own connection."""

from functools import partial

from sqlalchemy.ext.asyncio import AsyncConnection

from agora.platform import Platform, Wiring
from application.shared.bus import CommandBus
from application.taxes import commands as c
from application.taxes.deps import TaxesDeps
from application.taxes.handlers import currency_mode, tax_category, tax_rate
from application.taxes.queries import TaxesQueries
from domain.ordering.pricing.inputs import TaxRate, TaxTable
from domain.taxes.events import EVENTS
from domain.taxes.values import DEFAULT_PRICES_INCLUDE_TAX
from infrastructure.taxes.readers import SqlTaxesReader, destination_taxes
from infrastructure.taxes.unit_of_work import SqlTaxesUnitOfWork

NAME = "taxes"
__all__ = ["EVENTS", "NAME", "TaxesForOrdering", "dependencies", "queries", "register", "wire"]


class TaxesForOrdering:
    """Ordering's TaxRates port, served by the tax tables on ordering's connection in one
    statement. A currency with no mode set has its prices entered without tax."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def table(self, *, country: str, region: str | None, currency: str) -> TaxTable:
        country = country.strip().upper()
        region = _subdivision(country, region)
        found = await destination_taxes(
            self._conn, country=country, region=region, currency=currency.strip().upper()
        )
        include = found.prices_include_tax
        return TaxTable(
            country=country,
            region=region,
            prices_include_tax=DEFAULT_PRICES_INCLUDE_TAX if include is None else include,
            rates=tuple(
                TaxRate(tax_category=r.tax_category, rate=r.rate, name=r.name) for r in found.rates
            ),
        )


def _subdivision(country: str, region: str | None) -> str | None:
    """The ISO 3166-2 code of a region given as "US-CA" or as its own part ("CA"); None or
    blank for the whole country."""
    code = (region or "").strip().upper()
    if not code:
        return None
    return code if "-" in code else f"{country}-{code}"


def wire(p: Platform) -> Wiring:
    register(p.bus, dependencies(p))
    return Wiring()


def dependencies(p: Platform) -> TaxesDeps:
    return TaxesDeps(uow=partial(SqlTaxesUnitOfWork, p.engine, p.registry), clock=p.clock)


def register(bus: CommandBus, deps: TaxesDeps) -> None:
    """The context's command handlers on the bus (tests register them with fakes)."""
    bus.register(c.CreateTaxCategory, tax_category.create_tax_category, deps)
    bus.register(c.RenameTaxCategory, tax_category.rename_tax_category, deps)
    bus.register(c.DeleteTaxCategory, tax_category.delete_tax_category, deps)
    bus.register(c.CreateTaxRate, tax_rate.create_tax_rate, deps)
    bus.register(c.ChangeTaxRate, tax_rate.change_tax_rate, deps)
    bus.register(c.DeleteTaxRate, tax_rate.delete_tax_rate, deps)
    bus.register(c.SetCurrencyTaxMode, currency_mode.set_currency_tax_mode, deps)
    bus.register(c.ClearCurrencyTaxMode, currency_mode.clear_currency_tax_mode, deps)


def queries(p: Platform) -> TaxesQueries:
    return TaxesQueries(reader=SqlTaxesReader(p.engine))
