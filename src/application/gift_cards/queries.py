"""Gift card reads: staff's list, details and ledger; and anyone's balance check by code, which
counts against the caller's address and answers an unknown code like any other."""

from uuid import UUID

from application.gift_cards.ports import BalanceCheckThrottle, GiftCardReader
from application.gift_cards.views import GiftCardBalance, GiftCardDetails, GiftCardMovement
from application.shared.pagination import Page
from domain.gift_cards.errors import GiftCardNotFound
from domain.gift_cards.values import GiftCardCode


class GiftCardsQueries:
    """What routes read of gift cards."""

    def __init__(self, *, reader: GiftCardReader, throttle: BalanceCheckThrottle) -> None:
        self._reader = reader
        self._throttle = throttle

    async def page(self, *, limit: int, cursor: str | None) -> Page[GiftCardDetails]:
        return await self._reader.page(limit=limit, cursor=cursor)

    async def details(self, gift_card_id: UUID) -> GiftCardDetails:
        found = await self._reader.details(gift_card_id)
        if found is None:
            raise GiftCardNotFound(f"gift card {gift_card_id} not found")
        return found

    async def movements(self, gift_card_id: UUID, *, limit: int) -> list[GiftCardMovement]:
        await self.details(gift_card_id)
        return await self._reader.movements(gift_card_id, limit=limit)

    async def balance(self, raw_code: str, *, client_ip: str) -> GiftCardBalance:
        """Counted before anything is looked up, malformed codes included: the count is what
        bounds guessing."""
        await self._throttle.check(client_ip=client_ip)
        code = GiftCardCode.parse(raw_code)
        found = None if code is None else await self._reader.balance(code.digest)
        if found is None:
            raise GiftCardNotFound("no gift card has this code")
        return found
