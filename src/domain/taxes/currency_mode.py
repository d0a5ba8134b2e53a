"""The CurrencyTaxMode aggregate (state-stored, optimistic `version`): whether the shop's prices
in one currency are entered with tax included (EUR, GBP: what shoppers there see on the shelf)
or without (USD: sales tax is added at the till). One small record per currency, so changing
one currency's mode never contends with another's."""

from datetime import datetime

from domain.shared.aggregate import AggregateRoot
from domain.taxes.events import CurrencyTaxModeCleared, CurrencyTaxModeSet
from domain.taxes.values import currency_code


class CurrencyTaxMode(AggregateRoot):
    """A currency without one is in the default mode (`DEFAULT_PRICES_INCLUDE_TAX`)."""

    stream_type = "currency_tax_mode"

    def __init__(
        self, *, currency: str, prices_include_tax: bool, updated_at: datetime, version: int
    ) -> None:
        super().__init__()
        self.currency, self.prices_include_tax = currency, prices_include_tax
        self.updated_at, self.version = updated_at, version

    @classmethod
    def set(cls, *, currency: str, prices_include_tax: bool, now: datetime) -> "CurrencyTaxMode":
        mode = cls(
            currency=currency_code(currency),
            prices_include_tax=prices_include_tax,
            updated_at=now,
            version=0,
        )
        mode._record(
            CurrencyTaxModeSet(
                occurred_at=now, currency=mode.currency, prices_include_tax=prices_include_tax
            )
        )
        return mode

    def change(self, *, prices_include_tax: bool, now: datetime) -> None:
        if prices_include_tax != self.prices_include_tax:
            self.prices_include_tax, self.updated_at = prices_include_tax, now
            self._record(
                CurrencyTaxModeSet(
                    occurred_at=now, currency=self.currency, prices_include_tax=prices_include_tax
                )
            )

    def clear(self, *, now: datetime) -> None:
        """Back to the default mode; the repository deletes the record."""
        self._record(CurrencyTaxModeCleared(occurred_at=now, currency=self.currency))

    @property
    def stream_id(self) -> str:
        return f"currency_tax_mode-{self.currency}"
