"""Events appended by an HTTP request carry who and what caused them."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.identity.values import Role
from infrastructure.eventlog.tables import event_log
from tests.support.shop import Shop, bearer

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


async def test_the_request_id_actor_and_trace_reach_the_event_log(
    shop: Shop, engine: AsyncEngine
) -> None:
    admin = await shop.account("admin@example.com", Role.ADMIN)
    admin_id = (await shop.client.get("/api/v1/users/me", headers=bearer(admin))).json()["id"]
    registered = await shop.client.post(
        "/api/v1/users",
        json={"email": "traced@example.com", "password": "a-long-passphrase", "full_name": "T"},
        headers={"X-Request-ID": "register-0001", "traceparent": TRACEPARENT},
    )
    user_id = registered.json()["id"]
    await shop.client.put(
        f"/api/v1/users/{user_id}/roles/staff",
        headers=bearer(admin) | {"X-Request-ID": "grant-0001"},
    )

    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                select(event_log.c.event_type, event_log.c.metadata)
                .where(event_log.c.stream_id == user_id)
                .order_by(event_log.c.position)
            )
        ).all()
    assert [(r.event_type, r.metadata) for r in rows] == [
        ("UserRegistered", {"correlation_id": "register-0001", "traceparent": TRACEPARENT}),
        ("RoleGranted", {"correlation_id": "grant-0001", "actor_id": admin_id}),
    ]
