"""Categories: a tree by parent id; staff create and move them."""

from uuid import UUID

from fastapi import APIRouter, status

from api.catalog.schemas import CategoryMove, CategoryResponse, NewCategory
from api.dependencies import CatalogWriter, Services
from api.openapi import raises
from application.catalog import commands as c
from application.catalog.views import CategoryView
from domain.catalog import errors as catalog

router = APIRouter(prefix="/api/v1", tags=["catalog"])


@router.get(
    "/categories",
    summary="All categories (a tree by parent_id)",
    response_model=list[CategoryResponse],
)
async def list_categories(services: Services) -> list[CategoryView]:
    return await services.catalog.categories()


@router.post(
    "/categories",
    summary="Create a category (staff)",
    status_code=status.HTTP_201_CREATED,
    response_model=CategoryResponse,
)
@raises(catalog.CategoryNotFound, catalog.CategoryNameTaken, catalog.InvalidProduct)
async def create_category(body: NewCategory, _: CatalogWriter, services: Services) -> CategoryView:
    return await services.bus.handle(c.CreateCategory(**body.model_dump()))


@router.put(
    "/categories/{category_id}/parent",
    summary="Move a category (staff)",
    response_model=CategoryResponse,
)
@raises(catalog.CategoryNotFound, catalog.CategoryCycle, catalog.CategoryNameTaken)
async def move_category(
    category_id: UUID, body: CategoryMove, _: CatalogWriter, services: Services
) -> CategoryView:
    """Refused (409) under itself or one of its own descendants."""
    return await services.bus.handle(c.MoveCategory(category_id=category_id, **body.model_dump()))
