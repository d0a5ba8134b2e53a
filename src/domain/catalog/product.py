"""The Product aggregate (state-stored, optimistic `version`): draft -> active -> archived. It
holds its options and variants (ADR 0030); the first variant is the default one, whose SKU and
primary price are the product's `sku` and `price` as they were before variants."""

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from uuid import UUID

from domain.catalog import events as ev
from domain.catalog.errors import (
    InvalidProduct,
    LastVariant,
    OptionValueInUse,
    ProductArchived,
    VariantNotFound,
)
from domain.catalog.values import (
    DEFAULT_TAX_CATEGORY,
    MAX_NAME,
    Attributes,
    ProductOption,
    ProductStatus,
    check_attributes,
    check_options,
    check_tax_category,
)
from domain.catalog.variant import (
    MAX_VARIANTS,
    Variant,
    check_prices,
    check_variant,
    option_data,
    ordered,
    variant_data,
)
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
        options: tuple[ProductOption, ...] = (),
        variants: tuple[Variant, ...] = (),
        tax_category: str = DEFAULT_TAX_CATEGORY,
        product_type_id: UUID | None = None,
    ) -> None:
        super().__init__()
        self.id, self.name, self.description = id, name, description
        self.category_id, self.attributes = category_id, attributes
        self.image_ids, self.status = image_ids, status
        self.created_at, self.updated_at, self.version = created_at, updated_at, version
        self.options, self.tax_category = options, tax_category
        # A product stored before variants is its one default variant, with the product's id.
        self.variants = ordered(variants or (Variant(id=id, sku=sku, prices=(price,)),))
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
        options: Sequence[tuple[str, Sequence[str]]] = (),
        tax_category: str = DEFAULT_TAX_CATEGORY,
        product_type_id: UUID | None = None,
    ) -> "Product":
        """A new product starts as a draft: staff publish it when it is ready. It is sold as
        one default variant (its SKU and price, the first value of each option) until staff
        add others. With a type, its attributes are those the type's schema accepted (so
        numbers may have fractions)."""
        checked = check_options(options)
        default = Variant(id=id, sku=sku, prices=check_prices((price,))).with_options(checked)
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
            options=checked,
            variants=(default,),
            tax_category=check_tax_category(tax_category),
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
                options=tuple(option_data(o) for o in checked),
                variants=(variant_data(default),),
                tax_category=product.tax_category,
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
        tax_category: str | None = None,
    ) -> None:
        self._ensure_not_archived()
        self.name, self.description = _name(name), _description(description)
        typed = self.product_type_id is not None
        self.category_id = category_id
        self.attributes = check_attributes(attributes, fractions=typed)
        if tax_category is not None:
            self.tax_category = check_tax_category(tax_category)
        self.updated_at = now
        self._record(
            ev.ProductDetailsChanged(
                occurred_at=now,
                product_id=self.id,
                name=self.name,
                category_id=category_id,
                tax_category=self.tax_category,
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
        """The default variant's primary price: the new price comes first, and every price
        whose currency differs from it is kept, the old primary one too (a price in the new
        price's currency is replaced)."""
        self._ensure_not_archived()
        if price == self.price:
            return
        old, default = self.price, self.variants[0]
        others = tuple(p for p in default.prices if p.currency != price.currency)
        self._replace(replace(default, prices=(price, *others)))
        self.updated_at = now
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

    def set_options(self, options: Sequence[tuple[str, Sequence[str]]], *, now: datetime) -> None:
        """New options for every variant: a value still in use cannot go, and a new option
        gives each variant its first value."""
        self._ensure_not_archived()
        checked = check_options(options)
        allowed = {o.name: set(o.values) for o in checked}
        for variant in self.variants:
            for name, value in variant.options:
                if name in allowed and value not in allowed[name]:
                    raise OptionValueInUse(f"variant {variant.sku} is {name} {value}")
        moved = tuple(v.with_options(checked) for v in self.variants)
        for index, variant in enumerate(moved):  # dropping an option may make two the same
            check_variant(variant, options=checked, others=moved[:index], image_ids=self.image_ids)
        self.options, self.variants, self.updated_at = checked, moved, now
        self._record(
            ev.ProductOptionsChanged(
                occurred_at=now,
                product_id=self.id,
                options=tuple(option_data(o) for o in checked),
                variants=tuple(variant_data(v) for v in moved),
            )
        )

    def add_variant(self, variant: Variant, *, now: datetime) -> None:
        """Another variant, after the others unless it names its position."""
        self._ensure_not_archived()
        if len(self.variants) >= MAX_VARIANTS:
            raise InvalidProduct(f"a product has at most {MAX_VARIANTS} variants")
        added = self._checked(variant)
        self.variants, self.updated_at = ordered((*self.variants, added)), now
        self._record(
            ev.VariantAdded(occurred_at=now, product_id=self.id, variant=variant_data(added))
        )

    def change_variant(self, variant: Variant, *, now: datetime) -> None:
        """Its SKU, options, weight, images, position or active flag (prices have their own
        command); `variant` is the whole variant as it should be."""
        self._ensure_not_archived()
        current = self.variant(variant.id)
        changed = self._checked(replace(variant, prices=current.prices))
        if changed == current:
            return
        self._replace(changed)
        self.updated_at = now
        self._record(
            ev.VariantChanged(occurred_at=now, product_id=self.id, variant=variant_data(changed))
        )

    def set_variant_prices(
        self, variant_id: UUID, prices: Sequence[Money], *, now: datetime
    ) -> None:
        """A variant's prices, one per currency; the first is its primary price."""
        self._ensure_not_archived()
        current = self.variant(variant_id)
        checked = check_prices(prices)
        if checked == current.prices:
            return
        self._replace(replace(current, prices=checked))
        self.updated_at = now
        self._record(
            ev.VariantPriceChanged(
                occurred_at=now,
                product_id=self.id,
                variant_id=variant_id,
                sku=current.sku.value,
                prices=variant_data(replace(current, prices=checked)).prices,
            )
        )

    def remove_variant(self, variant_id: UUID, *, now: datetime) -> None:
        """Gone from the product; orders that hold its SKU keep their lines."""
        self._ensure_not_archived()
        removed = self.variant(variant_id)
        if len(self.variants) == 1:
            raise LastVariant(f"variant {removed.sku} is the product's last one")
        self.variants = tuple(v for v in self.variants if v.id != variant_id)
        self.updated_at = now
        self._record(
            ev.VariantRemoved(
                occurred_at=now, product_id=self.id, variant_id=variant_id, sku=removed.sku.value
            )
        )

    # -- queries --------------------------------------------------------------------------

    @property
    def stream_id(self) -> str:
        return f"product-{self.id}"

    @property
    def sku(self) -> Sku:
        """The default variant's SKU."""
        return self.variants[0].sku

    @property
    def price(self) -> Money:
        """The default variant's price in its first currency."""
        return self.variants[0].price

    @property
    def next_position(self) -> int:
        """Where a variant added without one goes: after the others."""
        return max(v.position for v in self.variants) + 1

    def variant(self, variant_id: UUID) -> Variant:
        found = next((v for v in self.variants if v.id == variant_id), None)
        if found is None:
            raise VariantNotFound(f"product {self.sku} has no variant {variant_id}")
        return found

    # -- private --------------------------------------------------------------------------

    def _ensure_not_archived(self) -> None:
        if self.status is ProductStatus.ARCHIVED:
            raise ProductArchived(f"product {self.sku} is archived")

    def _checked(self, variant: Variant) -> Variant:
        others = (v for v in self.variants if v.id != variant.id)
        return check_variant(variant, options=self.options, others=others, image_ids=self.image_ids)

    def _replace(self, variant: Variant) -> None:
        self.variants = ordered(tuple(variant if v.id == variant.id else v for v in self.variants))


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
