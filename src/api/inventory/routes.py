"""Stock for staff: levels, receipts, adjustments and the ledger. Reservations are not here:
the ordering context makes them through the inventory commands."""

from typing import Annotated

from fastapi import APIRouter, Path

from api.dependencies import (
    InventoryReader,
    InventoryWriter,
    PageCursor,
    PageLimit,
    Services,
    SkuPath,
)
from api.inventory.schemas import (
    Adjustment,
    BackorderPolicyRequest,
    LedgerPage,
    LocationResponse,
    NewLocation,
    Receipt,
    StockResponse,
    Transfer,
)
from api.openapi import raises
from api.schemas import SafeStr
from application.inventory.commands import (
    AdjustStock,
    DeactivateLocation,
    OpenLocation,
    ReceiveStock,
    SetBackorderPolicy,
    TransferStock,
)
from application.inventory.views import LedgerEntry, LocationView
from application.shared import errors as shared
from application.shared.pagination import DEFAULT_LIMIT, Page
from domain.inventory import errors as inventory
from domain.inventory.values import StockLevel
from domain.shared.sku import InvalidSku

LocationPath = Annotated[SafeStr, Path(max_length=32)]

router = APIRouter(prefix="/api/v1/inventory", tags=["inventory"])
locations = APIRouter(prefix="/api/v1/stock-locations", tags=["inventory"])
routers = [router, locations]


@locations.get("", summary="Stock locations (staff)", response_model=list[LocationResponse])
async def list_locations(_: InventoryReader, services: Services) -> list[LocationView]:
    return await services.inventory.locations()


@locations.post(
    "", summary="Open a stock location (staff)", response_model=LocationResponse, status_code=201
)
@raises(inventory.InvalidLocationCode, inventory.LocationExists)
async def open_location(
    body: NewLocation, actor: InventoryWriter, services: Services
) -> LocationView:
    return await services.bus.handle(
        OpenLocation(code=body.code, name=body.name, actor_id=actor.user_id)
    )


@locations.post(
    "/{code}/deactivate",
    summary="Deactivate a stock location (staff)",
    response_model=LocationResponse,
)
@raises(inventory.UnknownLocation)
async def deactivate_location(
    code: LocationPath, actor: InventoryWriter, services: Services
) -> LocationView:
    """It takes no new stock or reservations; what it holds stays until settled or moved."""
    return await services.bus.handle(DeactivateLocation(code=code, actor_id=actor.user_id))


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
@raises(
    InvalidSku,
    inventory.UnknownSku,
    inventory.InvalidQuantity,
    inventory.UnknownLocation,
    inventory.LocationInactive,
    shared.ConcurrencyConflict,
)
async def receive(
    sku: SkuPath, body: Receipt, actor: InventoryWriter, services: Services
) -> StockLevel:
    """The first receipt of a SKU creates its stock record. Units received fill the
    location's backorders first (oldest reservation first); the rest become available."""
    return await services.bus.handle(
        ReceiveStock(
            sku=sku, quantity=body.quantity, actor_id=actor.user_id, location=body.location
        )
    )


@router.post(
    "/{sku}/transfers",
    summary="Move available units between stock locations (staff)",
    response_model=StockResponse,
)
@raises(
    InvalidSku,
    inventory.UnknownSku,
    inventory.InvalidQuantity,
    inventory.UnknownLocation,
    inventory.LocationInactive,
    inventory.InsufficientStock,
    shared.ConcurrencyConflict,
)
async def transfer(
    sku: SkuPath, body: Transfer, actor: InventoryWriter, services: Services
) -> StockLevel:
    """Refused with 409 `insufficient_stock` when the source has fewer units available."""
    return await services.bus.handle(
        TransferStock(
            sku=sku,
            from_location=body.from_location,
            to_location=body.to_location,
            quantity=body.quantity,
            actor_id=actor.user_id,
        )
    )


@router.put(
    "/{sku}/backorder-policy",
    summary="Allow reserving beyond what is on hand (staff)",
    response_model=StockResponse,
)
@raises(InvalidSku, inventory.InvalidQuantity, shared.ConcurrencyConflict)
async def set_backorder_policy(
    sku: SkuPath, body: BackorderPolicyRequest, actor: InventoryWriter, services: Services
) -> StockLevel:
    """`backorder` or `preorder` with a limit of units not on hand; `none` stops it."""
    return await services.bus.handle(
        SetBackorderPolicy(sku=sku, policy=body.policy, limit=body.limit, actor_id=actor.user_id)
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
    inventory.UnknownLocation,
    shared.ConcurrencyConflict,
)
async def adjust(
    sku: SkuPath, body: Adjustment, actor: InventoryWriter, services: Services
) -> StockLevel:
    """Refused with 409 when it would leave fewer units on hand than are reserved."""
    return await services.bus.handle(
        AdjustStock(
            sku=sku,
            delta=body.delta,
            reason=body.reason,
            actor_id=actor.user_id,
            location=body.location,
        )
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
