"""What shipping use cases need: methods in one transaction with their events, and the read
side."""

from typing import Protocol
from uuid import UUID

from application.shared.pagination import Page
from application.shared.unit_of_work import UnitOfWork
from application.shipping.views import OfferedMethod, ShippingMethodView
from domain.shipping.shipping_method import ShippingMethod


class ShippingMethodRepository(Protocol):
    """Shipping methods with their tariffs, with optimistic concurrency on `version`."""

    async def get(self, method_id: UUID) -> ShippingMethod | None: ...

    async def add(self, method: ShippingMethod) -> None:
        """Raise ShippingMethodCodeTaken if the code is used."""

    async def save(self, method: ShippingMethod) -> None:
        """Update from the loaded version; raise ConcurrencyConflict if it moved."""

    async def delete(self, method: ShippingMethod) -> None:
        """Raise ConcurrencyConflict if it moved since it was loaded."""


class ShippingUnitOfWork(UnitOfWork, Protocol):
    """One transaction over shipping methods, with their events."""

    @property
    def methods(self) -> ShippingMethodRepository: ...


class ShippingUnitOfWorkFactory(Protocol):
    """Opens a fresh unit of work for each command."""

    def __call__(self) -> ShippingUnitOfWork: ...


class ShippingReader(Protocol):
    """The read side: staff's pages of methods by code, and what a destination is offered."""

    async def methods(self, *, limit: int, cursor: str | None) -> Page[ShippingMethodView]: ...

    async def method(self, method_id: UUID) -> ShippingMethodView | None: ...

    async def offered(self, *, country: str, currency: str) -> list[OfferedMethod]: ...
