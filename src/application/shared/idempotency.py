"""Idempotency keys: a client that retries a money-moving request with the same key gets the
first response back instead of a second order or refund.

`idempotent` claims the key in a unit of work the handler's own joins, locked until it commits:
a concurrent duplicate is told the first is still running (409); a failure rolls the claim back
with the effect, so the key can be retried; another request under a used key is refused (422)."""

import functools
import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, Protocol, TypeVar
from uuid import UUID

from application.shared.clock import Clock
from application.shared.errors import ApplicationError
from application.shared.unit_of_work import UnitOfWork

T = TypeVar("T")
R = TypeVar("R")

MAX_KEY_LENGTH = 200


class IdempotencyKeyRequired(ApplicationError):
    """This request moves money or stock: it must carry an `Idempotency-Key` header."""


class InvalidIdempotencyKey(ApplicationError):
    """An Idempotency-Key that is empty, too long or not printable."""


class IdempotencyKeyInUse(ApplicationError):
    """A request with this key is still being processed; retry when it has finished."""


class IdempotencyKeyReused(ApplicationError):
    """This key was used for a different request; a key names one request only."""


@dataclass(frozen=True, kw_only=True)
class IdempotentRequest:
    """Who asked (keys are scoped to the caller), their key, and what exactly they asked."""

    owner_id: UUID
    key: str
    fingerprint: str

    @classmethod
    def of(cls, *, owner_id: UUID, key: str, operation: str, payload: Any) -> "IdempotentRequest":
        key = key.strip()
        if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
            raise InvalidIdempotencyKey(
                f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable characters"
            )
        canonical = json.dumps([operation, payload], sort_keys=True, default=str).encode()
        return cls(owner_id=owner_id, key=key, fingerprint=hashlib.sha256(canonical).hexdigest())


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """A command's result, and whether it is the stored answer to an earlier identical request."""

    value: T
    replayed: bool = False


class IdempotencyKeys(Protocol):
    """Stored answers, written in the transaction of the command they answer."""

    async def claim(
        self, request: IdempotentRequest, result_type: type[T], *, now: datetime
    ) -> T | None:
        """Lock the key for this transaction and return the stored answer, if there is one.
        Raise IdempotencyKeyInUse if another transaction holds it, IdempotencyKeyReused if
        its answer belongs to another request."""

    async def remember(
        self, request: IdempotentRequest, result: object, *, now: datetime, keep_for: timedelta
    ) -> None: ...

    async def forget_expired(self, *, now: datetime) -> int:
        """Drop answers kept past their time; returns how many."""


class IdempotentCommand(Protocol):
    """A command that carries its caller's Idempotency-Key."""

    def idempotent_request(self) -> IdempotentRequest: ...


class KeyedUnitOfWork(UnitOfWork, Protocol):
    """A unit of work that can claim and remember idempotency keys."""

    @property
    def idempotency(self) -> IdempotencyKeys: ...


class KeyedDeps(Protocol):
    """What `idempotent` needs of a context's dependencies."""

    @property
    def uow(self) -> Callable[[], KeyedUnitOfWork]: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def idempotency_ttl(self) -> timedelta: ...


C = TypeVar("C", bound=IdempotentCommand)
D = TypeVar("D", bound=KeyedDeps)


def idempotent(
    result: type[R],
) -> Callable[[Callable[[C, D], Awaitable[R]]], Callable[[C, D], Awaitable[Outcome[R]]]]:
    """Answer a repeated request with the first one's `result`, stored with the effect."""

    def wrap(handler: Callable[[C, D], Awaitable[R]]) -> Callable[[C, D], Awaitable[Outcome[R]]]:
        @functools.wraps(handler)
        async def run(command: C, deps: D) -> Outcome[R]:
            request, now = command.idempotent_request(), deps.clock.now()
            async with deps.uow() as uow:
                earlier = await uow.idempotency.claim(request, result, now=now)
                if earlier is not None:
                    return Outcome(earlier, replayed=True)
                value = await handler(command, deps)  # its unit of work joins this one
                await uow.idempotency.remember(
                    request, value, now=now, keep_for=deps.idempotency_ttl
                )
                await uow.commit()
            return Outcome(value)

        return run

    return wrap
