"""Stock for staff: levels, receipts, adjustments and the ledger. Reservations are not here:
the ordering context makes them through the inventory commands."""

from typing import Annotated

from fastapi import APIRouter, Path

from api.dependencies import InventoryReader, InventoryWriter, PageCursor, PageLimit, Services
from api.inventory.schemas import Adjustment, LedgerPage, Receipt, StockResponse
from api.problems import problem_responses
from api.schemas import SafeStr
from application.inventory.commands import AdjustStock, ReceiveStock
from application.inventory.views import LedgerEntry
from application.shared.pagination import DEFAULT_LIMIT, Page
from domain.inventory.values import StockLevel

router = APIRouter(prefix="/api/v1/inventory", tags=["inventory"])
routers = [router]

SkuPath = Annotated[SafeStr, Path(max_length=64, examples=["MUG-BLUE-350"])]


@router.get(
    "/{sku}",
    summary="Stock of one SKU (staff)",
    response_model=StockResponse,
    responses=problem_responses(401, 403, 404, 422),
)
async def read_stock(sku: SkuPath, _: InventoryReader, services: Services) -> StockLevel:
    return await services.inventory.level(sku)


@router.post(
    "/{sku}/receipts",
    summary="Record units received (staff)",
    response_model=StockResponse,
    responses=problem_responses(401, 403, 422),
)
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
    responses=problem_responses(401, 403, 404, 409, 422),
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
    responses=problem_responses(400, 401, 403, 422),
)
async def ledger(
    sku: SkuPath,
    _: InventoryReader,
    services: Services,
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: PageCursor = None,
) -> Page[LedgerEntry]:
    return await services.inventory.ledger(sku, limit=limit, cursor=cursor)
