"""Shipping's reads: staff's methods, and the public list of what a destination is offered."""

from uuid import UUID

from application.shared.pagination import Page
from application.shipping.ports import ShippingReader
from application.shipping.views import OfferedMethod, ShippingMethodView
from domain.shipping.errors import ShippingMethodNotFound


class ShippingQueries:
    """What routes read of shipping."""

    def __init__(self, *, reader: ShippingReader) -> None:
        self._reader = reader

    async def methods(self, *, limit: int, cursor: str | None) -> Page[ShippingMethodView]:
        return await self._reader.methods(limit=limit, cursor=cursor)

    async def method(self, method_id: UUID) -> ShippingMethodView:
        found = await self._reader.method(method_id)
        if found is None:
            raise ShippingMethodNotFound(f"shipping method {method_id} not found")
        return found

    async def offered(self, *, country: str, currency: str) -> list[OfferedMethod]:
        """Active methods serving `country` with a tariff in `currency`, by code."""
        return await self._reader.offered(country=country.upper(), currency=currency.upper())
