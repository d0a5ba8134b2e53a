"""Gift cards: staff issue (the code is shown once), list, read, disable, enable and adjust
them; anyone holding a code can check that card's balance, as often as the rate limit allows."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response, status

from api.dependencies import GiftCardManager, PageCursor, PageLimit, Services, client_ip
from api.etags import IfMatch, expected_version, with_etag
from api.gift_cards import schemas
from api.openapi import raises
from application.gift_cards import commands as c
from application.gift_cards.views import GiftCardBalance, GiftCardDetails, IssuedGiftCard
from application.shared import errors as shared
from application.shared.pagination import DEFAULT_LIMIT
from domain.gift_cards import errors as gift_cards
from domain.shared.money import InvalidMoney

router = APIRouter(prefix="/api/v1/gift-cards", tags=["gift cards"])
routers = [router]

CHANGE_ERRORS = (
    gift_cards.GiftCardNotFound,
    shared.ConcurrencyConflict,
    shared.PreconditionFailed,
    shared.PreconditionRequired,
)


@router.post(
    "",
    summary="Issue a gift card (staff)",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.IssuedGiftCardResponse,
)
@raises(gift_cards.InvalidGiftCard, InvalidMoney)
async def issue(
    body: schemas.NewGiftCard, staff: GiftCardManager, response: Response, services: Services
) -> IssuedGiftCard:
    """The answer holds the card's code in full, this once: the shop keeps only its digest and
    its last four characters. Hand it to the recipient; it cannot be shown again."""
    issued = await services.bus.handle(
        c.IssueGiftCard(
            amount=body.value.amount,
            currency=body.value.currency,
            expires_at=body.expires_at,
            note=body.note,
            recipient_email=body.recipient_email,
            actor_id=staff.user_id,
        )
    )
    response.headers["Location"] = f"/api/v1/gift-cards/{issued.gift_card.id}"
    return with_etag(response, issued.gift_card.version, issued)


@router.get("", summary="Gift cards, newest first (staff)", response_model=schemas.GiftCardPage)
@raises(shared.InvalidCursor)
async def list_gift_cards(
    _: GiftCardManager,
    services: Services,
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: PageCursor = None,
) -> schemas.GiftCardPage:
    page = await services.gift_cards.page(limit=limit, cursor=cursor)
    return schemas.GiftCardPage.model_validate(page)


@router.post(
    "/balance",
    summary="A gift card's balance, by its code",
    response_model=schemas.BalanceResponse,
)
@raises(gift_cards.GiftCardNotFound, shared.TooManyAttempts)
async def balance(
    body: schemas.BalanceCheck, request: Request, services: Services
) -> GiftCardBalance:
    """No account needed: the code is the proof. The code travels in the body, never in a URL
    (URLs end up in logs). Each check counts against the caller's address, found or not; an
    unknown code and a malformed one are answered alike."""
    return await services.gift_cards.balance(body.code, client_ip=client_ip(request))


@router.get(
    "/{gift_card_id}", summary="A gift card (staff)", response_model=schemas.GiftCardResponse
)
@raises(gift_cards.GiftCardNotFound)
async def read(
    gift_card_id: UUID, _: GiftCardManager, response: Response, services: Services
) -> GiftCardDetails:
    card = await services.gift_cards.details(gift_card_id)
    return with_etag(response, card.version, card)


@router.get(
    "/{gift_card_id}/movements",
    summary="A gift card's ledger, newest first (staff)",
    response_model=schemas.MovementList,
)
@raises(gift_cards.GiftCardNotFound)
async def movements(
    gift_card_id: UUID,
    _: GiftCardManager,
    services: Services,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> schemas.MovementList:
    found = await services.gift_cards.movements(gift_card_id, limit=limit)
    return schemas.MovementList.model_validate({"items": found})


@router.post(
    "/{gift_card_id}/disable",
    summary="Disable a gift card (staff)",
    response_model=schemas.GiftCardResponse,
)
@raises(*CHANGE_ERRORS)
async def disable(
    gift_card_id: UUID,
    staff: GiftCardManager,
    response: Response,
    services: Services,
    if_match: IfMatch = None,
) -> GiftCardDetails:
    """It can no longer pay; its balance stays. Requires If-Match (428 without, 412 stale)."""
    card = await services.bus.handle(
        c.DisableGiftCard(
            gift_card_id=gift_card_id,
            expected_version=expected_version(if_match),
            actor_id=staff.user_id,
        )
    )
    return with_etag(response, card.version, card)


@router.post(
    "/{gift_card_id}/enable",
    summary="Enable a disabled gift card (staff)",
    response_model=schemas.GiftCardResponse,
)
@raises(*CHANGE_ERRORS)
async def enable(
    gift_card_id: UUID,
    staff: GiftCardManager,
    response: Response,
    services: Services,
    if_match: IfMatch = None,
) -> GiftCardDetails:
    """Requires If-Match (428 without, 412 stale)."""
    card = await services.bus.handle(
        c.EnableGiftCard(
            gift_card_id=gift_card_id,
            expected_version=expected_version(if_match),
            actor_id=staff.user_id,
        )
    )
    return with_etag(response, card.version, card)


@router.post(
    "/{gift_card_id}/adjustments",
    summary="Top up or take from a gift card's balance (staff)",
    response_model=schemas.GiftCardResponse,
)
@raises(*CHANGE_ERRORS, gift_cards.InvalidGiftCard, gift_cards.AdjustmentBelowZero, InvalidMoney)
async def adjust(
    gift_card_id: UUID,
    body: schemas.Adjustment,
    staff: GiftCardManager,
    response: Response,
    services: Services,
    if_match: IfMatch = None,
) -> GiftCardDetails:
    """A positive amount tops the card up, a negative one takes from it (never below zero);
    the ledger records it with the reason. Requires If-Match (428 without, 412 stale)."""
    card = await services.bus.handle(
        c.AdjustGiftCard(
            gift_card_id=gift_card_id,
            amount=body.amount,
            reason=body.reason,
            expected_version=expected_version(if_match),
            actor_id=staff.user_id,
        )
    )
    return with_etag(response, card.version, card)
