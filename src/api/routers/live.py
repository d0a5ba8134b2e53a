"""Live order updates: Server-Sent Events for an order's owner (or staff), and a WebSocket feed
of every order for staff. Both read the process's one Redis subscription (`OrderFeed`); missed
updates come from the event log (`OrderHistory`), so a reconnect with `Last-Event-ID` loses
nothing."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Annotated, Any, cast
from uuid import UUID

from fastapi import APIRouter, Depends, Header, WebSocket
from fastapi.sse import EventSourceResponse, ServerSentEvent
from starlette.websockets import WebSocketDisconnect

from api.dependencies import CurrentPrincipal, Services
from api.problems import problem_responses
from api.services import ApiServices
from application.identity.queries import authenticate
from application.identity.views import Principal
from application.ordering.ports import LiveUpdatesUnavailable
from application.ordering.queries import order_for
from application.ordering.views import OrderUpdate, OrderView
from application.shared.errors import ApplicationError
from domain.identity.roles import Permission

router = APIRouter(prefix="/api/v1", tags=["orders"])
log = logging.getLogger(__name__)

POLICY_VIOLATION = 1008  # RFC 6455: the socket broke a rule (here: not authenticated as staff)
TRY_AGAIN_LATER = 1013


async def watched_order(
    order_id: UUID, principal: CurrentPrincipal, services: Services
) -> OrderView:
    """Checked before the stream starts, so that a stranger gets a 404 problem, not a stream."""
    any_order = Permission.ORDERS_READ_ANY in principal.permissions
    return await order_for(
        services.orders, order_id, viewer_id=principal.user_id, any_order=any_order
    )


LastEventId = Annotated[
    str | None,
    Header(
        alias="Last-Event-ID",
        pattern=r"^\d{1,9}$",
        description="The last event id received; the stream resumes after it.",
    ),
]


@router.get(
    "/orders/{order_id}/stream",
    summary="Follow an order live (Server-Sent Events)",
    response_class=EventSourceResponse,
    responses=problem_responses(401, 404, 422),
)
async def order_stream(
    order: Annotated[OrderView, Depends(watched_order)],
    services: Services,
    last_event_id: LastEventId = None,
) -> AsyncIterator[ServerSentEvent]:
    """One `order` event per change of the order (id = its version in the order's history),
    starting after `Last-Event-ID` (from the beginning without it), then live. A comment line
    every few seconds keeps proxies from closing an idle stream. Try it:
    `curl -N -H "Authorization: Bearer $TOKEN" localhost:8000/api/v1/orders/<id>/stream`."""
    after = int(last_event_id or 0)
    try:
        async with services.order_feed.subscribe() as live:
            # Subscribed first, then the log: nothing can fall between the two.
            for update in await services.order_history.updates(order.id, after_version=after):
                yield _event(update)
                after = update.version
            while True:
                try:
                    incoming = await asyncio.wait_for(live.get(), services.live.heartbeat_seconds)
                except TimeoutError:
                    yield ServerSentEvent(comment="heartbeat")
                    continue
                if incoming is None:
                    return  # this client fell behind; it reconnects with Last-Event-ID
                if incoming.order_id != order.id or incoming.version <= after:
                    continue
                # A gap means pub/sub dropped something: the log has it.
                for missed in await services.order_history.updates(order.id, after_version=after):
                    yield _event(missed)
                    after = missed.version
    except LiveUpdatesUnavailable:
        log.warning("order stream ended: live updates unavailable")


def _event(update: OrderUpdate) -> ServerSentEvent:
    return ServerSentEvent(id=str(update.version), event="order", data=_payload(update))


def _payload(update: OrderUpdate) -> dict[str, Any]:
    return {
        "order_id": str(update.order_id),
        "version": update.version,
        "event_type": update.event_type,
        "status": update.status.value,
        "occurred_at": update.occurred_at.isoformat(),
        "summary": update.summary,
    }


@router.websocket("/ws/orders")
async def staff_order_feed(websocket: WebSocket) -> None:
    """Every new and changed order, live, for staff. The token never goes in the URL (where
    logs and proxies keep it): the first message must be
    `{"type": "authenticate", "token": "<access token>"}`. Anything else, a late message, an
    invalid token or a caller who is not staff closes the socket with 1008."""
    services = cast(ApiServices, websocket.app.state.services)
    await websocket.accept()
    principal = await _authenticate(websocket, services)
    if principal is None:
        return
    await websocket.send_json({"type": "ready"})
    try:
        async with services.order_feed.subscribe() as live:
            await _forward(websocket, live)
    except LiveUpdatesUnavailable:
        await websocket.close(code=TRY_AGAIN_LATER, reason="live updates unavailable")


async def _authenticate(websocket: WebSocket, services: ApiServices) -> Principal | None:
    try:
        first = await asyncio.wait_for(
            websocket.receive_json(), services.live.websocket_auth_seconds
        )
        if not (isinstance(first, dict) and first.get("type") == "authenticate"):
            raise ValueError("the first message must authenticate")
        principal = await authenticate(
            str(first.get("token", "")),
            tokens=services.tokens,
            directory=services.users,
            now=services.clock.now(),
        )
    except (TimeoutError, ValueError, KeyError, ApplicationError):
        await websocket.close(code=POLICY_VIOLATION, reason="authenticate first, with a token")
        return None
    except WebSocketDisconnect:
        return None
    if Permission.ORDERS_READ_ANY not in principal.permissions:
        await websocket.close(code=POLICY_VIOLATION, reason="staff only")
        return None
    return principal


async def _forward(websocket: WebSocket, live: "asyncio.Queue[OrderUpdate | None]") -> None:
    """Send updates until the client leaves (its receive ends) or falls behind."""
    leaving = asyncio.create_task(_until_closed(websocket))
    try:
        while True:
            next_update = asyncio.create_task(live.get())
            done, _ = await asyncio.wait(
                {next_update, leaving}, return_when=asyncio.FIRST_COMPLETED
            )
            if leaving in done:
                next_update.cancel()
                return
            update = next_update.result()
            if update is None:
                await websocket.close(code=TRY_AGAIN_LATER, reason="fell behind; reconnect")
                return
            await websocket.send_json({"type": "order"} | _payload(update))
    finally:
        leaving.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await leaving


async def _until_closed(websocket: WebSocket) -> None:
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            await websocket.receive_text()
