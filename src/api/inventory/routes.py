"""Stock for staff: levels, receipts, adjustments and the ledger. Reservations are not here:
the ordering context makes them through the inventory commands."""

from fastapi import APIRouter

from api.dependencies import (
    InventoryReader,
    InventoryWriter,
    PageCursor,
    PageLimit,
    Services,
    SkuPath,
)
from api.inventory.schemas import Adjustment, LedgerPage, Receipt, StockResponse
from api.openapi import raises
from application.inventory.commands import AdjustStock, ReceiveStock
from application.inventory.views import LedgerEntry
from application.shared import errors as shared
from application.shared.pagination import DEFAULT_LIMIT, Page
from domain.inventory import errors as inventory
from domain.inventory.values import StockLevel
from domain.shared.sku import InvalidSku

router = APIRouter(prefix="/api/v1/inventory", tags=["inventory"])
routers = [router]


@router.get(
    "/{sku}",
    summary="Stock of one SKU (staff)",
    response_model=StockResponse,
)
@raises(InvalidSku, inventory.UnknownSku)
async def read_stock(sku: SkuPath, _: InventoryReader, services: Services) -> StockLevel:
    return await services.inventory.level(sku)


@router.post(
    "/{sku}/receipts",
    summary="Record units received (staff)",
    response_model=StockResponse,
)
@raises(InvalidSku, inventory.UnknownSku, inventory.InvalidQuantity, shared.ConcurrencyConflict)
async def receive(
    sku: SkuPath, body: Receipt, actor: InventoryWriter, services: Services
) -> StockLevel:
    """The first receipt of a SKU creates its stock record."""
    return await services.bus.handle(
        ReceiveStock(sku=sku, quantity=body.quantity, actor_id=actor.user_id)
    )


@router.post(
    "/{sku}/adjustments",
    summary="Correct the units on hand (staff)",
    response_model=StockResponse,
)
@raises(
    InvalidSku,
    inventory.UnknownSku,
    inventory.InvalidQuantity,
    inventory.ReasonRequired,
    inventory.AdjustmentBelowReserved,
    shared.ConcurrencyConflict,
)
async def adjust(
    sku: SkuPath, body: Adjustment, actor: InventoryWriter, services: Services
) -> StockLevel:
    """Refused with 409 when it would leave fewer units on hand than are reserved."""
    return await services.bus.handle(
        AdjustStock(sku=sku, delta=body.delta, reason=body.reason, actor_id=actor.user_id)
    )


@router.get(
    "/{sku}/ledger",
    summary="Every movement of one SKU (staff)",
    response_model=LedgerPage,
)
@raises(InvalidSku, inventory.UnknownSku, shared.InvalidCursor)
async def ledger(
    sku: SkuPath,
    _: InventoryReader,
    services: Services,
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: PageCursor = None,
) -> Page[LedgerEntry]:
    return await services.inventory.ledger(sku, limit=limit, cursor=cursor)
