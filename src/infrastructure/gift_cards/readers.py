"""The gift card read side: staff's keyset list, a card and its ledger, a balance by code; and
the cards checkout weighs, read on the caller's connection. SQLAlchemy Core into views."""

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from application.gift_cards.views import (
    GiftCardBalance,
    GiftCardDetails,
    GiftCardHolding,
    GiftCardMovement,
)
from application.shared.errors import InvalidCursor
from application.shared.pagination import (
    Page,
    cursor_instant,
    decode_cursor,
    encode_cursor,
    page_of,
)
from application.shared.views import view_of
from domain.gift_cards.values import GiftCardStatus
from domain.shared.money import Money
from infrastructure.db.engine import single_statement_reads
from infrastructure.gift_cards.tables import gift_card_movements, gift_cards

g, m = gift_cards.c, gift_card_movements.c
DETAILS = [c for c in gift_cards.c if c.name != "code_digest"]  # the digest stays in here


class SqlGiftCardReader:
    """The GiftCardReader port over the gift card tables."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = single_statement_reads(engine)

    async def page(self, *, limit: int, cursor: str | None) -> Page[GiftCardDetails]:
        statement = select(*DETAILS)
        if cursor is not None:
            created_at, card_id = decode_cursor(cursor, length=2)
            try:
                after = (cursor_instant(created_at), UUID(card_id))
            except ValueError:
                raise InvalidCursor("the cursor is not one this service issued") from None
            statement = statement.where(tuple_(g.created_at, g.id) < after)
        statement = statement.order_by(g.created_at.desc(), g.id.desc()).limit(limit + 1)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(statement)).all()
        return page_of(
            rows,
            limit,
            item=lambda r: details_of(r._mapping),
            cursor=lambda r: encode_cursor([r.created_at.isoformat(), str(r.id)]),
        )

    async def details(self, gift_card_id: UUID) -> GiftCardDetails | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(*DETAILS).where(g.id == gift_card_id))).first()
        return None if row is None else details_of(row._mapping)

    async def movements(self, gift_card_id: UUID, *, limit: int) -> list[GiftCardMovement]:
        statement = (
            select(gift_card_movements, g.currency)
            .join(gift_cards, g.id == m.gift_card_id)
            .where(m.gift_card_id == gift_card_id)
            .order_by(m.id.desc())
            .limit(limit)
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(statement)).all()
        return [
            view_of(GiftCardMovement, r._mapping, amount=signed(r.amount, r.currency)) for r in rows
        ]

    async def balance(self, code_digest: str) -> GiftCardBalance | None:
        statement = select(g.last_four, g.balance, g.currency, g.status, g.expires_at).where(
            g.code_digest == code_digest
        )
        async with self._engine.connect() as conn:
            row = (await conn.execute(statement)).first()
        if row is None:
            return None
        return view_of(GiftCardBalance, row._mapping, balance=Money.of(row.balance, row.currency))


async def cards_by_digest(
    conn: AsyncConnection, digests: Sequence[str]
) -> dict[str, GiftCardHolding]:
    """The cards with these code digests, in one statement on the caller's connection: what
    the gift cards context offers checkout. An unknown digest is left out."""
    if not digests:
        return {}
    statement = select(
        g.id, g.code_digest, g.last_four, g.balance, g.currency, g.status, g.expires_at
    ).where(g.code_digest.in_(sorted(set(digests))))
    return {
        r.code_digest: GiftCardHolding(
            id=r.id,
            last_four=r.last_four,
            balance=Money.of(r.balance, r.currency),
            status=GiftCardStatus(r.status),
            expires_at=r.expires_at,
        )
        for r in await conn.execute(statement)
    }


def signed(amount: Decimal, currency: str) -> Decimal:
    """A ledger amount at its currency's precision (the column holds three decimals)."""
    size = Money.of(abs(amount), currency).amount
    return -size if amount < 0 else size


def details_of(row: Mapping[Any, Any]) -> GiftCardDetails:
    currency = row["currency"]
    return view_of(
        GiftCardDetails,
        row,
        initial_value=Money.of(row["initial_amount"], currency),
        balance=Money.of(row["balance"], currency),
    )
