"""Webhook subscriptions, deliveries and mail on the unit of work's connection, and their
mapping."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from application.notifications.views import Leased
from application.shared.views import view_of
from domain.notifications.mail import Mail
from domain.notifications.values import DeliveryStatus
from domain.notifications.webhook import Delivery, WebhookSubscription
from infrastructure.db.unit_of_work import SeenAggregates
from infrastructure.notifications.tables import (
    outgoing_mail,
    webhook_deliveries,
    webhook_subscriptions,
)

s, d, m = webhook_subscriptions.c, webhook_deliveries.c, outgoing_mail.c


class SqlSubscriptionRepository:
    """Subscriptions; only `active` changes after they are made."""

    def __init__(self, conn: AsyncConnection, seen: SeenAggregates) -> None:
        self._conn = conn
        self._seen = seen

    async def add(self, subscription: WebhookSubscription) -> None:
        await self._conn.execute(
            insert(webhook_subscriptions).values(subscription_row(subscription))
        )
        self._seen.add(subscription)

    async def get(self, subscription_id: UUID) -> WebhookSubscription | None:
        row = (
            await self._conn.execute(select(webhook_subscriptions).where(s.id == subscription_id))
        ).one_or_none()
        return None if row is None else self._seen.add(subscription_from_row(row._mapping))

    async def save(self, subscription: WebhookSubscription) -> None:
        await self._conn.execute(
            update(webhook_subscriptions)
            .where(s.id == subscription.id)
            .values(active=subscription.active)
        )


class SqlDeliveryRepository:
    """Deliveries: leased with SKIP LOCKED so senders in several workers take disjoint ones."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(self, subscription_id: UUID, delivery_id: UUID) -> Delivery | None:
        row = (
            await self._conn.execute(
                select(webhook_deliveries).where(
                    d.id == delivery_id, d.subscription_id == subscription_id
                )
            )
        ).one_or_none()
        return None if row is None else delivery_from_row(row._mapping)

    async def lease(self, *, now: datetime, until: datetime, limit: int) -> list[Leased]:
        due = (
            select(d.id)
            .join(webhook_subscriptions, s.id == d.subscription_id)
            .where(d.status == DeliveryStatus.PENDING, d.next_attempt_at <= now, s.active)
            .order_by(d.next_attempt_at)
            .limit(limit)
            .with_for_update(of=webhook_deliveries, skip_locked=True)
        )
        rows = (
            await self._conn.execute(
                update(webhook_deliveries)
                .where(d.id.in_(due.scalar_subquery()))
                .values(next_attempt_at=until)
                .returning(*webhook_deliveries.c)
            )
        ).all()
        if not rows:
            return []
        targets = {
            t.id: t
            for t in await self._conn.execute(
                select(s.id, s.url, s.secret).where(s.id.in_({r.subscription_id for r in rows}))
            )
        }
        return [
            Leased(
                delivery=delivery_from_row(r._mapping),
                url=targets[r.subscription_id].url,
                secret=targets[r.subscription_id].secret,
            )
            for r in rows
        ]

    async def save(self, delivery: Delivery, *, seen: tuple[int, DeliveryStatus]) -> None:
        attempts, status = seen
        await self._conn.execute(
            update(webhook_deliveries)
            .where(d.id == delivery.id, d.attempts == attempts, d.status == status)
            .values(
                status=delivery.status,
                attempts=delivery.attempts,
                last_error=delivery.last_error,
                response_status=delivery.response_status,
                next_attempt_at=delivery.next_attempt_at,
                delivered_at=delivery.delivered_at,
            )
        )


class SqlMailRepository:
    """Mail: leased with SKIP LOCKED, recorded fenced on attempts and status, as deliveries."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, mail: Mail) -> None:
        await self._conn.execute(
            pg_insert(outgoing_mail).values(mail_row(mail)).on_conflict_do_nothing()
        )

    async def lease(self, *, now: datetime, until: datetime, limit: int) -> list[Mail]:
        due = (
            select(m.id)
            .where(m.status == DeliveryStatus.PENDING, m.next_attempt_at <= now)
            .order_by(m.next_attempt_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        rows = await self._conn.execute(
            update(outgoing_mail)
            .where(m.id.in_(due.scalar_subquery()))
            .values(next_attempt_at=until)
            .returning(*outgoing_mail.c)
        )
        return [mail_from_row(r._mapping) for r in rows]

    async def save(self, mail: Mail, *, seen: tuple[int, DeliveryStatus]) -> None:
        attempts, status = seen
        await self._conn.execute(
            update(outgoing_mail)
            .where(m.id == mail.id, m.attempts == attempts, m.status == status)
            .values(
                status=mail.status,
                attempts=mail.attempts,
                last_error=mail.last_error,
                response_status=mail.response_status,
                next_attempt_at=mail.next_attempt_at,
                delivered_at=mail.delivered_at,
                context=mail.context,
            )
        )


def mail_row(mail: Mail) -> dict[str, Any]:
    return {
        "id": mail.id,
        "event_id": mail.event_id,
        "template": mail.template,
        "recipient": mail.recipient,
        "context": mail.context,
        "message_id": mail.message_id,
        "status": mail.status,
        "attempts": mail.attempts,
        "last_error": mail.last_error,
        "response_status": mail.response_status,
        "created_at": mail.created_at,
        "next_attempt_at": mail.next_attempt_at,
        "delivered_at": mail.delivered_at,
    }


def mail_from_row(r: Mapping[Any, Any]) -> Mail:
    return view_of(Mail, r, context=dict(r["context"]), status=DeliveryStatus(r["status"]))


def subscription_row(subscription: WebhookSubscription) -> dict[str, Any]:
    return {
        "id": subscription.id,
        "url": subscription.url,
        "event_types": sorted(subscription.event_types),
        "secret": subscription.secret,
        "created_by": subscription.created_by,
        "created_at": subscription.created_at,
        "active": subscription.active,
    }


def subscription_from_row(r: Mapping[Any, Any]) -> WebhookSubscription:
    return WebhookSubscription(
        id=r["id"],
        url=r["url"],
        event_types=frozenset(r["event_types"]),
        secret=r["secret"],
        created_by=r["created_by"],
        created_at=r["created_at"],
        active=r["active"],
    )


def delivery_from_row(r: Mapping[Any, Any]) -> Delivery:
    return view_of(Delivery, r, body=dict(r["body"]), status=DeliveryStatus(r["status"]))
