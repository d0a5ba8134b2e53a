"""Schemas of promotion administration; responses are read from the views by attribute."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from pydantic import Field

from api.schemas import DecimalString, Instant, MoneyModel, RequestModel, ResponseModel, SafeStr
from application.promotions.commands import PromotionSpec
from domain.promotions.values import (
    MAX_PRIORITY,
    MAX_TARGETS,
    PromotionKind,
    PromotionStatus,
    PromotionTarget,
)

AmountInput = Annotated[SafeStr, Field(pattern=r"^\d{1,8}(\.\d{1,3})?$", examples=["5.00"])]
Quantity = Annotated[int, Field(ge=0, le=1000)]
Limit = Annotated[int, Field(ge=1, le=10_000_000)]


class PromotionInput(RequestModel):
    """A promotion's name and terms, whole (creating, or replacing with PUT). `currency` is that
    of `amount` and `min_subtotal`; a promotion without either applies in any currency."""

    name: SafeStr = Field(min_length=1, max_length=200, examples=["10 % off the kitchen"])
    kind: PromotionKind = Field(examples=["percentage"])
    target: PromotionTarget = Field(examples=["categories"])
    percent: Decimal | None = Field(None, gt=0, le=100, decimal_places=2, examples=["10"])
    amount: AmountInput | None = None
    currency: SafeStr | None = Field(None, pattern=r"^[A-Za-z]{3}$", examples=["EUR"])
    buy_quantity: Quantity = 0
    get_quantity: Quantity = 0
    product_ids: list[UUID] = Field(default_factory=list, max_length=MAX_TARGETS, examples=[[]])
    category_ids: list[UUID] = Field(
        default_factory=list,
        max_length=MAX_TARGETS,
        description="For `categories`: each includes its subcategories.",
        examples=[["0b6f0e4e-5c1d-4b8e-9a51-2f3c1d7e8a90"]],
    )
    min_subtotal: AmountInput | None = None
    starts_at: Instant | None = Field(None, examples=["2026-12-01T00:00:00Z"])
    ends_at: Instant | None = Field(
        None, description="Exclusive.", examples=["2027-01-01T00:00:00Z"]
    )
    priority: int = Field(0, ge=-MAX_PRIORITY, le=MAX_PRIORITY, description="Higher goes first.")
    exclusive: bool = Field(False, description="Applied, it stops the ones after it in its step.")
    automatic: bool = Field(False, description="Applies to every cart it fits, without a code.")

    def spec(self) -> PromotionSpec:
        return PromotionSpec(
            **self.model_dump(exclude={"amount", "min_subtotal", "product_ids", "category_ids"}),
            amount=None if self.amount is None else Decimal(self.amount),
            min_subtotal=None if self.min_subtotal is None else Decimal(self.min_subtotal),
            product_ids=tuple(self.product_ids),
            category_ids=tuple(self.category_ids),
        )


class PromotionResponse(ResponseModel):
    """A promotion; its ETag is its `version`."""

    id: UUID
    name: str
    kind: PromotionKind
    target: PromotionTarget
    percent: DecimalString | None
    amount: MoneyModel | None
    buy_quantity: int
    get_quantity: int
    product_ids: list[UUID]
    category_ids: list[UUID]
    min_subtotal: MoneyModel | None
    starts_at: datetime | None
    ends_at: datetime | None
    priority: int
    exclusive: bool
    automatic: bool
    status: PromotionStatus
    created_at: datetime
    updated_at: datetime
    version: int


class PromotionPage(ResponseModel):
    """Promotions, newest first; send `next_cursor` back as `cursor` for the next page."""

    items: list[PromotionResponse]
    next_cursor: str | None


class NewCoupon(RequestModel):
    """A code for a coupon-only promotion; customers may type it in any case."""

    code: SafeStr = Field(min_length=3, max_length=40, examples=["WELCOME10"])
    usage_limit: Limit | None = Field(None, description="Uses in total; none: unlimited.")
    per_customer_limit: Limit | None = Field(None, description="Uses per customer (or email).")


class CouponResponse(ResponseModel):
    """A code, its limits, and how many orders still standing used it."""

    id: UUID
    promotion_id: UUID
    code: str
    usage_limit: int | None
    per_customer_limit: int | None
    uses: int
    active: bool
    created_at: datetime


class CouponPage(ResponseModel):
    """A promotion's codes, oldest first; send `next_cursor` back as `cursor` for more."""

    items: list[CouponResponse]
    next_cursor: str | None
