"""Money: a Decimal amount in an ISO 4217 currency. Never a float, anywhere."""

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from domain.shared.errors import DomainError

_CURRENCY = re.compile(r"^[A-Z]{3}$")
# Currencies without minor units; every other one is kept to cents.
_ZERO_DECIMAL = frozenset({"JPY", "KRW", "CLP", "ISK", "VND"})
MAX_AMOUNT = Decimal("99999999.99")


class InvalidMoney(DomainError):
    """Not an amount the shop can charge: negative, too precise, too large, or no currency."""


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
        exponent = Decimal(1) if currency in _ZERO_DECIMAL else Decimal("0.01")
        quantized = value.quantize(exponent, rounding=ROUND_HALF_EVEN)
        if quantized != value:
            raise InvalidMoney(f"{amount} has more decimals than {currency} allows")
        return cls(quantized, currency)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
