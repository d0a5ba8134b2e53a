"""The price pipeline's one entry point (ADR 0028)."""

from domain.ordering.pricing.breakdown import Breakdown
from domain.ordering.pricing.inputs import PricingInput


def price(given: PricingInput) -> Breakdown:
    """unit prices -> line promotions -> order promotions -> shipping -> taxes -> gift cards."""
    raise NotImplementedError
