"""The gift card repository, and the two movements orders make: each is one statement that
changes the balance relative to what the row holds, under a condition, and writes its ledger
row, never a balance computed in Python (read-modify-write would lose a concurrent debit). The
WHERE refuses first; the CHECK `balance >= 0` has the last word."""

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy import Select, exists, insert, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from application.shared.errors import ConcurrencyConflict
from domain.gift_cards import events as ev
from domain.gift_cards.gift_card import GiftCard
from domain.gift_cards.values import GiftCardStatus, MovementKind
from domain.shared.events import DomainEvent
from domain.shared.money import Money
from infrastructure.db.unit_of_work import SeenAggregates
from infrastructure.gift_cards.tables import gift_card_movements, gift_cards

g, m = gift_cards.c, gift_card_movements.c
K = MovementKind


class SqlGiftCardRepository:
    """The GiftCardRepository port on the unit of work's connection."""

    def __init__(self, conn: AsyncConnection, seen: SeenAggregates) -> None:
        self._conn = conn
        self._seen = seen
        self._written: dict[int, int] = {}  # events of each card already written, by identity

    async def get(self, gift_card_id: UUID) -> GiftCard | None:
        row = (await self._conn.execute(select(gift_cards).where(g.id == gift_card_id))).first()
        return None if row is None else self._seen.add(card_from_row(row._mapping))

    async def add(self, card: GiftCard) -> None:
        await self._conn.execute(insert(gift_cards).values(card_to_row(card)))
        await self._conn.execute(
            insert(gift_card_movements).values(
                gift_card_id=card.id,
                kind=K.ISSUE,
                amount=card.initial_value.amount,
                actor_id=card.issued_by,
                recorded_at=card.created_at,
            )
        )
        self._written[id(card)] = len(card.pending_events)
        self._seen.add(card)

    async def save(self, card: GiftCard) -> None:
        done = self._written.get(id(card), 0)
        for event in card.pending_events[done:]:
            await self._write(card, event)
            card.version += 1
        self._written[id(card)] = len(card.pending_events)

    async def credit_back(self, order_id: UUID, *, now: datetime) -> int:
        return len(await credit_back_order(self._conn, order_id=order_id, now=now))

    async def _write(self, card: GiftCard, event: DomainEvent) -> None:
        """One event as one statement guarded by the loaded version (and an adjustment also by
        the balance it needs), then its ledger row."""
        guard = [g.id == card.id, g.version == card.version]
        change: dict[str, Any] = {"version": g.version + 1, "updated_at": event.occurred_at}
        match event:
            case ev.GiftCardDisabled():
                change["status"] = GiftCardStatus.DISABLED.value
            case ev.GiftCardEnabled():
                change["status"] = GiftCardStatus.ACTIVE.value
            case ev.GiftCardAdjusted(amount=amount):
                change["balance"] = g.balance + amount
                guard.append(g.balance + amount >= 0)
            case _:
                raise AssertionError(f"{type(event).__name__} is written by add()")
        result = await self._conn.execute(update(gift_cards).where(*guard).values(**change))
        if result.rowcount != 1:
            raise ConcurrencyConflict(f"gift card {card.id} was changed concurrently")
        if isinstance(event, ev.GiftCardAdjusted):
            await self._conn.execute(
                insert(gift_card_movements).values(
                    gift_card_id=card.id,
                    kind=K.ADJUST,
                    amount=event.amount,
                    reason=event.reason,
                    actor_id=event.adjusted_by,
                    recorded_at=event.occurred_at,
                )
            )


class Debit(StrEnum):
    """How taking a charge from a card went."""

    TAKEN = "taken"
    TAKEN_BEFORE = "taken_before"  # this order's debit of this card exists: nothing done
    TOO_LOW = "too_low"
    NOT_USABLE = "not_usable"  # disabled, expired, another currency, or gone


async def debit_card(
    conn: AsyncConnection, *, gift_card_id: UUID, amount: Money, order_id: UUID, now: datetime
) -> Debit:
    """Take `amount` for `order_id` in the caller's transaction: one statement when it works
    (the conditional update and its ledger row), a second to say why when it does not.
    Idempotent per card and order. A concurrent debit of the same card for the same order
    would fail on the ledger's unique index and abort its transaction: never taken twice."""
    statement = _debit(gift_card_id=gift_card_id, amount=amount, order_id=order_id, now=now)
    row = (await conn.execute(statement)).one()
    if row.taken:
        return Debit.TAKEN
    if row.before:
        return Debit.TAKEN_BEFORE
    return await _why_not(conn, gift_card_id, amount, now)


