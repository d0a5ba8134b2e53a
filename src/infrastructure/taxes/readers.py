"""The taxes read side: staff's pages of categories and rates, and `destination_taxes`, the
rates at one destination in ONE statement on the caller's connection (ordering prices a cart
with it inside its own transaction)."""

from uuid import UUID

from sqlalchemy import func, literal, select, true, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from application.shared.pagination import Page, decode_cursor, encode_cursor, page_of
from application.taxes.views import (
    CurrencyModeView,
    DestinationTaxes,
    RateAtDestination,
    TaxCategoryView,
    TaxRateSearch,
    TaxRateView,
)
from infrastructure.taxes.tables import currency_tax_modes, tax_categories, tax_rates

c, r, m = tax_categories.c, tax_rates.c, currency_tax_modes.c
# A rate's place in staff's list: country, then the country-wide rate before the regions'.
_REGION_KEY = func.coalesce(r.region, literal(""))


async def destination_taxes(
    conn: AsyncConnection, *, country: str, region: str | None, currency: str
) -> DestinationTaxes:
    """Per category, the region's rate where it has one, else the country's; with the
    currency's mode (None if unset). One statement: the mode is a scalar subquery joined to
    the rates, so a destination without rates still answers with its mode."""
    where = r.region.is_(None) if region is None else r.region.is_(None) | (r.region == region)
    # Per category, the region's rate ranks first (false sorts before true); a window function
    # rather than DISTINCT ON, whose spelling differs between SQLAlchemy 2.0 and 2.1.
    rank = func.row_number().over(partition_by=r.tax_category, order_by=r.region.is_(None))
    ranked = (
        select(r.tax_category, r.rate, r.name, rank.label("rank"))
        .where(r.country == country, where)
        .subquery()
    )
    best = (
        select(ranked.c.tax_category, ranked.c.rate, ranked.c.name)
        .where(ranked.c.rank == 1)
        .subquery()
    )
    mode = select(m.prices_include_tax).where(m.currency == currency).scalar_subquery()
    one = select(mode.label("prices_include_tax")).subquery()
    statement = select(one.c.prices_include_tax, best.c.tax_category, best.c.rate, best.c.name)
    statement = statement.select_from(one.outerjoin(best, true())).order_by(best.c.tax_category)
    rows = (await conn.execute(statement)).all()
    return DestinationTaxes(
        prices_include_tax=rows[0].prices_include_tax,
        rates=tuple(
            RateAtDestination(tax_category=row.tax_category, rate=row.rate, name=row.name)
            for row in rows
            if row.tax_category is not None
        ),
    )


class SqlTaxesReader:
    """The TaxesReader port over the tax tables."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def categories(self, *, limit: int, cursor: str | None) -> Page[TaxCategoryView]:
        statement = select(tax_categories).order_by(c.code).limit(limit + 1)
        if cursor is not None:
            (after,) = decode_cursor(cursor, length=1)
            statement = statement.where(c.code > after)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(statement)).all()
        return page_of(
            rows,
            limit,
            item=lambda row: TaxCategoryView(**row._asdict()),
            cursor=lambda row: encode_cursor([row.code]),
        )

    async def category(self, code: str) -> TaxCategoryView | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(tax_categories).where(c.code == code))).first()
        return None if row is None else TaxCategoryView(**row._asdict())

    async def rates(self, search: TaxRateSearch) -> Page[TaxRateView]:
        key = tuple_(r.country, _REGION_KEY, r.tax_category)
        statement = select(tax_rates).order_by(*key.clauses).limit(search.limit + 1)
        if search.country is not None:
            statement = statement.where(r.country == search.country)
        if search.cursor is not None:
            statement = statement.where(key > tuple_(*decode_cursor(search.cursor, length=3)))
        async with self._engine.connect() as conn:
            rows = (await conn.execute(statement)).all()
        return page_of(
            rows,
            search.limit,
            item=lambda row: TaxRateView(**row._asdict()),
            cursor=lambda row: encode_cursor([row.country, row.region or "", row.tax_category]),
        )

    async def rate(self, tax_rate_id: UUID) -> TaxRateView | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(tax_rates).where(r.id == tax_rate_id))).first()
        return None if row is None else TaxRateView(**row._asdict())

    async def modes(self) -> list[CurrencyModeView]:
        async with self._engine.connect() as conn:
            rows = await conn.execute(select(currency_tax_modes).order_by(m.currency))
            return [CurrencyModeView(**row._asdict()) for row in rows]

    async def mode(self, currency: str) -> CurrencyModeView | None:
        async with self._engine.connect() as conn:
            row = (
                await conn.execute(select(currency_tax_modes).where(m.currency == currency))
            ).first()
        return None if row is None else CurrencyModeView(**row._asdict())
