"""In-memory fakes of the catalog ports, for handler tests of products and product types."""

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from application.catalog.deps import CatalogDeps
from application.catalog.ports import (
    AttributeRules,
    CategoryRepository,
    ImageStore,
    ProductRepository,
    ProductTypeRepository,
)
from application.shared.errors import ConcurrencyConflict
from domain.catalog.category import Category
from domain.catalog.errors import (
    AttributeProblem,
    InvalidAttributes,
    ProductTypeNameTaken,
    SkuAlreadyUsed,
)
from domain.catalog.product import Product
from domain.catalog.product_type import ProductType
from domain.catalog.values import Attributes
from domain.shared.sku import Sku
from tests.support.fakes.shared import FakeStore, FakeUnitOfWork, FixedClock


@dataclass
class Store(FakeStore):
    """The catalog's tables."""

    products: dict[UUID, Product] = field(default_factory=dict)
    categories: dict[UUID, Category] = field(default_factory=dict)
    product_types: dict[UUID, ProductType] = field(default_factory=dict)


class FakeProducts(ProductRepository):
    """The ProductRepository port."""

    def __init__(self, store: Store, uow: "FakeCatalogUnitOfWork") -> None:
        self.store, self._uow = store, uow

    async def get(self, product_id: UUID) -> Product | None:
        found = self.store.products.get(product_id)
        return None if found is None else self._uow.seen(copy.deepcopy(found))

    async def get_many_by_sku(self, skus: Iterable[Sku]) -> dict[str, Product]:
        wanted = {s.value for s in skus}
        found = [p for p in self.store.products.values() if p.sku.value in wanted]
        return {p.sku.value: self._uow.seen(copy.deepcopy(p)) for p in found}

    async def add(self, product: Product) -> None:
        if any(p.sku == product.sku for p in self.store.products.values()):
            raise SkuAlreadyUsed(f"SKU {product.sku} is already used")
        self.store.products[product.id] = copy.deepcopy(product)
        self._uow.seen(product)

    async def save(self, product: Product) -> None:
        if self.store.products[product.id].version != product.version:
            raise ConcurrencyConflict(f"product {product.sku} was changed concurrently")
        product.version += 1
        self.store.products[product.id] = copy.deepcopy(product)

    async def add_many(self, new: list[Product]) -> None:
        for product in new:
            await self.add(product)

    async def add_image(
        self, product_id: UUID, image_id: UUID, *, content_type: str, size: int
    ) -> None:
        pass


class FakeCategories(CategoryRepository):
    """The CategoryRepository port, without the tree rules the SQL tests cover."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def get(self, category_id: UUID) -> Category | None:
        return copy.deepcopy(self.store.categories.get(category_id))

    async def ancestors(self, category_id: UUID) -> set[UUID]:
        return set()

    async def lock_tree(self) -> None:
        pass

    async def add(self, category: Category) -> None:
        self.store.categories[category.id] = copy.deepcopy(category)

    async def save(self, category: Category) -> None:
        self.store.categories[category.id] = copy.deepcopy(category)


class FakeProductTypes(ProductTypeRepository):
    """The ProductTypeRepository port."""

    def __init__(self, store: Store, uow: "FakeCatalogUnitOfWork") -> None:
        self.store, self._uow = store, uow

    async def get(self, product_type_id: UUID, *, for_change: bool = False) -> ProductType | None:
        found = self.store.product_types.get(product_type_id)
        return None if found is None else self._uow.seen(copy.deepcopy(found))

    async def in_use(self, product_type_id: UUID) -> bool:
        return any(p.product_type_id == product_type_id for p in self.store.products.values())

    async def add(self, product_type: ProductType) -> None:
        if any(t.name == product_type.name for t in self.store.product_types.values()):
            raise ProductTypeNameTaken("another product type has this name")
        self.store.product_types[product_type.id] = copy.deepcopy(product_type)
        self._uow.seen(product_type)

    async def save(self, product_type: ProductType) -> None:
        self._check_version(product_type)
        product_type.version += 1
        self.store.product_types[product_type.id] = copy.deepcopy(product_type)

    async def delete(self, product_type: ProductType) -> None:
        self._check_version(product_type)
        del self.store.product_types[product_type.id]

    def _check_version(self, product_type: ProductType) -> None:
        if self.store.product_types[product_type.id].version != product_type.version:
            raise ConcurrencyConflict(f"product type {product_type.name} changed concurrently")


class FakeCatalogUnitOfWork(FakeUnitOfWork[Store]):
    """The CatalogUnitOfWork port over the in-memory store."""

    products: FakeProducts
    categories: FakeCategories
    product_types: FakeProductTypes

    def _open(self) -> None:
        self.products = FakeProducts(self.working, self)
        self.categories = FakeCategories(self.working)
        self.product_types = FakeProductTypes(self.working, self)


class KnownCodesOnly(AttributeRules):
    """The AttributeRules port, simply: every code of the schema, nothing else; each call is
    recorded (the real model-building rules are tested against Pydantic in integration)."""

    def __init__(self) -> None:
        self.checked: list[tuple[UUID, dict[str, Any]]] = []

    def check(self, product_type: ProductType, attributes: Mapping[str, object]) -> Attributes:
        self.checked.append((product_type.id, dict(attributes)))
        unknown = [code for code in attributes if code not in product_type.codes]
        if unknown:
            raise InvalidAttributes([AttributeProblem(c, "not in the schema") for c in unknown])
        return {k: v for k, v in attributes.items() if isinstance(v, str | int | float | bool)}


class NoImages(ImageStore):
    """The ImageStore port, for handlers that never see an image."""

    async def put(self, image_id: UUID, data: bytes) -> None:
        pass

    async def get(self, image_id: UUID) -> bytes | None:
        return None


def catalog_deps(store: Store, rules: AttributeRules | None = None) -> CatalogDeps:
    return CatalogDeps(
        uow=lambda: FakeCatalogUnitOfWork(store),
        images=NoImages(),
        clock=FixedClock(),
        max_image_bytes=1024,
        attribute_rules=rules or KnownCodesOnly(),
    )
