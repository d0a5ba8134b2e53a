"""Order queries, with the ownership rule: a customer sees only their own orders, and someone
else's order id is answered exactly like an unknown one (404, never 403)."""

from uuid import UUID

from application.ordering.ports import OrderReader
from application.ordering.views import OrderView, TimelineEntry
from domain.ordering.errors import OrderNotFound


async def order_for(
    reader: OrderReader, order_id: UUID, *, viewer_id: UUID, any_order: bool
) -> OrderView:
    order = await reader.details(order_id)
    if order is None or not (any_order or order.customer_id == viewer_id):
        raise OrderNotFound(f"order {order_id} not found")
    return order


async def timeline_for(
    reader: OrderReader, order_id: UUID, *, viewer_id: UUID, any_order: bool
) -> list[TimelineEntry]:
    await order_for(reader, order_id, viewer_id=viewer_id, any_order=any_order)
    return await reader.timeline(order_id)
