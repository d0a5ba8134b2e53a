"""Login attempts are limited in Redis, per account (failures) and per client address;
registrations per client address."""

from tests.support.shop import ShopFactory


async def test_failed_logins_on_one_account_are_limited_with_retry_after(
    shop_factory: ShopFactory,
) -> None:
    async with shop_factory(login_limit_per_account="3 per 15 minutes") as shop:
        await shop.register("target@example.com")
        statuses = [
            (await shop.log_in("target@example.com", "wrong-password-guess")).status_code
            for _ in range(4)
        ]
        assert statuses == [401, 401, 401, 429]

        limited = await shop.log_in("target@example.com")  # even the right password waits
        assert limited.status_code == 429
        assert limited.json()["code"] == "too_many_requests"
        assert 0 < int(limited.headers["retry-after"]) <= 15 * 60

        # Another account from the same address is not affected by this account's limit.
        await shop.register("bystander@example.com")
        assert (await shop.log_in("bystander@example.com")).status_code == 200


async def test_attempts_from_one_address_are_limited_across_accounts(
    shop_factory: ShopFactory,
) -> None:
    async with shop_factory(login_limit_per_ip="5/minute") as shop:
        statuses = [
            (await shop.log_in(f"user{n}@example.com", "whatever-password")).status_code
            for n in range(6)
        ]
        assert statuses == [401] * 5 + [429]


async def test_registrations_from_one_address_are_limited_with_retry_after(
    shop_factory: ShopFactory,
) -> None:
    """Each registration costs an Argon2 hash: an address may not make them without end."""
    async with shop_factory(registration_limit_per_ip="2/minute") as shop:
        statuses = [(await shop.register(f"new{n}@example.com")).status_code for n in range(3)]
        assert statuses == [201, 201, 429]
        limited = await shop.register("another@example.com")
        assert (limited.status_code, limited.json()["code"]) == (429, "too_many_requests")
        assert 0 < int(limited.headers["retry-after"]) <= 60
        # Logging in is limited apart: the new accounts can still log in.
        assert (await shop.log_in("new0@example.com")).status_code == 200
