"""Rules of promotions."""

from domain.shared.errors import DomainError


class InvalidPromotion(DomainError):
    """Terms the price pipeline could not apply, or that contradict each other."""


class InvalidCoupon(DomainError):
    """A coupon code of the wrong shape, or limits below one."""


class PromotionNotFound(DomainError):
    """No such promotion (or no such coupon of it)."""


class PromotionEnded(DomainError):
    """Staff ended the promotion: it no longer changes or takes new codes."""


class CouponCodeTaken(DomainError):
    """Another coupon has this code already (codes are case-insensitive)."""


class CouponLimitReached(DomainError):
    """A code at its limit of uses, or at this customer's limit, when an order takes a use."""


class CouponNotLive(DomainError):
    """A code whose promotion has ended or is out of its window when an order takes a use."""
