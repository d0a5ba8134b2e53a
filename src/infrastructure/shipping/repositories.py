"""The shipping method repository (Core, on the unit of work's connection). A method's tariffs
are replaced whole when it is saved: they are part of the aggregate, never shared."""

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from application.shared.errors import ConcurrencyConflict
from domain.shared.money import Money
from domain.shipping.errors import ShippingMethodCodeTaken
from domain.shipping.shipping_method import ShippingMethod
from domain.shipping.values import Basis, MethodKind, RateBand, Tariff
from infrastructure.db.unit_of_work import SeenAggregates
from infrastructure.shipping.tables import shipping_bands, shipping_methods, shipping_tariffs

m, t, b = shipping_methods.c, shipping_tariffs.c, shipping_bands.c


class SqlShippingMethodRepository:
    """Shipping methods with optimistic concurrency on `version`."""

    def __init__(self, conn: AsyncConnection, seen: SeenAggregates) -> None:
        self._conn = conn
        self._seen = seen

    async def get(self, method_id: UUID) -> ShippingMethod | None:
        row = (await self._conn.execute(select(shipping_methods).where(m.id == method_id))).first()
        if row is None:
            return None
        prices = await self._conn.execute(tariff_rows([method_id]))
        return self._seen.add(method_from_rows(row._mapping, prices.all()))

    async def add(self, method: ShippingMethod) -> None:
        try:
            async with self._conn.begin_nested():
                await self._conn.execute(insert(shipping_methods).values(method_row(method)))
        except IntegrityError as exc:
            if "uq_shipping_methods_code" in str(exc.orig):
                raise ShippingMethodCodeTaken(f"a method has the code {method.code!r}") from None
            raise
        await self._insert_tariffs(method)
        self._seen.add(method)

    async def save(self, method: ShippingMethod) -> None:
        result = await self._conn.execute(
            update(shipping_methods)
            .where(m.id == method.id, m.version == method.version)
            .values(method_row(method) | {"version": method.version + 1})
        )
        if result.rowcount != 1:
            raise ConcurrencyConflict(f"shipping method {method.code} was changed concurrently")
        method.version += 1
        await self._conn.execute(delete(shipping_tariffs).where(t.method_id == method.id))
        await self._insert_tariffs(method)

    async def delete(self, method: ShippingMethod) -> None:
        result = await self._conn.execute(
            delete(shipping_methods).where(m.id == method.id, m.version == method.version)
        )
        if result.rowcount != 1:
            raise ConcurrencyConflict(f"shipping method {method.code} was changed concurrently")

    async def _insert_tariffs(self, method: ShippingMethod) -> None:
        tariffs = method.tariffs.values()
        await self._conn.execute(
            insert(shipping_tariffs),
            [
                {
                    "method_id": method.id,
                    "currency": x.currency,
                    "free_above": _amount(x.free_above),
                }
                for x in tariffs
            ],
        )
        await self._conn.execute(
            insert(shipping_bands),
            [
                {
                    "method_id": method.id,
                    "currency": x.currency,
                    "from_value": band.from_value,
                    "price": band.price.amount,
                }
                for x in tariffs
                for band in x.bands
            ],
        )


def tariff_rows(method_ids: Iterable[UUID]) -> Any:
    """Each band of these methods with its tariff's currency and free threshold, in order."""
    return (
        select(t.method_id, t.currency, t.free_above, b.from_value, b.price)
        .join(shipping_bands, (b.method_id == t.method_id) & (b.currency == t.currency))
        .where(t.method_id.in_(list(method_ids)))
        .order_by(t.method_id, t.currency, b.from_value)
    )


def tariffs_from_rows(rows: Sequence[Any]) -> dict[str, Tariff]:
    """Tariffs by currency from rows of `tariff_rows` (or any rows with the same columns)."""
    bands: dict[str, list[RateBand]] = {}
    free: dict[str, Money | None] = {}
    for row in rows:
        bands.setdefault(row.currency, []).append(
            RateBand(from_value=row.from_value, price=Money.of(row.price, row.currency))
        )
        free[row.currency] = (
            None if row.free_above is None else Money.of(row.free_above, row.currency)
        )
    return {
        currency: Tariff(currency=currency, bands=tuple(bands[currency]), free_above=free[currency])
        for currency in sorted(bands)
    }


def method_from_rows(row: Mapping[Any, Any], prices: Sequence[Any]) -> ShippingMethod:
    return ShippingMethod(
        id=row["id"],
        code=row["code"],
        name=row["name"],
        kind=MethodKind(row["kind"]),
        basis=Basis(row["basis"]),
        countries=frozenset(row["countries"]),
        tariffs=tariffs_from_rows(prices),
        tax_category=row["tax_category"],
        max_weight_grams=row["max_weight_grams"],
        active=row["active"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
    )


def method_row(method: ShippingMethod) -> dict[str, Any]:
    return {
        "id": method.id,
        "code": method.code,
        "name": method.name,
        "kind": method.kind.value,
        "basis": method.basis.value,
        "countries": sorted(method.countries),
        "tax_category": method.tax_category,
        "max_weight_grams": method.max_weight_grams,
        "active": method.active,
        "created_at": method.created_at,
        "updated_at": method.updated_at,
        "version": method.version,
    }


def _amount(money: Money | None) -> Decimal | None:
    return None if money is None else money.amount
