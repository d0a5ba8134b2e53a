"""Argon2id password hashing through passlib, run in a worker thread to keep the loop free; the
passwords too common to accept."""

import asyncio
from functools import cache

from passlib.context import CryptContext
from zxcvbn import zxcvbn

# zxcvbn's score 3: an estimated 10^8 guesses or more, out of an online attack's reach.
GUESSABLE_BELOW_SCORE = 3
SCORED_PREFIX = 100  # the estimate's cost grows with length; a longer password is long enough

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


class GuessablePasswords:
    """The passwords too common to accept: those the maintained zxcvbn estimator guesses in
    under 10^8 tries. It knows the 30,000 passwords seen most often in public breaches, English
    words, names and the patterns people build from them (repeats, sequences, keyboard runs,
    dates, l33t), so `passwordpassword` and `letmein12345` are as common as `password`."""

    def __contains__(self, password: object) -> bool:
        if not isinstance(password, str):
            return False
        return int(zxcvbn(password[:SCORED_PREFIX])["score"]) < GUESSABLE_BELOW_SCORE


@cache
def common_passwords() -> GuessablePasswords:
    return GuessablePasswords()
