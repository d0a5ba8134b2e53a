"""Live order updates: Server-Sent Events for an order's owner (or staff), a WebSocket feed of
every order for staff. Missed updates come from the event log: a reconnect loses nothing."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any, cast
from uuid import UUID

from fastapi import APIRouter, Depends, Header, WebSocket
from fastapi.encoders import jsonable_encoder
from fastapi.sse import EventSourceResponse, ServerSentEvent
from starlette.websockets import WebSocketDisconnect

from api.dependencies import CurrentPrincipal, Services, oauth2_scheme
from api.openapi import raises
from api.schemas import SafeStr
from api.services import ApiServices
from application.ordering.ports import LiveUpdatesUnavailable
from application.ordering.views import OrderUpdate
from application.shared import bounded_json
from application.shared.errors import ApplicationError
from domain.identity.values import Permission
from domain.ordering import errors as ordering

router = APIRouter(prefix="/api/v1", tags=["orders"])
log = logging.getLogger(__name__)

POLICY_VIOLATION = 1008  # RFC 6455: the socket broke a rule (here: not authenticated as staff)
TRY_AGAIN_LATER = 1013


@dataclass(frozen=True)
class Watch:
    """The order a stream follows, and the credentials to check again while it runs."""

    order_id: UUID
    token: str


async def watched_order(
    order_id: UUID,
    principal: CurrentPrincipal,
    services: Services,
    token: Annotated[str, Depends(oauth2_scheme)],
) -> Watch:
    """Checked before the stream starts, so that a stranger gets a 404 problem, not a stream.
    An order so new that the read model has not caught up is found in the log."""
    await services.ordering.may_watch(
        order_id,
        viewer_id=principal.user_id,
        any_order=Permission.ORDERS_READ_ANY in principal.permissions,
    )
    return Watch(order_id=order_id, token=token)


async def _still_allowed(services: ApiServices, token: str) -> bool:
    """A long-lived stream re-checks its caller now and then: logout, deactivation and role
    changes reach it too."""
    try:
        await services.identity.authenticate(token)
    except ApplicationError:
        return False
    return True


LastEventId = Annotated[
    SafeStr | None,
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
)
@raises(ordering.OrderNotFound, LiveUpdatesUnavailable)
async def order_stream(
    order: Annotated[Watch, Depends(watched_order)],
    services: Services,
    last_event_id: LastEventId = None,
) -> AsyncIterator[ServerSentEvent]:
    """One `order` event per change of the order (id = its version in the order's history),
    starting after `Last-Event-ID` (from the beginning without it), then live. A comment line
    every few seconds keeps proxies from closing an idle stream; the stream ends when the
    caller's session does. Try it:
    `curl -N -H "Authorization: Bearer $TOKEN" localhost:8000/api/v1/orders/<id>/stream`."""
    after = int(last_event_id or 0)
    try:
        async with services.ordering.live() as live:
            # Subscribed first, then the log: nothing can fall between the two.
            for update in await services.ordering.updates(order.order_id, after_version=after):
                yield _event(update)
                after = update.version
            while True:
                try:
                    incoming = await asyncio.wait_for(live.get(), services.live.heartbeat_seconds)
                except TimeoutError:
                    if not await _still_allowed(services, order.token):
                        return
                    yield ServerSentEvent(comment="heartbeat")
                    continue
                if incoming is None:
                    return  # this client fell behind; it reconnects with Last-Event-ID
                if incoming.order_id != order.order_id or incoming.version <= after:
                    continue
                # A gap means pub/sub dropped something: the log has it.
                for missed in await services.ordering.updates(order.order_id, after_version=after):
                    yield _event(missed)
                    after = missed.version
    except LiveUpdatesUnavailable:
        log.warning("order stream ended: live updates unavailable")


def _event(update: OrderUpdate) -> ServerSentEvent:
    return ServerSentEvent(id=str(update.version), event="order", data=_payload(update))


def _payload(update: OrderUpdate) -> dict[str, Any]:
    payload: dict[str, Any] = jsonable_encoder(update, exclude={"customer_id"})
    return payload


@router.websocket("/ws/orders")
async def staff_order_feed(websocket: WebSocket) -> None:
    """Every new and changed order, live, for staff. The token never goes in the URL (where
    logs and proxies keep it): the first message must be
    `{"type": "authenticate", "token": "<access token>"}`. Anything else, a late message, an
    invalid token or a caller who is not staff closes the socket with 1008."""
    services = cast(ApiServices, websocket.app.state.services)
    await websocket.accept()
    token = await _authenticate(websocket, services)
    if token is None:
        return
    try:
        async with services.ordering.live() as live:
            await websocket.send_json({"type": "ready"})  # subscribed: nothing is missed now
            await _forward(websocket, live, services=services, token=token)
    except LiveUpdatesUnavailable:
        await websocket.close(code=TRY_AGAIN_LATER, reason="live updates unavailable")


async def _authenticate(websocket: WebSocket, services: ApiServices) -> str | None:
    """The first message's token, if it belongs to staff; else the socket is closed."""
    try:
        first = await asyncio.wait_for(
            websocket.receive_text(), services.live.websocket_auth_seconds
        )
        first = bounded_json.loads(first)
        if not (isinstance(first, dict) and first.get("type") == "authenticate"):
            raise ValueError("the first message must authenticate")
        token = str(first.get("token", ""))
        principal = await services.identity.authenticate(token)
    except (TimeoutError, ValueError, KeyError, ApplicationError):
        await websocket.close(code=POLICY_VIOLATION, reason="authenticate first, with a token")
        return None
    except WebSocketDisconnect:
        return None
    if Permission.ORDERS_READ_ANY not in principal.permissions:
        await websocket.close(code=POLICY_VIOLATION, reason="staff only")
        return None
    return token


async def _forward(
    websocket: WebSocket,
    live: "asyncio.Queue[OrderUpdate | None]",
    *,
    services: ApiServices,
    token: str,
) -> None:
    """Send updates until the client leaves (its receive ends), falls behind, or its session
    ends (checked at every idle heartbeat)."""
    leaving = asyncio.create_task(_until_closed(websocket))
    try:
        while True:
            next_update = asyncio.create_task(live.get())
            done, _ = await asyncio.wait(
                {next_update, leaving},
                timeout=services.live.heartbeat_seconds,
                return_when=asyncio.FIRST_COMPLETED,
            )
            if leaving in done:
                next_update.cancel()
                return
            if not done:
                next_update.cancel()
                if not await _still_allowed(services, token):
                    await websocket.close(code=POLICY_VIOLATION, reason="session ended")
                    return
                continue
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
