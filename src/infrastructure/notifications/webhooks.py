"""The log subscriber that turns events into webhook deliveries, and the sender that delivers
them (subscriptions and delivery records are read and kept in `repository.py`).

Deliveries are created by a subscriber of the event log in the same transaction as its
checkpoint, so each (event, subscription) gets exactly one delivery row. The sender leases due
deliveries for longer than it can take to send them (each attempt has a hard deadline and a
batch is sent a few at a time), posts them with one shared HTTP client to the address the SSRF
guard checked, and records the outcome only if its lease still holds: delivered, another
attempt later with exponential backoff, or failed after the last attempt. Receivers should
still dedupe by `Agora-Delivery-Id`: delivery is at least once (a worker can die after the
receiver accepted and before the outcome was recorded)."""

import asyncio
import json
import logging
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from application.shared.clock import Clock
from application.shared.signatures import sign
from domain.notifications.webhooks import DeliveryStatus, UnsafeWebhookUrl
from infrastructure.eventlog.store import StoredEvent
from infrastructure.eventlog.subscriptions import FailurePolicy
from infrastructure.notifications.tables import webhook_deliveries, webhook_subscriptions
from infrastructure.notifications.url_guard import NetworkUrlGuard

log = logging.getLogger(__name__)
s, d = webhook_subscriptions.c, webhook_deliveries.c


class WebhookDispatcher:
    """A log subscriber: one delivery per matching event and active subscription."""

    name = "webhooks"
    on_failure = FailurePolicy.RETRY  # a missed webhook is a lost message: never skip

    async def handle(self, events: Sequence[StoredEvent], conn: AsyncConnection) -> None:
        subscriptions = (
            await conn.execute(select(s.id, s.event_types).where(s.active.is_(True)))
        ).all()
        if not subscriptions:
            return
        rows = [
            {
                "id": uuid.uuid4(),
                "subscription_id": subscription.id,
                "event_id": event.event_id,
                "event_type": event.event_type,
                "body": _body(event),
                "status": DeliveryStatus.PENDING,
                "created_at": event.recorded_at,
                "next_attempt_at": event.recorded_at,
            }
            for event in events
            for subscription in subscriptions
            if event.event_type in subscription.event_types
        ]
        if rows:
            await conn.execute(pg_insert(webhook_deliveries).values(rows).on_conflict_do_nothing())


