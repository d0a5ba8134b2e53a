"""Idempotency keys: a client that retries a money-moving request with the same key gets the
first response back instead of a second order or refund.

The key is claimed inside the command's own transaction, under a lock held until it commits:
a concurrent duplicate is told the first is still running (409); a failure rolls the claim back,
so the key can be retried; a different request under a used key is refused (422)."""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, Protocol, TypeVar
from uuid import UUID

from application.shared.errors import ApplicationError

T = TypeVar("T")

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
        canonical = json.dumps([operation, payload], sort_keys=True, default=str)
        return cls(
            owner_id=owner_id, key=key, fingerprint=hashlib.sha256(canonical.encode()).hexdigest()
        )


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
        ...

    async def remember(
        self, request: IdempotentRequest, result: object, *, now: datetime, keep_for: timedelta
    ) -> None: ...
