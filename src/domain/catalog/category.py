"""The Category aggregate (state-stored): categories form a tree (adjacency list), and listing
one includes its whole subtree."""

import re
from datetime import datetime
from uuid import UUID

from domain.catalog.errors import CategoryCycle, InvalidProduct
from domain.catalog.events import CategoryCreated, CategoryMoved
from domain.shared.aggregate import AggregateRoot

_SLUG = re.compile(r"[^a-z0-9]+")


class Category(AggregateRoot):
    """A shelf of the shop; `slug` is its name as it appears in URLs."""

    stream_type = "category"

    def __init__(self, *, id: UUID, name: str, slug: str, parent_id: UUID | None) -> None:
        super().__init__()
        self.id, self.name, self.slug, self.parent_id = id, name, slug, parent_id

    @classmethod
    def create(cls, *, id: UUID, name: str, parent_id: UUID | None, now: datetime) -> "Category":
        category = cls(id=id, name=name.strip(), slug=slug_of(name), parent_id=parent_id)
        category._record(
            CategoryCreated(
                occurred_at=now, category_id=id, name=category.name, parent_id=parent_id
            )
        )
        return category

    def move(self, parent_id: UUID | None, *, parent_ancestors: set[UUID], now: datetime) -> None:
        """Under another category (or to the top); never under itself or a descendant, which would
        cut the subtree off the tree. `parent_ancestors` are the new parent's ancestors."""
        if parent_id is not None and (parent_id == self.id or self.id in parent_ancestors):
            raise CategoryCycle("a category cannot move under itself or one of its descendants")
        self.parent_id = parent_id
        self._record(CategoryMoved(occurred_at=now, category_id=self.id, parent_id=parent_id))

    @property
    def stream_id(self) -> str:
        return f"category-{self.id}"


def slug_of(name: str) -> str:
    slug = _SLUG.sub("-", name.strip().lower()).strip("-")
    if not 1 <= len(name.strip()) <= 100 or not slug:
        raise InvalidProduct("a category name has 1 to 100 characters, with letters or digits")
    return slug
