"""Handlers of the category tree: create and move categories. Tree changes are serialised by
one lock, so two concurrent moves cannot together make a cycle."""

import uuid
from uuid import UUID

from application.catalog.commands import CreateCategory, MoveCategory
from application.catalog.deps import CatalogDeps
from application.catalog.ports import CatalogUnitOfWork
from application.catalog.views import CategoryView
from domain.catalog.category import Category
from domain.catalog.errors import CategoryNotFound


async def create_category(cmd: CreateCategory, deps: CatalogDeps) -> CategoryView:
    category = Category.create(
        id=uuid.uuid4(), name=cmd.name, parent_id=cmd.parent_id, now=deps.clock.now()
    )
    async with deps.uow() as uow:
        await uow.categories.lock_tree()
        await category_exists(uow, cmd.parent_id)
        await uow.categories.add(category)
        await uow.commit()
    return CategoryView.of(category)


async def move_category(cmd: MoveCategory, deps: CatalogDeps) -> CategoryView:
    async with deps.uow() as uow:
        await uow.categories.lock_tree()
        category = await uow.categories.get(cmd.category_id)
        if category is None:
            raise CategoryNotFound(f"category {cmd.category_id} not found")
        await category_exists(uow, cmd.parent_id)
        ancestors = (
            set() if cmd.parent_id is None else await uow.categories.ancestors(cmd.parent_id)
        )
        category.move(cmd.parent_id, parent_ancestors=ancestors, now=deps.clock.now())
        await uow.categories.save(category)
        await uow.commit()
    return CategoryView.of(category)


async def category_exists(uow: CatalogUnitOfWork, category_id: UUID | None) -> None:
    """Raise CategoryNotFound unless the category (if any) exists."""
    if category_id is not None and await uow.categories.get(category_id) is None:
        raise CategoryNotFound(f"category {category_id} not found")
