"""The whole life of a login, over HTTP: register, log in, refresh, reuse, log out."""

import asyncio

from domain.identity.values import Role
from tests.support.shop import PASSWORD, Shop, bearer


async def test_register_log_in_read_me_refresh_reuse_and_log_out(shop: Shop) -> None:
    registered = await shop.register("Ada@Example.com")
    assert registered.status_code == 201, registered.text
    assert registered.json()["email"] == "ada@example.com"
    assert registered.json()["roles"] == ["customer"]
    assert registered.headers["location"] == f"/api/v1/users/{registered.json()['id']}"

    first = (await shop.log_in("ADA@example.com")).json()
    me = await shop.client.get("/api/v1/users/me", headers=bearer(first["access_token"]))
    assert me.status_code == 200
    assert me.json()["email"] == "ada@example.com"
    assert "orders:place" in me.json()["permissions"]

    second = await shop.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert second.status_code == 200
    rotated = second.json()
    assert rotated["refresh_token"] != first["refresh_token"]

    replay = await shop.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert replay.status_code == 401
    assert "reuse" in replay.json()["detail"]
    # The whole family is gone: the rotated refresh token and its access token too.
    after = await shop.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": rotated["refresh_token"]}
    )
    assert after.status_code == 401
    revoked = await shop.client.get("/api/v1/users/me", headers=bearer(rotated["access_token"]))
    assert revoked.status_code == 401

    fresh = (await shop.log_in("ada@example.com")).json()
    out = await shop.client.post("/api/v1/auth/logout", headers=bearer(fresh["access_token"]))
    assert out.status_code == 204
    gone = await shop.client.get("/api/v1/users/me", headers=bearer(fresh["access_token"]))
    assert gone.status_code == 401
    refused = await shop.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": fresh["refresh_token"]}
    )
    assert refused.status_code == 401


async def test_two_concurrent_refreshes_with_one_token_give_exactly_one_success(
    shop: Shop,
) -> None:
    await shop.register("race@example.com")
    token = (await shop.log_in("race@example.com")).json()["refresh_token"]

    responses = await asyncio.gather(
        *(shop.client.post("/api/v1/auth/refresh", json={"refresh_token": token}) for _ in range(2))
    )

    assert sorted(r.status_code for r in responses) == [200, 401]
    # The loser presented a spent token, which is what theft looks like: the whole session is
    # revoked, the winner's fresh pair included (ADR 0003). The client logs in again.
    winner = next(r for r in responses if r.status_code == 200).json()
    me = await shop.client.get("/api/v1/users/me", headers=bearer(winner["access_token"]))
    assert me.status_code == 401


async def test_email_is_unique_ignoring_case(shop: Shop) -> None:
    assert (await shop.register("Bob@Example.com")).status_code == 201
    again = await shop.register("bob@EXAMPLE.com")
    assert again.status_code == 409
    assert again.json()["code"] == "email_taken"


async def test_weak_password_is_refused_with_each_reason(shop: Shop) -> None:
    response = await shop.register("weak@example.com", password="short")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "weak_password"
    messages = [e["message"] for e in body["errors"]]
    assert any("at least 12" in m for m in messages)
    assert all(e["field"] == "password" for e in body["errors"])


async def test_passwords_from_breach_lists_are_refused(shop: Shop) -> None:
    """Long enough and varied, but among the most common passwords of real breaches."""
    for common in ("1qaz2wsx3edc", "qwerty123456", "Q1W2E3R4T5Y6"):
        response = await shop.register("common@example.com", password=common)
        assert (response.status_code, response.json()["code"]) == (422, "weak_password"), common
        assert [e["message"] for e in response.json()["errors"]] == ["is too common"]
    assert (await shop.register("common@example.com")).status_code == 201


