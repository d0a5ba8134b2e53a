"""Live order updates: Server-Sent Events for an order's owner (or staff), a WebSocket feed of
every order for staff. Missed updates come from the event log: a reconnect loses nothing."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, cast
from uuid import UUID

from fastapi import APIRouter, Depends, Header, WebSocket
from fastapi.encoders import jsonable_encoder
from fastapi.sse import EventSourceResponse, ServerSentEvent
from starlette.websockets import WebSocketDisconnect

from api.dependencies import Services, oauth2_scheme
from api.openapi import raises
from api.ordering.routes.orders import Viewer, sees_all
from api.schemas import SafeStr
from api.services import ApiServices
from application.identity.views import Principal
from application.ordering.ports import LiveUpdatesUnavailable, TooManyStreams
from application.ordering.views import OrderUpdate
from application.shared import bounded_json
from application.shared.errors import ApplicationError, Unavailable
from domain.identity.values import Permission
from domain.ordering import errors as ordering
from domain.shared.errors import DomainError

router = APIRouter(prefix="/api/v1", tags=["orders"])
log = logging.getLogger(__name__)

POLICY_VIOLATION = 1008  # RFC 6455: the socket broke a rule (here: not authenticated as staff)
TRY_AGAIN_LATER = 1013

LiveQueue = asyncio.Queue[OrderUpdate | None]


@dataclass(frozen=True)
class Watch:
    """The order a stream follows, who follows it, and the credentials to check again at each
    heartbeat: a bearer token, or the order's access token (a guest's; then the order itself
    counts as the viewer, for the limit of streams)."""

    order_id: UUID
    viewer_id: UUID
    token: str
    order_token: str | None = None


async def _may_watch(services: ApiServices, principal: Principal, order_id: UUID) -> None:
    """The rule of `GET /orders/{id}`: the order's owner or staff; anyone else gets 404."""
    await services.ordering.may_watch(
        order_id, viewer_id=principal.user_id, any_order=sees_all(principal)
    )


async def _is_staff(principal: Principal) -> None:
    principal.require(Permission.ORDERS_READ_ANY)


async def _still_allowed(
    services: ApiServices, token: str, check: Callable[[Principal], Awaitable[None]]
) -> bool:
    """At each heartbeat a stream checks its caller again, as a new request would be checked:
    the session (logout, deactivation), then `check` on the roles it has now (a revoked role,
    an order no longer visible). Raises `Unavailable` when the check cannot be made (PostgreSQL
    away): that is an outage, not an answer, and each stream decides what it does."""
    try:
        await check(await services.identity.authenticate(token))
    except Unavailable:
        raise
    except (ApplicationError, DomainError):
        return False
    return True


@raises(ordering.OrderNotFound)
async def watched_order(
    order_id: UUID,
    viewer: Viewer,
    services: Services,
    token: Annotated[str | None, Depends(oauth2_scheme)],
) -> Watch:
    """Checked before the stream starts, so that a stranger gets a 404 problem, not a stream.
    An order so new that the read model has not caught up is found in the log."""
    if viewer.principal is None:
        assert viewer.access_token is not None  # order_viewer made sure
        await services.ordering.may_watch(
            order_id, viewer_id=None, any_order=False, access_token=viewer.access_token
        )
        return Watch(
            order_id=order_id, viewer_id=order_id, token="", order_token=viewer.access_token
        )
    await _may_watch(services, viewer.principal, order_id)
    return Watch(order_id=order_id, viewer_id=viewer.principal.user_id, token=token or "")


async def _order_token_still_opens(services: ApiServices, watch: Watch) -> bool:
    assert watch.order_token is not None
    try:
        await services.ordering.may_watch(
            watch.order_id, viewer_id=None, any_order=False, access_token=watch.order_token
        )
    except ordering.OrderNotFound:
        return False
    return True


WatchedOrder = Annotated[Watch, Depends(watched_order)]


@raises(TooManyStreams, LiveUpdatesUnavailable)
async def live_feed(order: WatchedOrder, services: Services) -> AsyncIterator[LiveQueue]:
    """Subscribed before the response starts, so that one stream too many (429) and a feed
    that cannot be reached (503) are answered as problems, never as a silent 200."""
    async with services.ordering.live(order.viewer_id) as live:
        yield live


LiveFeed = Annotated[LiveQueue, Depends(live_feed)]


class _Heartbeat:
    """Time to check the caller again (and, on SSE, to send a comment line)."""


HEARTBEAT = _Heartbeat()


