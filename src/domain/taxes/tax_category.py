"""The TaxCategory aggregate (state-stored, optimistic `version`): a kind of goods taxed alike
("standard", "reduced", "zero"); products and shipping methods name it by its code."""

from datetime import datetime

from domain.shared.aggregate import AggregateRoot
from domain.taxes.events import TaxCategoryCreated, TaxCategoryDeleted, TaxCategoryRenamed
from domain.taxes.values import category_code, tax_name


class TaxCategory(AggregateRoot):
    """Identified by its code, which never changes: rates, products and orders refer to it."""

    stream_type = "tax_category"

    def __init__(
        self, *, code: str, name: str, created_at: datetime, updated_at: datetime, version: int
    ) -> None:
        super().__init__()
        self.code, self.name = code, name
        self.created_at, self.updated_at, self.version = created_at, updated_at, version

    @classmethod
    def create(cls, *, code: str, name: str, now: datetime) -> "TaxCategory":
        category = cls(
            code=category_code(code),
            name=tax_name(name, what="category"),
            created_at=now,
            updated_at=now,
            version=0,
        )
        category._record(
            TaxCategoryCreated(occurred_at=now, code=category.code, name=category.name)
        )
        return category

    def rename(self, name: str, *, now: datetime) -> None:
        name = tax_name(name, what="category")
        if name != self.name:
            self.name, self.updated_at = name, now
            self._record(TaxCategoryRenamed(occurred_at=now, code=self.code, name=name))

    def delete(self, *, now: datetime) -> None:
        """Recorded here; the repository refuses it while rates still use the category."""
        self._record(TaxCategoryDeleted(occurred_at=now, code=self.code))

    @property
    def stream_id(self) -> str:
        return f"tax_category-{self.code}"
