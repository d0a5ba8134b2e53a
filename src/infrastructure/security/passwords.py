"""Argon2id password hashing through passlib, run in a worker thread to keep the loop free; the
list of passwords too common to accept."""

import asyncio
from functools import cache

from passlib.context import CryptContext
from zxcvbn.frequency_lists import FREQUENCY_LISTS

# OWASP Password Storage Cheat Sheet minimum for Argon2id: m=19 MiB, t=2, p=1.
OWASP_MIN_MEMORY_KIB = 19_456
OWASP_MIN_TIME_COST = 2


class Argon2PasswordHasher:
    """Hashes with the configured parameters; hashes made with other ones are flagged for rehash."""

    def __init__(
        self, *, memory_kib: int = OWASP_MIN_MEMORY_KIB, time_cost: int = OWASP_MIN_TIME_COST
    ) -> None:
        if memory_kib < OWASP_MIN_MEMORY_KIB or time_cost < OWASP_MIN_TIME_COST:
            raise ValueError("Argon2id parameters below the OWASP minimum (m=19456 KiB, t=2)")
        self._context = CryptContext(
            schemes=["argon2"],
            argon2__type="ID",
            argon2__memory_cost=memory_kib,
            argon2__time_cost=time_cost,
            argon2__parallelism=1,
        )
        self._dummy_hash = self._context.hash("not a real password, only for timing")

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._context.hash, password)

    async def verify(self, password: str, password_hash: str) -> tuple[bool, str | None]:
        return await asyncio.to_thread(self._context.verify_and_update, password, password_hash)

    async def waste_time(self, password: str) -> None:
        await asyncio.to_thread(self._context.verify, password, self._dummy_hash)


@cache
def common_passwords() -> frozenset[str]:
    """The 30,000 passwords seen most often in public breaches, lower-case, as the maintained
    zxcvbn package ships them (its `passwords` frequency list); read once per process."""
    return frozenset(FREQUENCY_LISTS["passwords"])
