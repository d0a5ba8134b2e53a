"""Webhook deliveries over HTTP: each attempt is re-checked by the URL guard (DNS may have changed
since registration), sent to the very address it checked, signed, under a hard deadline, never
following a redirect nor reading the answer: a receiver can neither stall us nor fill our memory."""

import asyncio
import json

import httpx

from application.notifications.views import Leased
from application.shared.clock import Clock
from domain.notifications.errors import UnsafeWebhookUrl
from domain.notifications.values import Attempt
from infrastructure.http.signatures import sign
from infrastructure.http.url_guard import NetworkUrlGuard


class HttpWebhookTransport:
    """The WebhookTransport port over the shared HTTP client; at most `concurrency` at once."""

    def __init__(
        self,
        *,
        http: httpx.AsyncClient,
        guard: NetworkUrlGuard,
        clock: Clock,
        timeout_seconds: float,
        concurrency: int = 10,
    ) -> None:
        self._http = http
        self._guard = guard
        self._clock = clock
        self._timeout = timeout_seconds
        self._slots = asyncio.Semaphore(concurrency)

    async def send(self, leased: Leased) -> Attempt:
        delivery = leased.delivery
        body = json.dumps(delivery.body, separators=(",", ":")).encode()
        try:
            # The deadline starts once a slot is free: waiting for one is not the receiver's fault.
            async with self._slots, asyncio.timeout(self._timeout):
                target = await self._guard.pin(leased.url)
                headers = {
                    "Host": target.host_header,
                    "Content-Type": "application/json",
                    "User-Agent": "Agora-Webhooks/1",
                    "Agora-Signature": sign(leased.secret, body, at=self._clock.now()),
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
            return Attempt(None, f"refused: {exc.detail}")
        except (TimeoutError, httpx.TimeoutException):
            return Attempt(None, "timeout")
        except httpx.HTTPError as exc:
            return Attempt(None, f"{type(exc).__name__}: {exc}"[:500])
        if 300 <= status < 400:
            return Attempt(status, "redirect not followed")
        if not 200 <= status < 300:
            return Attempt(status, f"HTTP {status}")
        return Attempt(status)