async def _paced(
    live: LiveQueue, seconds: float
) -> AsyncGenerator[OrderUpdate | _Heartbeat | None, None]:
    """The feed's updates, with a heartbeat every `seconds` however busy the feed is: a stream
    that never falls idle still checks its caller on time."""
    loop = asyncio.get_running_loop()
    due = loop.time() + seconds
    while True:
        remaining = due - loop.time()
        if remaining <= 0:
            due = loop.time() + seconds
            yield HEARTBEAT
            continue
        try:
            update = await asyncio.wait_for(live.get(), remaining)
        except TimeoutError:
            continue
        yield update


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
async def order_stream(
    order: WatchedOrder,
    live: LiveFeed,
    services: Services,
    last_event_id: LastEventId = None,
) -> AsyncIterator[ServerSentEvent]:
    """One `order` event per change of the order (id = its version in the order's history),
    starting after `Last-Event-ID` (from the beginning without it), then live. A comment line
    every few seconds keeps proxies from closing an idle stream; at each one the caller's
    access is checked again, and the stream ends when the caller may no longer read the order.
    At most a few streams per user (429); 503 while live updates are unavailable. Try it:
    `curl -N -H "Authorization: Bearer $TOKEN" localhost:8000/api/v1/orders/<id>/stream`."""
    after = int(last_event_id or 0)

    async def may_still_watch(principal: Principal) -> None:
        await _may_watch(services, principal, order.order_id)

    # Subscribed first (by `live_feed`), then the log: nothing can fall between the two.
    for update in await services.ordering.updates(order.order_id, after_version=after):
        yield _event(update)
        after = update.version
    async for incoming in _paced(live, services.live.heartbeat_seconds):
        if isinstance(incoming, _Heartbeat):
            try:
                allowed = (
                    await _order_token_still_opens(services, order)
                    if order.order_token is not None
                    else await _still_allowed(services, order.token, may_still_watch)
                )
                if not allowed:
                    return
            except Unavailable:
                # A blip must not end every stream: a client reconnecting meanwhile would get
                # a 503, on which a browser's EventSource stops for good. Checked next time.
                log.warning("could not check a stream's access; checking at the next heartbeat")
            yield ServerSentEvent(comment="heartbeat")
            continue
        if incoming is None:
            return  # this client fell behind (or Redis went away); it resumes with Last-Event-ID
        if incoming.order_id != order.order_id or incoming.version <= after:
            continue
        # A gap means pub/sub dropped something: the log has it.
        for missed in await services.ordering.updates(order.order_id, after_version=after):
            yield _event(missed)
            after = missed.version


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
    invalid token or a caller who is not staff closes the socket with 1008; so does a session
    or staff role that ends while it is open (checked at every heartbeat). A check that cannot
    be made (the database away) closes it with 1013: try again later."""
    services = cast(ApiServices, websocket.app.state.services)
    await websocket.accept()
    caller = await _authenticate(websocket, services)
    if caller is None:
        return
    principal, token = caller
    try:
        async with services.ordering.live(principal.user_id) as live:
            await websocket.send_json({"type": "ready"})  # subscribed: nothing is missed now
            await _forward(websocket, live, services=services, token=token)
    except TooManyStreams:
        await websocket.close(code=TRY_AGAIN_LATER, reason="too many live streams")
    except LiveUpdatesUnavailable:
        await websocket.close(code=TRY_AGAIN_LATER, reason="live updates unavailable")
    except Unavailable:
        await websocket.close(code=TRY_AGAIN_LATER, reason="unavailable; reconnect later")


async def _authenticate(
    websocket: WebSocket, services: ApiServices
) -> tuple[Principal, str] | None:
    """The caller and token of the first message, if they are staff; else the socket is closed."""
    try:
        first = await asyncio.wait_for(
            websocket.receive_text(), services.live.websocket_auth_seconds
        )
        first = bounded_json.loads(first)
        if not (isinstance(first, dict) and first.get("type") == "authenticate"):
            raise ValueError("the first message must authenticate")
        token = str(first.get("token", ""))
        principal = await services.identity.authenticate(token)
        allowed = await _still_allowed(services, token, _is_staff)
    except Unavailable:
        await websocket.close(code=TRY_AGAIN_LATER, reason="unavailable; reconnect later")
        return None
    except (TimeoutError, ValueError, KeyError, ApplicationError):
        await websocket.close(code=POLICY_VIOLATION, reason="authenticate first, with a token")
        return None
    except WebSocketDisconnect:
        return None
    if not allowed:
        await websocket.close(code=POLICY_VIOLATION, reason="staff only")
        return None
    return principal, token


async def _forward(
    websocket: WebSocket, live: LiveQueue, *, services: ApiServices, token: str
) -> None:
    """Send updates until the client leaves (its receive ends), falls behind, or may no longer
    watch (checked at every heartbeat, busy or idle)."""
    leaving = asyncio.create_task(_until_closed(websocket))
    updates = _paced(live, services.live.heartbeat_seconds)
    try:
        while True:
            next_item = asyncio.create_task(updates.__anext__())
            done, _ = await asyncio.wait({next_item, leaving}, return_when=asyncio.FIRST_COMPLETED)
            if leaving in done:
                next_item.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await next_item
                return
            item = next_item.result()
            if isinstance(item, _Heartbeat):
                if not await _still_allowed(services, token, _is_staff):
                    await websocket.close(code=POLICY_VIOLATION, reason="access ended")
                    return
                continue
            if item is None:
                await websocket.close(code=TRY_AGAIN_LATER, reason="fell behind; reconnect")
                return
            await websocket.send_json({"type": "order"} | _payload(item))
    finally:
        leaving.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await leaving
        await updates.aclose()


async def _until_closed(websocket: WebSocket) -> None:
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            await websocket.receive_text()