@dataclass(frozen=True, kw_only=True)
class SenderConfig:
    max_attempts: int = 8
    backoff_seconds: float = 5.0
    backoff_cap_seconds: float = 3600.0
    timeout_seconds: float = 5.0  # the whole attempt, whatever the receiver does
    batch: int = 50
    concurrency: int = 10

    @property
    def lease(self) -> timedelta:
        """Longer than a whole batch can take, with a margin."""
        rounds = -(-self.batch // self.concurrency)
        return timedelta(seconds=2 * rounds * self.timeout_seconds + 10)


class WebhookSender:
    """Delivers due webhooks. `http` is the process's one shared client (pooled connections,
    redirects not followed, proxy settings from the environment ignored)."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        http: httpx.AsyncClient,
        guard: NetworkUrlGuard,
        clock: Clock,
        config: SenderConfig,
    ) -> None:
        self._engine = engine
        self._http = http
        self._guard = guard
        self._clock = clock
        self._config = config
        self._slots = asyncio.Semaphore(config.concurrency)

    async def send_due(self) -> int:
        """Lease and send one batch; returns how many were attempted."""
        leased = await self._lease()
        await asyncio.gather(*(self._send(*lease) for lease in leased))
        return len(leased)

    async def _send(self, delivery: Any, url: str, secret: str) -> None:
        async with self._slots:
            await self._record(delivery, await self._attempt(delivery, url, secret))

    async def _lease(self) -> list[tuple[Any, str, str]]:
        now = self._clock.now()
        due = (
            select(d.id)
            .join(webhook_subscriptions, s.id == d.subscription_id)
            .where(d.status == DeliveryStatus.PENDING, d.next_attempt_at <= now, s.active)
            .order_by(d.next_attempt_at)
            .limit(self._config.batch)
            .with_for_update(of=webhook_deliveries, skip_locked=True)
        )
        async with self._engine.begin() as conn:
            rows = (
                await conn.execute(
                    update(webhook_deliveries)
                    .where(d.id.in_(due.scalar_subquery()))
                    .values(next_attempt_at=now + self._config.lease)
                    .returning(
                        d.id, d.attempts, d.body, d.event_id, d.event_type, d.subscription_id
                    )
                )
            ).all()
            if not rows:
                return []
            targets = {
                r.id: (r.url, r.secret)
                for r in await conn.execute(
                    select(s.id, s.url, s.secret).where(
                        s.id.in_({row.subscription_id for row in rows})
                    )
                )
            }
        return [(row, *targets[row.subscription_id]) for row in rows]

    async def _attempt(self, delivery: Any, url: str, secret: str) -> tuple[int | None, str | None]:
        """The receiver's status code and, unless it accepted, why not. The body of the answer
        is never read: a receiver cannot stall the sender or fill its memory."""
        body = json.dumps(delivery.body, separators=(",", ":")).encode()
        try:
            async with asyncio.timeout(self._config.timeout_seconds):
                target = await self._guard.pin(url)  # DNS may have changed since registration
                headers = {
                    "Host": target.host_header,
                    "Content-Type": "application/json",
                    "User-Agent": "Agora-Webhooks/1",
                    "Agora-Signature": sign(secret, body, at=self._clock.now()),
                    "Agora-Event-Id": str(delivery.event_id),
                    "Agora-Event-Type": delivery.event_type,
                    "Agora-Delivery-Id": str(delivery.id),
                }
                async with self._http.stream(
                    "POST",
                    target.url,
                    content=body,
                    headers=headers,
                    extensions={"sni_hostname": target.server_name} if target.server_name else {},
                ) as response:
                    status = response.status_code
        except UnsafeWebhookUrl as exc:
            return None, f"refused: {exc.detail}"
        except (TimeoutError, httpx.TimeoutException):
            return None, "timeout"
        except httpx.HTTPError as exc:
            return None, f"{type(exc).__name__}: {exc}"[:500]
        if 300 <= status < 400:
            return status, "redirect not followed"
        if not 200 <= status < 300:
            return status, f"HTTP {status}"
        return status, None

    async def _record(self, delivery: Any, outcome: tuple[int | None, str | None]) -> None:
        """Fenced on the attempt count this lease saw: a late outcome never overwrites a newer
        one."""
        status_code, error = outcome
        attempts = delivery.attempts + 1
        now = self._clock.now()
        if error is None:
            values: dict[str, Any] = {
                "status": DeliveryStatus.DELIVERED,
                "delivered_at": now,
                "next_attempt_at": None,
                "last_error": None,
            }
        elif attempts >= self._config.max_attempts:
            values = {"status": DeliveryStatus.FAILED, "next_attempt_at": None, "last_error": error}
        else:
            values = {"next_attempt_at": now + self._backoff(attempts), "last_error": error}
        async with self._engine.begin() as conn:
            await conn.execute(
                update(webhook_deliveries)
                .where(
                    d.id == delivery.id,
                    d.attempts == delivery.attempts,
                    d.status == DeliveryStatus.PENDING,
                )
                .values(attempts=attempts, response_status=status_code, **values)
            )
        if error is not None:
            log.warning(
                "webhook delivery failed",
                extra={"delivery": str(delivery.id), "attempt": attempts, "error": error},
            )

    def _backoff(self, attempts: int) -> timedelta:
        delay = min(
            self._config.backoff_cap_seconds, self._config.backoff_seconds * 2.0 ** (attempts - 1)
        )
        return timedelta(seconds=delay * random.uniform(0.5, 1.0))  # noqa: S311 - jitter


def _body(event: StoredEvent) -> dict[str, Any]:
    return {
        "event_id": str(event.event_id),
        "event_type": event.event_type,
        "schema_version": event.schema_version,
        "stream_id": event.stream_id,
        "stream_version": event.stream_version,
        "recorded_at": event.recorded_at.isoformat(),
        "payload": dict(event.payload),
    }


def shared_http_client(*, timeout_seconds: float) -> httpx.AsyncClient:
    """The worker's one client: pooled connections, bounded timeouts, no redirects, and no
    proxy taken from the environment (a proxy would resolve names after our check)."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout_seconds, connect=min(timeout_seconds, 3.0)),
        limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
        follow_redirects=False,
        trust_env=False,
    )