async def test_wrong_password_and_unknown_email_get_the_same_401(shop: Shop) -> None:
    await shop.register("carol@example.com")
    wrong = await shop.log_in("carol@example.com", "not-the-password-at-all")
    unknown = await shop.log_in("nobody@example.com")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]
    assert wrong.headers["www-authenticate"] == "Bearer"


async def test_changing_the_password_ends_the_other_sessions_only(shop: Shop) -> None:
    await shop.register("dan@example.com")
    phone = (await shop.log_in("dan@example.com")).json()
    laptop = (await shop.log_in("dan@example.com")).json()

    changed = await shop.client.put(
        "/api/v1/users/me/password",
        json={"current_password": PASSWORD, "new_password": "another-long-passphrase"},
        headers=bearer(laptop["access_token"]),
    )
    assert changed.status_code == 204

    assert (
        await shop.client.get("/api/v1/users/me", headers=bearer(laptop["access_token"]))
    ).status_code == 200
    assert (
        await shop.client.get("/api/v1/users/me", headers=bearer(phone["access_token"]))
    ).status_code == 401
    assert (await shop.log_in("dan@example.com")).status_code == 401
    assert (await shop.log_in("dan@example.com", "another-long-passphrase")).status_code == 200


async def test_wrong_current_password_changes_nothing(shop: Shop) -> None:
    await shop.register("erin@example.com")
    token = await shop.token_for("erin@example.com")
    response = await shop.client.put(
        "/api/v1/users/me/password",
        json={"current_password": "wrong-wrong-wrong", "new_password": "another-long-passphrase"},
        headers=bearer(token),
    )
    assert response.status_code == 403
    assert response.json()["code"] == "wrong_password"
    assert "www-authenticate" not in response.headers  # the session itself is fine
    assert (await shop.log_in("erin@example.com")).status_code == 200


async def test_profile_update_accepts_only_allowed_fields_and_honours_if_match(shop: Shop) -> None:
    await shop.register("fay@example.com")
    token = await shop.token_for("fay@example.com")
    me = await shop.client.get("/api/v1/users/me", headers=bearer(token))
    etag = me.headers["etag"]

    sneaky = await shop.client.patch(
        "/api/v1/users/me", json={"full_name": "Fay", "roles": ["admin"]}, headers=bearer(token)
    )
    assert sneaky.status_code == 422
    assert sneaky.json()["errors"][0]["field"] == "roles"

    updated = await shop.client.patch(
        "/api/v1/users/me",
        json={"full_name": "Fay Wray"},
        headers=bearer(token) | {"If-Match": etag},
    )
    assert updated.status_code == 200
    assert updated.json()["full_name"] == "Fay Wray"
    assert updated.headers["etag"] != etag

    stale = await shop.client.patch(
        "/api/v1/users/me", json={"full_name": "Old"}, headers=bearer(token) | {"If-Match": etag}
    )
    assert stale.status_code == 412
    assert stale.json()["code"] == "precondition_failed"
    assert (await shop.client.get("/api/v1/users/me", headers=bearer(token))).json()[
        "full_name"
    ] == "Fay Wray"


async def test_deactivated_users_token_stops_working_at_once(shop: Shop) -> None:
    admin = await shop.account("root@example.com", Role.ADMIN)
    await shop.register("gus@example.com")
    token = await shop.token_for("gus@example.com")
    gus_id = (await shop.client.get("/api/v1/users/me", headers=bearer(token))).json()["id"]

    deactivated = await shop.client.post(
        f"/api/v1/users/{gus_id}/deactivate", headers=bearer(admin)
    )
    assert deactivated.status_code == 200
    assert deactivated.json()["is_active"] is False
    assert (await shop.client.get("/api/v1/users/me", headers=bearer(token))).status_code == 401
    login = await shop.log_in("gus@example.com")
    assert login.status_code == 403
    assert login.json()["code"] == "account_deactivated"

    await shop.client.post(f"/api/v1/users/{gus_id}/reactivate", headers=bearer(admin))
    assert (await shop.log_in("gus@example.com")).status_code == 200
