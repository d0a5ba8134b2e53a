"""Rules of taxes."""

from domain.shared.errors import DomainError


class InvalidTaxCategory(DomainError):
    """A tax category's code is lower-case letters, digits, `-` or `_`; its name is not empty."""


class TaxCategoryExists(DomainError):
    """Another tax category already has this code."""


class TaxCategoryNotFound(DomainError):
    """No tax category has this code."""


class TaxCategoryInUse(DomainError):
    """Rates still tax this category: delete them first."""


class InvalidTaxRate(DomainError):
    """A rate is a percent from 0 to 100 with at most 4 decimals, at an ISO country (and region
    of that country), with a name the customer reads."""


class UnknownTaxCategory(DomainError):
    """The rate names a tax category the shop does not have."""


class TaxRateExists(DomainError):
    """The destination already has a rate for this category: change that one instead."""


class TaxRateNotFound(DomainError):
    """No such tax rate."""


class InvalidCurrencyMode(DomainError):
    """Not an ISO 4217 currency code."""


class CurrencyModeNotFound(DomainError):
    """No mode was set for this currency: its prices are entered without tax (the default)."""
