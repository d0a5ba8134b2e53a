"""The shipping read side: staff's pages of methods, and `offered_methods`, what a destination
is offered in a currency, in ONE statement on the caller's connection (ordering prices a cart
with it inside its own transaction; the public list uses it too)."""

from collections.abc import Sequence
from dataclasses import replace
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from application.shared.pagination import Page, decode_cursor, encode_cursor, page_of
from application.shipping.views import BandView, OfferedMethod, ShippingMethodView
from infrastructure.shipping.repositories import method_from_rows, tariff_rows
from infrastructure.shipping.tables import shipping_bands, shipping_methods, shipping_tariffs

m, t, b = shipping_methods.c, shipping_tariffs.c, shipping_bands.c


async def any_active_method(conn: AsyncConnection) -> bool:
    """Whether the shop ships with any active method at all (ordering's checkout rule)."""
    return bool(await conn.scalar(select(select(m.id).where(m.active).exists())))


async def offered_methods(
    conn: AsyncConnection, *, country: str, currency: str
) -> list[OfferedMethod]:
    """Active methods serving `country` with a tariff in `currency`, by code: one row per band,
    folded into one method each."""
    statement = (
        select(
            m.id,
            m.code,
            m.name,
            m.kind,
            m.basis,
            m.tax_category,
            m.max_weight_grams,
            t.currency,
            t.free_above,
            b.from_value,
            b.price,
        )
        .join(shipping_tariffs, t.method_id == m.id)
        .join(shipping_bands, (b.method_id == t.method_id) & (b.currency == t.currency))
        .where(m.active, m.countries.contains([country]), t.currency == currency)
        .order_by(m.code, b.from_value)
    )
    rows = (await conn.execute(statement)).all()
    offered: dict[UUID, OfferedMethod] = {}
    for row in rows:
        band = (BandView(from_value=row.from_value, price=row.price),)
        known = offered.get(row.id)
        offered[row.id] = (
            _offered(row, band) if known is None else replace(known, bands=known.bands + band)
        )
    return list(offered.values())


class SqlShippingReader:
    """The ShippingReader port over the shipping tables."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def methods(self, *, limit: int, cursor: str | None) -> Page[ShippingMethodView]:
        """A page of methods by code, and their tariffs: two statements."""
        statement = select(shipping_methods).order_by(m.code).limit(limit + 1)
        if cursor is not None:
            (after,) = decode_cursor(cursor, length=1)
            statement = statement.where(m.code > after)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(statement)).all()
            prices = (await conn.execute(tariff_rows(r.id for r in rows[:limit]))).all()
        return page_of(
            rows,
            limit,
            item=lambda row: _view(row, [p for p in prices if p.method_id == row.id]),
            cursor=lambda row: encode_cursor([row.code]),
        )

    async def method(self, method_id: UUID) -> ShippingMethodView | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(shipping_methods).where(m.id == method_id))).first()
            if row is None:
                return None
            prices = (await conn.execute(tariff_rows([method_id]))).all()
        return _view(row, prices)

    async def offered(self, *, country: str, currency: str) -> list[OfferedMethod]:
        async with self._engine.connect() as conn:
            return await offered_methods(conn, country=country, currency=currency)


def _view(row: Any, prices: Sequence[Any]) -> ShippingMethodView:
    return ShippingMethodView.of(method_from_rows(row._mapping, prices))


def _offered(row: Any, bands: tuple[BandView, ...]) -> OfferedMethod:
    return OfferedMethod(
        id=row.id,
        code=row.code,
        name=row.name,
        kind=row.kind,
        basis=row.basis,
        currency=row.currency,
        bands=bands,
        free_above=row.free_above,
        tax_category=row.tax_category,
        max_weight_grams=row.max_weight_grams,
    )
