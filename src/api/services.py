"""What the api layer is given by the composition root: the bus, read ports and probes."""

from dataclasses import dataclass
from typing import Protocol

from application.catalog.ports import CatalogReader, ImageStore
from application.identity.api_keys import ApiKeys
from application.identity.ports import AccessTokens, UserDirectory
from application.inventory.ports import StockReader
from application.notifications.webhooks import Webhooks
from application.ordering.ports import CartReader, OrderFeed, OrderHistory, OrderReader
from application.reporting.ports import SalesReports
from application.shared.bus import CommandBus
from application.shared.clock import Clock


class ReadinessCheck(Protocol):
    """Reports each dependency as "ok" or why it is not."""

    async def check(self) -> dict[str, str]: ...

    async def subscribers(self) -> list[dict[str, object]]: ...


@dataclass(frozen=True, kw_only=True)
class LiveConfig:
    """Timings of live order updates (SSE and WebSocket), from the notifications settings."""

    heartbeat_seconds: float = 15.0
    websocket_auth_seconds: float = 5.0


@dataclass(frozen=True, kw_only=True)
class ApiServices:
    """Everything a route may call; routes never see a connection or an engine."""

    bus: CommandBus
    users: UserDirectory
    stock: StockReader
    catalog: CatalogReader
    orders: OrderReader
    carts: CartReader
    order_history: OrderHistory
    order_feed: OrderFeed
    api_keys: ApiKeys
    reports: SalesReports
    webhooks: Webhooks
    live: LiveConfig
    images: ImageStore
    tokens: AccessTokens
    clock: Clock
    readiness: ReadinessCheck


@dataclass(frozen=True, kw_only=True)
class ApiConfig:
    """The api layer's slice of the settings."""

    max_body_bytes: int
    upload_max_bytes: int
    hsts: bool
    version: str
