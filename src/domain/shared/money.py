"""Money: a Decimal amount in an ISO 4217 currency. Never a float, anywhere."""

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from domain.shared.errors import DomainError

_CURRENCY = re.compile(r"^[A-Z]{3}$")
# Digits after the point of each currency that does not use two (ISO 4217); one table (ADR 0029).
_MINOR_UNITS: dict[str, int] = {
    **dict.fromkeys(("JPY", "KRW", "CLP", "ISK", "VND", "PYG", "UGX", "XAF", "XOF"), 0),
    **dict.fromkeys(("KWD", "BHD", "JOD", "OMR", "TND", "LYD", "IQD"), 3),
}
MAX_AMOUNT = Decimal("99999999.99")


class InvalidMoney(DomainError):
    """Not an amount the shop can charge: negative, too precise, too large, or no currency."""


def minor_units(currency: str) -> int:
    """How many digits follow the point in `currency`: 0 for JPY, 3 for KWD, 2 otherwise."""
    return _MINOR_UNITS.get(currency, 2)


def quantum(currency: str) -> Decimal:
    """The currency's smallest amount: 1 JPY, 0.01 EUR, 0.001 KWD."""
    return Decimal(1).scaleb(-minor_units(currency))


def round_half_even(value: Decimal, currency: str) -> Decimal:
    """`value` at the currency's minor unit, ties to the even digit (ADR 0029)."""
    return value.quantize(quantum(currency), rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True, order=True)
class Money:
    """An exact amount; arithmetic across currencies is refused."""

    amount: Decimal
    currency: str

    @classmethod
    def of(cls, amount: str | Decimal | int, currency: str) -> "Money":
        currency = currency.strip().upper()
        if not _CURRENCY.match(currency):
            raise InvalidMoney(f"{currency!r} is not an ISO 4217 currency code")
        try:
            value = Decimal(str(amount)) if not isinstance(amount, Decimal) else amount
        except InvalidOperation:
            raise InvalidMoney(f"{amount!r} is not an amount") from None
        if not value.is_finite() or value < 0 or value > MAX_AMOUNT:
            raise InvalidMoney(f"{amount} is not between 0 and {MAX_AMOUNT}")
        quantized = round_half_even(value, currency)
        if quantized != value:
            raise InvalidMoney(f"{amount} has more decimals than {currency} allows")
        return cls(quantized, currency)

    @classmethod
    def zero(cls, currency: str) -> "Money":
        return cls.of(0, currency)

    @classmethod
    def rounded(cls, amount: Decimal, currency: str) -> "Money":
        """A computed amount (a percentage, a tax) rounded half-even at the minor unit."""
        return cls.of(round_half_even(amount, currency), currency)

    def __add__(self, other: "Money") -> "Money":
        return Money.of(self.amount + self._same_currency(other), self.currency)

    def __sub__(self, other: "Money") -> "Money":
        """Refused below zero: an amount the shop charges is never negative."""
        return Money.of(self.amount - self._same_currency(other), self.currency)

    def _same_currency(self, other: "Money") -> Decimal:
        if other.currency != self.currency:
            raise InvalidMoney(f"{other.currency} cannot be added to {self.currency}")
        return other.amount

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
