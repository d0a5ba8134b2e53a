"""Tax category, rate and currency mode repositories (Core, on the unit of work's connection).
Each versioned write names the version it loaded; a row that moved is a ConcurrencyConflict."""

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Executable, Table, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from application.shared.errors import ConcurrencyConflict
from domain.shared.aggregate import AggregateRoot
from domain.taxes.currency_mode import CurrencyTaxMode
from domain.taxes.errors import (
    TaxCategoryExists,
    TaxCategoryInUse,
    TaxRateExists,
    UnknownTaxCategory,
)
from domain.taxes.tax_category import TaxCategory
from domain.taxes.tax_rate import TaxRate
from infrastructure.db.unit_of_work import SeenAggregates
from infrastructure.taxes.tables import currency_tax_modes, tax_categories, tax_rates

StateStored = TaxCategory | TaxRate | CurrencyTaxMode
CATEGORY_FK = "fk_tax_rates_tax_category_tax_categories"


class _Versioned:
    """Writes of a state-stored aggregate: insert, update and delete from the loaded version."""

    table: Table

    def __init__(self, conn: AsyncConnection, seen: SeenAggregates) -> None:
        self._conn = conn
        self._seen = seen

    async def _insert(self, row: dict[str, Any], errors: Mapping[str, Exception]) -> None:
        await self._guarded(insert(self.table).values(row), errors)

    async def _update(
        self, key: ColumnElement[bool], aggregate: StateStored, row: dict[str, Any]
    ) -> None:
        result = await self._conn.execute(
            update(self.table)
            .where(key, self.table.c.version == aggregate.version)
            .values(row | {"version": aggregate.version + 1})
        )
        if result.rowcount != 1:
            raise ConcurrencyConflict(f"{self.table.name}: changed concurrently")
        aggregate.version += 1

    async def _delete(
        self, key: ColumnElement[bool], version: int, errors: Mapping[str, Exception]
    ) -> None:
        statement = delete(self.table).where(key, self.table.c.version == version)
        if (await self._guarded(statement, errors)) != 1:
            raise ConcurrencyConflict(f"{self.table.name}: changed concurrently")

    async def _guarded(self, statement: Executable, errors: Mapping[str, Exception]) -> int:
        """Run it in a savepoint; a violated constraint named in `errors` raises its error."""
        try:
            async with self._conn.begin_nested():
                result = await self._conn.execute(statement)
        except IntegrityError as exc:
            for constraint, error in errors.items():
                if constraint in str(exc.orig):
                    raise error from None
            raise
        return int(getattr(result, "rowcount", 0))

    async def _row(self, key: ColumnElement[bool]) -> dict[str, Any] | None:
        row = (await self._conn.execute(select(self.table).where(key))).first()
        return None if row is None else row._asdict()

    def _added(self, aggregate: AggregateRoot) -> None:
        self._seen.add(aggregate)


class SqlTaxCategoryRepository(_Versioned):
    """Tax categories by code."""

    table = tax_categories

    async def get(self, code: str) -> TaxCategory | None:
        row = await self._row(tax_categories.c.code == code)
        return None if row is None else self._seen.add(TaxCategory(**row))

    async def add(self, category: TaxCategory) -> None:
        exists = TaxCategoryExists(f"a tax category {category.code!r} exists already")
        await self._insert(category_row(category), {"pk_tax_categories": exists})
        self._added(category)

    async def save(self, category: TaxCategory) -> None:
        await self._update(tax_categories.c.code == category.code, category, category_row(category))

    async def delete(self, category: TaxCategory) -> None:
        in_use = TaxCategoryInUse(f"rates still tax {category.code!r}: delete them first")
        await self._delete(
            tax_categories.c.code == category.code, category.version, {CATEGORY_FK: in_use}
        )


class SqlTaxRateRepository(_Versioned):
    """Tax rates, one per (country, region, category)."""

    table = tax_rates

    async def get(self, tax_rate_id: UUID) -> TaxRate | None:
        row = await self._row(tax_rates.c.id == tax_rate_id)
        return None if row is None else self._seen.add(TaxRate(**row))

    async def add(self, tax_rate: TaxRate) -> None:
        where = tax_rate.region or tax_rate.country
        exists = TaxRateExists(f"{where} has a {tax_rate.tax_category!r} rate already")
        unknown = UnknownTaxCategory(f"no tax category {tax_rate.tax_category!r}")
        await self._insert(
            rate_row(tax_rate), {"uq_tax_rates_destination": exists, CATEGORY_FK: unknown}
        )
        self._added(tax_rate)

    async def save(self, tax_rate: TaxRate) -> None:
        await self._update(tax_rates.c.id == tax_rate.id, tax_rate, rate_row(tax_rate))

    async def delete(self, tax_rate: TaxRate) -> None:
        await self._delete(tax_rates.c.id == tax_rate.id, tax_rate.version, {})


class SqlCurrencyModeRepository(_Versioned):
    """Currency tax modes by currency."""

    table = currency_tax_modes

    async def get(self, currency: str) -> CurrencyTaxMode | None:
        row = await self._row(currency_tax_modes.c.currency == currency)
        return None if row is None else self._seen.add(CurrencyTaxMode(**row))

    async def add(self, mode: CurrencyTaxMode) -> None:
        raced = ConcurrencyConflict(f"the {mode.currency} tax mode was set concurrently")
        await self._insert(mode_row(mode), {"pk_currency_tax_modes": raced})
        self._added(mode)

    async def save(self, mode: CurrencyTaxMode) -> None:
        await self._update(currency_tax_modes.c.currency == mode.currency, mode, mode_row(mode))

    async def delete(self, mode: CurrencyTaxMode) -> None:
        await self._delete(currency_tax_modes.c.currency == mode.currency, mode.version, {})


def category_row(category: TaxCategory) -> dict[str, Any]:
    return {
        "code": category.code,
        "name": category.name,
        "created_at": category.created_at,
        "updated_at": category.updated_at,
        "version": category.version,
    }


def rate_row(tax_rate: TaxRate) -> dict[str, Any]:
    return {
        "id": tax_rate.id,
        "country": tax_rate.country,
        "region": tax_rate.region,
        "tax_category": tax_rate.tax_category,
        "rate": tax_rate.rate,
        "name": tax_rate.name,
        "created_at": tax_rate.created_at,
        "updated_at": tax_rate.updated_at,
        "version": tax_rate.version,
    }


def mode_row(mode: CurrencyTaxMode) -> dict[str, Any]:
    return {
        "currency": mode.currency,
        "prices_include_tax": mode.prices_include_tax,
        "updated_at": mode.updated_at,
        "version": mode.version,
    }
