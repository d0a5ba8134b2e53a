"""The Argon2id adapter: OWASP's parameters, rehash on change, and the loop never blocks; the
breach list of passwords too common to accept."""

import asyncio

import pytest

from agora.seed import DEMO_PASSWORD
from infrastructure.security.passwords import Argon2PasswordHasher, common_passwords
from tests.support.shop import PASSWORD


async def test_hashes_use_argon2id_at_or_above_owasp_minimum() -> None:
    stored = await Argon2PasswordHasher().hash("correct-horse-battery")
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert await Argon2PasswordHasher().verify("correct-horse-battery", stored) == (True, None)
    assert (await Argon2PasswordHasher().verify("wrong-horse-battery", stored))[0] is False


async def test_a_hash_with_other_parameters_is_replaced_on_the_next_login() -> None:
    old = await Argon2PasswordHasher().hash("correct-horse-battery")
    stronger = Argon2PasswordHasher(memory_kib=32_768, time_cost=3)
    matches, new_hash = await stronger.verify("correct-horse-battery", old)
    assert matches
    assert new_hash is not None
    assert "$m=32768,t=3," in new_hash


def test_parameters_below_the_minimum_are_refused() -> None:
    with pytest.raises(ValueError, match="OWASP"):
        Argon2PasswordHasher(memory_kib=4096)


async def test_hashing_runs_off_the_event_loop() -> None:
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.001)
            ticks += 1

    task = asyncio.create_task(ticker())
    hasher = Argon2PasswordHasher()
    await asyncio.gather(*(hasher.hash("correct-horse-battery") for _ in range(4)))
    task.cancel()
    assert ticks > 20  # ~4 x 60 ms of hashing; a blocking hash would leave the ticker at ~0


@pytest.mark.parametrize(
    "password",
    [
        "password1234",
        "qwerty123456",
        "1qaz2wsx3edc",
        "passwordpassword",
        "123456789012",
        "qwertyuiopas",
        "iloveyou1234",
        "letmein12345",
        "administrator",
        "welcome12345",
    ],
)
def test_a_breached_password_or_one_built_from_it_is_too_common(password: str) -> None:
    assert password in common_passwords()


def test_passphrases_and_the_demo_password_are_not_common() -> None:
    common = common_passwords()
    assert DEMO_PASSWORD not in common
    assert PASSWORD not in common
    assert "correct horse battery staple" not in common
