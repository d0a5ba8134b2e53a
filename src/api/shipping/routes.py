"""Shipping methods: anyone lists what a destination is offered; staff create, list, read,
change and delete them."""

from collections.abc import Sequence
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from api.dependencies import PageCursor, PageLimit, Services, ShippingWriter
from api.etags import IfMatch, expected_version, with_etag
from api.openapi import raises
from api.schemas import SafeStr
from api.shipping import schemas
from application.shared import errors as shared
from application.shared.pagination import DEFAULT_LIMIT, Page
from application.shipping import commands as c
from application.shipping.views import ShippingMethodView
from domain.shipping import errors as shipping
from domain.shipping.values import TariffInput

router = APIRouter(prefix="/api/v1", tags=["shipping"])
routers = [router]
CHANGES = (shared.ConcurrencyConflict, shared.PreconditionFailed, shared.PreconditionRequired)
INVALID = (shipping.InvalidShippingMethod, shipping.InvalidRateBands)


@router.get(
    "/shipping-methods",
    summary="The shipping methods offered to a destination",
    response_model=schemas.OfferedMethodList,
)
async def offered(
    services: Services,
    country: Annotated[SafeStr, Query(pattern=r"^[A-Za-z]{2}$", examples=["DE"])],
    currency: Annotated[SafeStr, Query(pattern=r"^[A-Za-z]{3}$", examples=["EUR"])],
) -> schemas.OfferedMethodList:
    """Active methods serving the country with prices in the currency, by code."""
    methods = await services.shipping.offered(country=country, currency=currency)
    return schemas.OfferedMethodList.model_validate({"items": methods})


@router.post(
    "/shipping-methods",
    summary="Create a shipping method (staff)",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.ShippingMethodResponse,
)
@raises(*INVALID, shipping.ShippingMethodCodeTaken)
async def create(
    body: schemas.NewShippingMethod, _: ShippingWriter, response: Response, services: Services
) -> ShippingMethodView:
    method = await services.bus.handle(
        c.CreateShippingMethod(
            **body.model_dump(exclude={"tariffs"}), tariffs=tariffs_of(body.tariffs)
        )
    )
    response.headers["Location"] = f"/api/v1/shipping-methods/{method.id}"
    return with_etag(response, method.version, method)


@router.get(
    "/staff/shipping-methods",
    summary="Every shipping method, inactive ones included (staff)",
    response_model=schemas.ShippingMethodPage,
)
@raises(shared.InvalidCursor)
async def list_methods(
    _: ShippingWriter,
    services: Services,
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: PageCursor = None,
) -> Page[ShippingMethodView]:
    return await services.shipping.methods(limit=limit, cursor=cursor)


@router.get(
    "/shipping-methods/{method_id}",
    summary="A shipping method (staff)",
    response_model=schemas.ShippingMethodResponse,
)
@raises(shipping.ShippingMethodNotFound)
async def read(
    method_id: UUID, _: ShippingWriter, response: Response, services: Services
) -> ShippingMethodView:
    method = await services.shipping.method(method_id)
    return with_etag(response, method.version, method)


@router.patch(
    "/shipping-methods/{method_id}",
    summary="Change a shipping method (staff)",
    response_model=schemas.ShippingMethodResponse,
)
@raises(shipping.ShippingMethodNotFound, *INVALID, *CHANGES)
async def change(
    method_id: UUID,
    body: schemas.ShippingMethodPatch,
    _: ShippingWriter,
    response: Response,
    services: Services,
    if_match: IfMatch = None,
) -> ShippingMethodView:
    """Requires If-Match: without it 428, with a stale ETag 412."""
    method = await services.bus.handle(
        c.ChangeShippingMethod(
            method_id=method_id,
            expected_version=expected_version(if_match),
            **body.model_dump(exclude={"tariffs"}),
            tariffs=None if body.tariffs is None else tariffs_of(body.tariffs),
            clear_max_weight="max_weight_grams" in body.model_fields_set
            and body.max_weight_grams is None,
        )
    )
    return with_etag(response, method.version, method)


@router.delete(
    "/shipping-methods/{method_id}", summary="Delete a shipping method (staff)", status_code=204
)
@raises(shipping.ShippingMethodNotFound, *CHANGES)
async def delete(
    method_id: UUID, _: ShippingWriter, services: Services, if_match: IfMatch = None
) -> Response:
    """Orders already placed keep the option they were priced with."""
    await services.bus.handle(
        c.DeleteShippingMethod(method_id=method_id, expected_version=expected_version(if_match))
    )
    return Response(status_code=204)


def tariffs_of(tariffs: Sequence[schemas.TariffInput]) -> list[TariffInput]:
    return [
        TariffInput(
            currency=t.currency,
            bands=tuple((Decimal(b.from_value), Decimal(b.price)) for b in t.bands),
            free_above=None if t.free_above is None else Decimal(t.free_above),
        )
        for t in tariffs
    ]
