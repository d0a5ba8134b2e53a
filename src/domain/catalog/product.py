"""The Product aggregate (state-stored, optimistic `version`): draft -> active -> archived."""

from collections.abc import Mapping
from datetime import datetime
from uuid import UUID

from domain.catalog import events as ev
from domain.catalog.errors import InvalidProduct, ProductArchived
from domain.catalog.values import MAX_NAME, Attributes, ProductStatus, check_attributes
from domain.shared.aggregate import AggregateRoot
from domain.shared.money import Money
from domain.shared.sku import Sku

MAX_DESCRIPTION = 5_000
MAX_IMAGES = 10


class Product(AggregateRoot):
    """Something the shop sells. Only active products are visible to the public."""

    stream_type = "product"

    def __init__(
        self,
        *,
        id: UUID,
        sku: Sku,
        name: str,
        description: str,
        price: Money,
        category_id: UUID | None,
        attributes: Attributes,
        image_ids: tuple[UUID, ...],
        status: ProductStatus,
        created_at: datetime,
        updated_at: datetime,
        version: int,
        product_type_id: UUID | None = None,
    ) -> None:
        super().__init__()
        self.id, self.sku, self.name, self.description = id, sku, name, description
        self.price, self.category_id, self.attributes = price, category_id, attributes
        self.image_ids, self.status = image_ids, status
        self.created_at, self.updated_at, self.version = created_at, updated_at, version
        # A typed product's attributes are checked against its type's schema by the handler.
        self.product_type_id = product_type_id

    # -- creation -------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        *,
        id: UUID,
        sku: Sku,
        name: str,
        description: str,
        price: Money,
        category_id: UUID | None,
        attributes: Mapping[str, object],
        now: datetime,
        product_type_id: UUID | None = None,
    ) -> "Product":
        """A new product starts as a draft: staff publish it when it is ready. With a type, its
        attributes are those the type's schema accepted (so numbers may have fractions)."""
        product = cls(
            id=id,
            sku=sku,
            name=_name(name),
            description=_description(description),
            price=price,
            category_id=category_id,
            attributes=check_attributes(attributes, fractions=product_type_id is not None),
            image_ids=(),
            status=ProductStatus.DRAFT,
            created_at=now,
            updated_at=now,
            version=0,
            product_type_id=product_type_id,
        )
        product._record(
            ev.ProductCreated(
                occurred_at=now,
                product_id=id,
                sku=sku.value,
                name=product.name,
                amount=price.amount,
                currency=price.currency,
            )
        )
        if product_type_id is not None:  # the log tells a typed product's type from the start
            product._record(
                ev.ProductTypeAssigned(
                    occurred_at=now, product_id=id, product_type_id=product_type_id
                )
            )
        return product

    # -- commands -------------------------------------------------------------------------

    def change_details(
        self,
        *,
        name: str,
        description: str,
        category_id: UUID | None,
        attributes: Mapping[str, object],
        now: datetime,
    ) -> None:
        self._ensure_not_archived()
        self.name, self.description = _name(name), _description(description)
        typed = self.product_type_id is not None
        self.category_id = category_id
        self.attributes = check_attributes(attributes, fractions=typed)
        self.updated_at = now
        self._record(
            ev.ProductDetailsChanged(
                occurred_at=now, product_id=self.id, name=self.name, category_id=category_id
            )
        )

    def assign_type(self, product_type_id: UUID | None, *, now: datetime) -> None:
        """Give the product a type (or none); the handler then checks its attributes against
        the type's schema, or, without a type, as free-form ones."""
        self._ensure_not_archived()
        if product_type_id == self.product_type_id:
            return
        self.product_type_id, self.updated_at = product_type_id, now
        self._record(
            ev.ProductTypeAssigned(
                occurred_at=now, product_id=self.id, product_type_id=product_type_id
            )
        )

    def change_price(self, price: Money, *, now: datetime) -> None:
        self._ensure_not_archived()
        if price == self.price:
            return
        old, self.price, self.updated_at = self.price, price, now
        self._record(
            ev.ProductPriceChanged(
                occurred_at=now,
                product_id=self.id,
                old_amount=old.amount,
                amount=price.amount,
                currency=price.currency,
            )
        )

    def publish(self, *, now: datetime) -> None:
        self._ensure_not_archived()
        if self.status is ProductStatus.ACTIVE:
            return
        self.status, self.updated_at = ProductStatus.ACTIVE, now
        self._record(ev.ProductPublished(occurred_at=now, product_id=self.id))

    def archive(self, *, now: datetime) -> None:
        """Soft delete: gone from the public catalog, kept for staff and past orders."""
        if self.status is ProductStatus.ARCHIVED:
            return
        self.status, self.updated_at = ProductStatus.ARCHIVED, now
        self._record(ev.ProductArchived(occurred_at=now, product_id=self.id))

    def add_image(self, image_id: UUID, *, content_type: str, now: datetime) -> None:
        self._ensure_not_archived()
        if len(self.image_ids) >= MAX_IMAGES:
            raise InvalidProduct(f"a product has at most {MAX_IMAGES} images")
        self.image_ids, self.updated_at = (*self.image_ids, image_id), now
        self._record(
            ev.ProductImageAdded(
                occurred_at=now, product_id=self.id, image_id=image_id, content_type=content_type
            )
        )

    # -- queries --------------------------------------------------------------------------

    @property
    def stream_id(self) -> str:
        return f"product-{self.id}"

    # -- private --------------------------------------------------------------------------

    def _ensure_not_archived(self) -> None:
        if self.status is ProductStatus.ARCHIVED:
            raise ProductArchived(f"product {self.sku} is archived")


def _name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= MAX_NAME:
        raise InvalidProduct(f"a name has 1 to {MAX_NAME} characters")
    return name


def _description(description: str) -> str:
    description = description.strip()
    if len(description) > MAX_DESCRIPTION:
        raise InvalidProduct(f"a description has at most {MAX_DESCRIPTION} characters")
    return description
