"""Taxes' reads for staff: categories, rates and currency modes, each found or not found."""

from uuid import UUID

from application.shared.pagination import Page
from application.taxes.ports import TaxesReader
from application.taxes.views import CurrencyModeView, TaxCategoryView, TaxRateSearch, TaxRateView
from domain.taxes.errors import CurrencyModeNotFound, TaxCategoryNotFound, TaxRateNotFound
from domain.taxes.values import category_code, currency_code


class TaxesQueries:
    """What routes read of taxes."""

    def __init__(self, *, reader: TaxesReader) -> None:
        self._reader = reader

    async def categories(self, *, limit: int, cursor: str | None) -> Page[TaxCategoryView]:
        return await self._reader.categories(limit=limit, cursor=cursor)

    async def category(self, code: str) -> TaxCategoryView:
        found = await self._reader.category(category_code(code))
        if found is None:
            raise TaxCategoryNotFound(f"tax category {code!r} not found")
        return found

    async def rates(self, search: TaxRateSearch) -> Page[TaxRateView]:
        return await self._reader.rates(search)

    async def rate(self, tax_rate_id: UUID) -> TaxRateView:
        found = await self._reader.rate(tax_rate_id)
        if found is None:
            raise TaxRateNotFound(f"tax rate {tax_rate_id} not found")
        return found

    async def modes(self) -> list[CurrencyModeView]:
        return await self._reader.modes()

    async def mode(self, currency: str) -> CurrencyModeView:
        found = await self._reader.mode(currency_code(currency))
        if found is None:
            raise CurrencyModeNotFound(f"no tax mode set for {currency}")
        return found
