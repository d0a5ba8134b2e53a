"""A product's options and variants (staff): each change answers the whole product with its new
ETag, and requires If-Match with the product's current one (without it 428, stale 412)."""

from uuid import UUID

from fastapi import APIRouter, Response

from api.catalog.schemas import (
    NewVariant,
    OptionsInput,
    PriceInput,
    PricesInput,
    ProductResponse,
    VariantPatch,
)
from api.dependencies import CatalogWriter, Services
from api.etags import IfMatch, expected_version, with_etag
from api.openapi import raises
from application.catalog import commands as c
from application.catalog.views import ProductDetails
from application.shared import errors as shared
from domain.catalog import errors as catalog
from domain.shared.money import InvalidMoney
from domain.shared.sku import InvalidSku

router = APIRouter(prefix="/api/v1/products/{product_id}", tags=["catalog"])

_CHANGES = (
    catalog.ProductNotFound,
    catalog.ProductArchived,
    catalog.InvalidProduct,
    shared.ConcurrencyConflict,
    shared.PreconditionFailed,
    shared.PreconditionRequired,
)


@router.put("/options", summary="Set a product's options (staff)", response_model=ProductResponse)
@raises(*_CHANGES, catalog.OptionValueInUse, catalog.DuplicateVariant)
async def set_options(
    product_id: UUID,
    body: OptionsInput,
    _: CatalogWriter,
    response: Response,
    services: Services,
    if_match: IfMatch = None,
) -> ProductDetails:
    """A new option gives every variant its first value; a value a variant uses cannot go."""
    product = await services.bus.handle(
        c.SetProductOptions(
            product_id=product_id,
            options=[(o.name, o.values) for o in body.options],
            expected_version=expected_version(if_match),
        )
    )
    return with_etag(response, product.version, product)


@router.post(
    "/variants",
    summary="Add a variant (staff)",
    status_code=201,
    response_model=ProductResponse,
)
@raises(
    *_CHANGES,
    catalog.DuplicateVariant,
    catalog.UnknownOptionValue,
    catalog.SkuAlreadyUsed,
    InvalidSku,
    InvalidMoney,
)
async def add_variant(
    product_id: UUID,
    body: NewVariant,
    _: CatalogWriter,
    response: Response,
    services: Services,
    if_match: IfMatch = None,
) -> ProductDetails:
    """Its SKU is unique across the shop and is its stock item."""
    product = await services.bus.handle(
        c.AddVariant(
            product_id=product_id,
            expected_version=expected_version(if_match),
            **body.model_dump(exclude={"prices", "image_ids"}),
            prices=_prices(body.prices),
            image_ids=tuple(body.image_ids),
        )
    )
    return with_etag(response, product.version, product)


@router.patch(
    "/variants/{variant_id}",
    summary="Change a variant (staff)",
    response_model=ProductResponse,
)
@raises(
    *_CHANGES,
    catalog.VariantNotFound,
    catalog.DuplicateVariant,
    catalog.UnknownOptionValue,
    catalog.SkuAlreadyUsed,
    InvalidSku,
)
async def change_variant(
    product_id: UUID,
    variant_id: UUID,
    body: VariantPatch,
    _: CatalogWriter,
    response: Response,
    services: Services,
    if_match: IfMatch = None,
) -> ProductDetails:
    """`active: false` takes it off sale, keeping it for staff and past orders."""
    fields = body.model_dump(exclude_unset=True, exclude={"image_ids"})
    images = None if body.image_ids is None else tuple(body.image_ids)
    product = await services.bus.handle(
        c.ChangeVariant(
            product_id=product_id,
            variant_id=variant_id,
            expected_version=expected_version(if_match),
            image_ids=images,
            **fields,
        )
    )
    return with_etag(response, product.version, product)


@router.put(
    "/variants/{variant_id}/prices",
    summary="Set a variant's prices (staff)",
    response_model=ProductResponse,
)
@raises(*_CHANGES, catalog.VariantNotFound, InvalidMoney)
async def set_prices(
    product_id: UUID,
    variant_id: UUID,
    body: PricesInput,
    _: CatalogWriter,
    response: Response,
    services: Services,
    if_match: IfMatch = None,
) -> ProductDetails:
    """Every price at once, one per currency; the first is the primary price."""
    product = await services.bus.handle(
        c.SetVariantPrices(
            product_id=product_id,
            variant_id=variant_id,
            prices=_prices(body.prices),
            expected_version=expected_version(if_match),
        )
    )
    return with_etag(response, product.version, product)


@router.delete(
    "/variants/{variant_id}",
    summary="Remove a variant (staff)",
    response_model=ProductResponse,
)
@raises(*_CHANGES, catalog.VariantNotFound, catalog.LastVariant)
async def remove_variant(
    product_id: UUID,
    variant_id: UUID,
    _: CatalogWriter,
    response: Response,
    services: Services,
    if_match: IfMatch = None,
) -> ProductDetails:
    """Orders holding its SKU keep their lines; a product keeps at least one variant."""
    product = await services.bus.handle(
        c.RemoveVariant(
            product_id=product_id,
            variant_id=variant_id,
            expected_version=expected_version(if_match),
        )
    )
    return with_etag(response, product.version, product)


def _prices(prices: list[PriceInput]) -> list[tuple[str, str]]:
    return [(p.amount, p.currency) for p in prices]
