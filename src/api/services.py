"""What the api layer is given by the composition root: the bus for commands, one queries
object per context for reads, and the probes."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from starlette.types import ASGIApp

from application.catalog.queries import CatalogQueries
from application.gift_cards.queries import GiftCardsQueries
from application.identity.queries import IdentityQueries
from application.inventory.queries import InventoryQueries
from application.notifications.queries import NotificationsQueries
from application.ordering.queries import OrderingQueries
from application.promotions.queries import PromotionsQueries
from application.reporting.queries import ReportingQueries
from application.shared.bus import CommandBus
from application.shipping.queries import ShippingQueries
from application.taxes.queries import TaxesQueries


class ReadinessCheck(Protocol):
    """Reports each dependency as "ok" or why it is not, in a stable word (never error text)."""

    async def check(self) -> dict[str, str]: ...

    async def subscribers(self) -> list[dict[str, object]]: ...


@dataclass(frozen=True, kw_only=True)
class LiveConfig:
    """Timings of live order updates (SSE and WebSocket), from the notifications settings."""

    heartbeat_seconds: float = 15.0
    websocket_auth_seconds: float = 5.0


@dataclass(frozen=True, kw_only=True)
class ApiServices:
    """Everything a route may call: commands go through the bus, reads through the context's
    queries. Routes never see a connection or an engine."""

    bus: CommandBus
    identity: IdentityQueries
    catalog: CatalogQueries
    inventory: InventoryQueries
    ordering: OrderingQueries
    notifications: NotificationsQueries
    reporting: ReportingQueries
    taxes: TaxesQueries
    shipping: ShippingQueries
    promotions: PromotionsQueries
    gift_cards: GiftCardsQueries
    readiness: ReadinessCheck
    live: LiveConfig


@dataclass(frozen=True, kw_only=True)
class ApiConfig:
    """The api layer's slice of the settings."""

    max_body_bytes: int
    max_header_bytes: int
    upload_max_bytes: int
    hsts: bool
    version: str
    # Wraps each request in the database adapter's statement count (ADR 0027), which leaves
    # the request's count in `scope["state"]["db_statements"]` for the access log. Handed in
    # by the composition root: the api layer imports no adapter.
    statement_scope: Callable[[ASGIApp], ASGIApp]
    # Markdown shown at the top of the docs pages (the demo accounts, in demo mode).
    docs_notice: str = ""
    # Per-route request metrics (METRICS_PORT set) and the request id on traces (ADR 0026).
    metrics: bool = False
    tracing: bool = False
