"""Rules of shipping."""

from domain.shared.errors import DomainError


class InvalidShippingMethod(DomainError):
    """A code, name, kind, country list, tax category or weight limit the shop does not accept."""


class InvalidRateBands(DomainError):
    """Bands start at 0 and increase, prices are amounts in the tariff's currency, and a
    weight band starts at a whole number of grams."""


class ShippingMethodCodeTaken(DomainError):
    """Another shipping method already has this code."""


class ShippingMethodNotFound(DomainError):
    """No such shipping method."""
