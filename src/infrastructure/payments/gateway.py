"""Calls to the payment provider behind a timeout, retries and a circuit breaker.

- Each attempt has a timeout (`asyncio.timeout`).
- Failed attempts (errors, timeouts) are retried with jittered exponential backoff, by
  tenacity. A decline is an answer, not a failure: it is never retried.
- A circuit breaker (purgatory) opens after `threshold` consecutive failed attempts; while
  open, calls fail at once; after `reset_seconds` calls go through again (half-open) and the
  first result closes or re-opens the circuit.
- Every retry sends the same reference, so the provider never charges twice.

When all attempts fail, or the circuit is open, PaymentUnavailable is raised."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

from purgatory import AsyncCircuitBreakerFactory
from purgatory.domain.model import OpenedState
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

from application.ordering.ports import PaymentResult, PaymentUnavailable
from domain.shared.money import Money
from infrastructure.payments.simulated import ProviderError

T = TypeVar("T")
CIRCUIT = "payments"


class PaymentProvider(Protocol):
    """A provider's client; ResilientGateway adds the timeout, retries and circuit breaker."""

    async def authorize(self, *, reference: str, amount: Money, token: str) -> PaymentResult: ...

    async def refund(self, *, reference: str, payment_reference: str, amount: Money) -> str: ...

    async def void(self, *, reference: str) -> None: ...


class ResilientGateway:
    """The PaymentGateway port, wrapping any provider client."""

    def __init__(
        self,
        provider: PaymentProvider,
        *,
        timeout_seconds: float,
        attempts: int,
        backoff_seconds: float,
        backoff_max_seconds: float,
        threshold: int,
        reset_seconds: float,
    ) -> None:
        self._provider = provider
        self._timeout = timeout_seconds
        self._attempts = attempts
        self._backoff = backoff_seconds
        self._backoff_max = backoff_max_seconds
        # A cancelled call (the caller left) counts as a failure: purgatory would count an
        # excluded exception as a success, and a cancelled probe must not close the circuit.
        self._breakers = AsyncCircuitBreakerFactory(
            default_threshold=threshold, default_ttl=reset_seconds
        )

    async def authorize(self, *, reference: str, amount: Money, token: str) -> PaymentResult:
        return await self._call(
            lambda: self._provider.authorize(reference=reference, amount=amount, token=token)
        )

    async def refund(self, *, reference: str, payment_reference: str, amount: Money) -> str:
        return await self._call(
            lambda: self._provider.refund(
                reference=reference, payment_reference=payment_reference, amount=amount
            )
        )

    async def void(self, *, reference: str) -> None:
        await self._call(lambda: self._provider.void(reference=reference))

    async def circuit_state(self) -> str:
        """ "closed", "opened" or "half-opened"."""
        breaker = await self._breakers.get_breaker(CIRCUIT)
        return str(breaker.context.state)

    async def _call(self, attempt_once: Callable[[], Awaitable[T]]) -> T:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._attempts),
            wait=wait_random_exponential(multiplier=self._backoff, max=self._backoff_max),
            retry=retry_if_exception_type((ProviderError, TimeoutError)),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    breaker = await self._breakers.get_breaker(CIRCUIT)
                    async with breaker, asyncio.timeout(self._timeout):
                        return await attempt_once()
        except OpenedState as exc:
            # purgatory raises one instance every time; its traceback would grow with each.
            exc.__traceback__ = None
            raise PaymentUnavailable(
                "the payment provider is failing; its circuit is open"
            ) from None
        except TimeoutError:
            raise PaymentUnavailable(
                f"the payment provider did not answer within {self._timeout} s"
                f" ({self._attempts} attempts)"
            ) from None
        except ProviderError as exc:
            raise PaymentUnavailable(
                f"the payment provider failed {self._attempts} times: {exc}"
            ) from None
        raise AssertionError("unreachable: tenacity either returns or re-raises")
