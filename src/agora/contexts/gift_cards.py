"""Gift cards wired: cards and their ledger in PostgreSQL, balance checks throttled in Redis,
the credit back of orders that did not go through; and the anti-corruption adapter serving
ordering's GiftCards port on ordering's own connection."""

from collections.abc import Sequence
from datetime import datetime
from functools import partial
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from agora.platform import Platform, Wiring
from application.gift_cards import commands as c
from application.gift_cards.deps import GiftCardsDeps
from application.gift_cards.handlers import gift_card
from application.gift_cards.queries import GiftCardsQueries
from application.ordering.ports import GiftCardBalanceTooLow, GiftCardNotUsable
from application.shared.bus import CommandBus
from domain.gift_cards.events import EVENTS
from domain.gift_cards.values import GiftCardCode, refusal
from domain.ordering.pricing.breakdown import GiftCardCharge
from domain.ordering.pricing.inputs import GiftCardBalance
from infrastructure.gift_cards.readers import SqlGiftCardReader, cards_by_digest
from infrastructure.gift_cards.repositories import Debit, debit_card
from infrastructure.gift_cards.subscribers import OrderGiftCardSettler
from infrastructure.gift_cards.unit_of_work import SqlGiftCardsUnitOfWork
from infrastructure.redis.balance_throttle import RedisBalanceCheckThrottle
from infrastructure.redis.login_throttle import limits_storage

NAME = "gift_cards"
__all__ = ["EVENTS", "NAME", "GiftCardsForOrdering", "dependencies", "queries", "register", "wire"]


class GiftCardsForOrdering:
    """Ordering's GiftCards port, served by the gift card tables on ordering's connection, so
    checkout's debits commit or roll back with its order."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def balances(
        self, codes: Sequence[str], *, currency: str, now: datetime
    ) -> list[GiftCardBalance]:
        """One statement for all codes; a code given twice counts once."""
        parsed: dict[str, GiftCardCode] = {}
        for raw in codes:
            code = GiftCardCode.parse(raw)
            if code is None:
                raise GiftCardNotUsable("that is not a gift card code")
            parsed.setdefault(code.value, code)
        found = await cards_by_digest(self._conn, [code.digest for code in parsed.values()])
        balances = []
        for code in parsed.values():
            card = found.get(code.digest)
            if card is None:
                raise GiftCardNotUsable(f"no gift card ends in {code.last_four}")
            why = refusal(
                status=card.status,
                currency=card.balance.currency,
                expires_at=card.expires_at,
                wanted_currency=currency,
                now=now,
            )
            if why is not None:
                raise GiftCardNotUsable(f"the gift card ending in {card.last_four} {why}")
            balances.append(
                GiftCardBalance(
                    gift_card_id=card.id, last_four=card.last_four, balance=card.balance
                )
            )
        return balances

    async def debit(
        self, charges: Sequence[GiftCardCharge], *, order_id: UUID, now: datetime
    ) -> None:
        """Each charge by one conditional update and its ledger row, in the caller's
        transaction; a refusal raises, and the caller's rollback undoes the charges before it."""
        for charge in charges:
            if charge.amount.amount == 0:
                continue  # nothing to take: no ledger row (a debit is below zero)
            outcome = await debit_card(
                self._conn,
                gift_card_id=charge.gift_card_id,
                amount=charge.amount,
                order_id=order_id,
                now=now,
            )
            if outcome is Debit.TOO_LOW:
                raise GiftCardBalanceTooLow(
                    f"the gift card ending in {charge.last_four} holds less than {charge.amount}"
                )
            if outcome is Debit.NOT_USABLE:
                raise GiftCardNotUsable(
                    f"the gift card ending in {charge.last_four} can no longer pay"
                )


def wire(p: Platform) -> Wiring:
    register(p.bus, dependencies(p))
    return Wiring(subscribers=[OrderGiftCardSettler(p.bus)])


def dependencies(p: Platform) -> GiftCardsDeps:
    return GiftCardsDeps(uow=partial(SqlGiftCardsUnitOfWork, p.engine, p.registry), clock=p.clock)


def register(bus: CommandBus, deps: GiftCardsDeps) -> None:
    """The context's command handlers on the bus (tests register them with fakes)."""
    bus.register(c.IssueGiftCard, gift_card.issue_gift_card, deps)
    bus.register(c.DisableGiftCard, gift_card.disable_gift_card, deps)
    bus.register(c.EnableGiftCard, gift_card.enable_gift_card, deps)
    bus.register(c.AdjustGiftCard, gift_card.adjust_gift_card, deps)
    bus.register(c.CreditBackOrder, gift_card.credit_back_order, deps)


def queries(p: Platform) -> GiftCardsQueries:
    throttle = RedisBalanceCheckThrottle(
        storage=limits_storage(
            p.redis_url,
            key_prefix=f"{p.settings.redis.key_prefix}:limits",
            timeout_seconds=p.settings.redis.timeout_seconds,
        ),
        circuit=p.redis_circuit,
        per_ip=p.settings.auth.gift_card_balance_checks_per_ip,
    )
    return GiftCardsQueries(reader=SqlGiftCardReader(p.engine), throttle=throttle)