def _debit(
    *, gift_card_id: UUID, amount: Money, order_id: UUID, now: datetime
) -> Select[bool, bool]:
    """`prior`: this order's debit of this card, if any; `taken`: the balance lowered where it
    holds enough and the card can pay; `booked`: the ledger row, only if `taken` took."""
    prior = (
        select(m.id)
        .where(m.gift_card_id == gift_card_id, m.order_id == order_id, m.kind == K.DEBIT)
        .cte("prior")
    )
    taken = (
        update(gift_cards)
        .where(
            g.id == gift_card_id,
            g.balance >= amount.amount,
            g.status == GiftCardStatus.ACTIVE.value,
            g.currency == amount.currency,
            sa.or_(g.expires_at.is_(None), g.expires_at > now),
            ~exists(prior.select()),
        )
        .values(balance=g.balance - amount.amount, version=g.version + 1, updated_at=now)
        .returning(g.id)
        .cte("taken")
    )
    row = select(
        taken.c.id,
        literal(K.DEBIT.value, sa.Text),
        literal(-amount.amount, gift_cards.c.balance.type),
        literal(order_id, sa.Uuid),
        literal(now, sa.DateTime(timezone=True)),
    )
    booked = (
        insert(gift_card_movements)
        .from_select(["gift_card_id", "kind", "amount", "order_id", "recorded_at"], row)
        .returning(m.id)
        .cte("booked")
    )
    return select(exists(prior.select()).label("before"), exists(booked.select()).label("taken"))


async def _why_not(
    conn: AsyncConnection, gift_card_id: UUID, amount: Money, now: datetime
) -> Debit:
    statement = select(g.balance, g.status, g.currency, g.expires_at).where(g.id == gift_card_id)
    row = (await conn.execute(statement)).first()
    if row is None or row.status != GiftCardStatus.ACTIVE.value or row.currency != amount.currency:
        return Debit.NOT_USABLE
    if row.expires_at is not None and row.expires_at <= now:
        return Debit.NOT_USABLE
    return Debit.TOO_LOW


async def credit_back_order(conn: AsyncConnection, *, order_id: UUID, now: datetime) -> list[UUID]:
    """Give every card what `order_id` took from it, in one statement: a credit-back row per
    debit (the ledger's unique index lets each exist once: a replay inserts nothing) and the
    balance raised by exactly what was inserted. Cards credited now, none the second time.
    A card disabled or expired since gets its value back all the same: it is the customer's."""
    debits = select(
        m.gift_card_id,
        literal(K.CREDIT_BACK.value, sa.Text),
        (-m.amount).label("amount"),
        m.order_id,
        literal(now, sa.DateTime(timezone=True)),
    ).where(m.order_id == order_id, m.kind == K.DEBIT)
    credited = (
        pg_insert(gift_card_movements)
        .from_select(["gift_card_id", "kind", "amount", "order_id", "recorded_at"], debits)
        .on_conflict_do_nothing(
            index_elements=["gift_card_id", "order_id", "kind"],
            index_where=m.order_id.is_not(None),
        )
        .returning(m.gift_card_id, m.amount)
        .cte("credited")
    )
    statement = (
        update(gift_cards)
        .where(g.id == credited.c.gift_card_id)
        .values(balance=g.balance + credited.c.amount, version=g.version + 1, updated_at=now)
        .returning(g.id)
    )
    return list((await conn.execute(statement)).scalars())


def card_to_row(card: GiftCard) -> dict[str, Any]:
    return {
        "id": card.id,
        "code_digest": card.code_digest,
        "last_four": card.last_four,
        "initial_amount": card.initial_value.amount,
        "balance": card.balance.amount,
        "currency": card.balance.currency,
        "status": card.status.value,
        "expires_at": card.expires_at,
        "note": card.note,
        "recipient_email": card.recipient_email,
        "issued_by": card.issued_by,
        "created_at": card.created_at,
        "updated_at": card.updated_at,
        "version": card.version,
    }


def card_from_row(row: Mapping[Any, Any]) -> GiftCard:
    currency = row["currency"]
    return GiftCard(
        id=row["id"],
        code_digest=row["code_digest"],
        last_four=row["last_four"],
        initial_value=Money.of(row["initial_amount"], currency),
        balance=Money.of(row["balance"], currency),
        expires_at=row["expires_at"],
        note=row["note"],
        recipient_email=row["recipient_email"],
        status=GiftCardStatus(row["status"]),
        issued_by=row["issued_by"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
    )
