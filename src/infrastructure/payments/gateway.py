"""Calls to the payment provider: each attempt under a timeout, retried with jittered backoff,
behind a circuit breaker. A decline (or an expired authorisation) is an answer, never retried;
retries reuse the reference: the provider's idempotency key, for charges, captures and refunds."""

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Protocol, TypeVar, cast

import tenacity
from purgatory import AsyncCircuitBreakerFactory
from purgatory.domain.model import OpenedState

from application.ordering.ports import PaymentResult, PaymentUnavailable
from domain.ordering.errors import AuthorisationExpired
from domain.shared.money import Money
from infrastructure.payments.simulated import ProviderError
from infrastructure.telemetry.metrics import PAYMENT_CALLS, PAYMENT_CIRCUIT

T = TypeVar("T")
CIRCUIT = "payments"


class PaymentProvider(Protocol):
    """A provider's client; ResilientGateway adds the timeout, retries and circuit breaker."""

    async def authorize(self, *, reference: str, amount: Money, token: str) -> PaymentResult: ...

    async def capture(self, *, reference: str, payment_reference: str, amount: Money) -> str: ...

    async def refund(self, *, reference: str, payment_reference: str, amount: Money) -> str: ...

    async def void(self, *, reference: str) -> None: ...


class ResilientGateway:
    """The PaymentGateway port, wrapping any provider client. The circuit opens after `threshold`
    failed attempts in a row; when attempts are spent or it is open, PaymentUnavailable."""

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
            "authorize",
            lambda: self._provider.authorize(reference=reference, amount=amount, token=token),
        )

    async def capture(self, *, reference: str, payment_reference: str, amount: Money) -> str:
        return await self._call(
            "capture",
            lambda: self._provider.capture(
                reference=reference, payment_reference=payment_reference, amount=amount
            ),
        )

    async def refund(self, *, reference: str, payment_reference: str, amount: Money) -> str:
        return await self._call(
            "refund",
            lambda: self._provider.refund(
                reference=reference, payment_reference=payment_reference, amount=amount
            ),
        )

    async def void(self, *, reference: str) -> None:
        await self._call("void", lambda: self._provider.void(reference=reference))

    async def _within(self, attempt_once: Callable[[], Awaitable[T]]) -> T:
        async with asyncio.timeout(self._timeout):
            try:
                return await attempt_once()
            except AuthorisationExpired as exc:  # an answer: neither retried nor a failure
                return cast(T, _Refused(exc))

    async def circuit_state(self) -> str:
        """ "closed", "opened" or "half-opened"."""
        breaker = await self._breakers.get_breaker(CIRCUIT)
        return str(breaker.context.state)

    async def _call(self, operation: str, attempt_once: Callable[[], Awaitable[T]]) -> T:
        try:
            return await self._retried(operation, attempt_once)
        finally:
            with contextlib.suppress(Exception):
                PAYMENT_CIRCUIT.state(await self.circuit_state())

    async def _timed(self, operation: str, attempt_once: Callable[[], Awaitable[T]]) -> T:
        """One attempt, its time recorded with its outcome (ok, failed, timeout)."""
        started, outcome = time.perf_counter(), "failed"
        try:
            result = await attempt_once()
            outcome = "ok"
            return result
        except TimeoutError:
            outcome = "timeout"
            raise
        finally:
            PAYMENT_CALLS.labels(operation, outcome).observe(time.perf_counter() - started)

    async def _retried(self, operation: str, attempt_once: Callable[[], Awaitable[T]]) -> T:
        retrying = tenacity.AsyncRetrying(
            stop=tenacity.stop_after_attempt(self._attempts),
            wait=tenacity.wait_random_exponential(multiplier=self._backoff, max=self._backoff_max),
            retry=tenacity.retry_if_exception_type((ProviderError, TimeoutError)),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    breaker = await self._breakers.get_breaker(CIRCUIT)
                    async with breaker:
                        answer = await self._timed(operation, partial(self._within, attempt_once))
                    if isinstance(answer, _Refused):
                        raise answer.error
                    return answer
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


@dataclass(frozen=True)
class _Refused:
    """The provider's refusal, carried past the circuit breaker, which counts it as an answer."""

    error: AuthorisationExpired
