"""Categories form a tree (adjacency list): listing one includes its whole subtree."""

import re
from dataclasses import dataclass
from uuid import UUID

from domain.catalog.errors import CategoryCycle, InvalidProduct

_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, kw_only=True)
class Category:
    id: UUID
    name: str
    slug: str
    parent_id: UUID | None


def slug_of(name: str) -> str:
    slug = _SLUG.sub("-", name.strip().lower()).strip("-")
    if not 1 <= len(name.strip()) <= 100 or not slug:
        raise InvalidProduct("a category name has 1 to 100 characters, with letters or digits")
    return slug


def check_move(category_id: UUID, new_parent: UUID | None, *, parent_ancestors: set[UUID]) -> None:
    """Refuse moving a category under itself or under one of its own descendants (which would
    cut the subtree off the tree). `parent_ancestors` are the new parent's ancestors."""
    if new_parent is None:
        return
    if new_parent == category_id or category_id in parent_ancestors:
        raise CategoryCycle("a category cannot move under itself or one of its descendants")
