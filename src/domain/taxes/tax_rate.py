"""The TaxRate aggregate (state-stored, optimistic `version`): one category's rate at one
destination. A destination is a country, or a region of it whose rate overrides the
country's for the same category; one rate per (country, region, category), which the
repository holds to with a unique constraint."""

from datetime import datetime
from decimal import Decimal
from uuid import UUID

from domain.shared.aggregate import AggregateRoot
from domain.taxes.events import TaxRateChanged, TaxRateCreated, TaxRateDeleted
from domain.taxes.values import category_code, country_code, rate_percent, region_code, tax_name


class TaxRate(AggregateRoot):
    """`rate` is a percent (19 for 19 %); `name` is what the receipt calls it ("VAT")."""

    stream_type = "tax_rate"

    def __init__(
        self,
        *,
        id: UUID,
        country: str,
        region: str | None,
        tax_category: str,
        rate: Decimal,
        name: str,
        created_at: datetime,
        updated_at: datetime,
        version: int,
    ) -> None:
        super().__init__()
        self.id, self.country, self.region, self.tax_category = id, country, region, tax_category
        self.rate, self.name = rate, name
        self.created_at, self.updated_at, self.version = created_at, updated_at, version

    # -- creation -------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        *,
        id: UUID,
        country: str,
        region: str | None,
        tax_category: str,
        rate: Decimal,
        name: str,
        now: datetime,
    ) -> "TaxRate":
        """Checks its own values; the handler checks that the category exists."""
        country = country_code(country)
        tax_rate = cls(
            id=id,
            country=country,
            region=region_code(region, country=country),
            tax_category=category_code(tax_category),
            rate=rate_percent(rate),
            name=tax_name(name, what="rate"),
            created_at=now,
            updated_at=now,
            version=0,
        )
        tax_rate._record(
            TaxRateCreated(
                occurred_at=now,
                tax_rate_id=id,
                country=tax_rate.country,
                region=tax_rate.region,
                tax_category=tax_rate.tax_category,
                rate=tax_rate.rate,
                name=tax_rate.name,
            )
        )
        return tax_rate

    # -- commands -------------------------------------------------------------------------

    def change(self, *, rate: Decimal | None, name: str | None, now: datetime) -> None:
        """A new rate or name; where it applies and what it taxes stay (make another rate)."""
        new_rate = self.rate if rate is None else rate_percent(rate)
        new_name = self.name if name is None else tax_name(name, what="rate")
        if (new_rate, new_name) == (self.rate, self.name):
            return
        self.rate, self.name, self.updated_at = new_rate, new_name, now
        self._record(
            TaxRateChanged(occurred_at=now, tax_rate_id=self.id, rate=new_rate, name=new_name)
        )

    def delete(self, *, now: datetime) -> None:
        self._record(TaxRateDeleted(occurred_at=now, tax_rate_id=self.id))

    # -- queries --------------------------------------------------------------------------

    @property
    def stream_id(self) -> str:
        return f"tax_rate-{self.id}"
