"""The caller's address book over HTTP: saved shipping and billing addresses, one default of
each. A customer only ever reaches their own: another's address id is 404, never 403."""

from uuid import UUID

from fastapi import APIRouter, Response, status

from api.dependencies import ProfileOwner, ProfileReader, Services
from api.etags import IfMatch, expected_version, with_etag
from api.identity import schemas
from api.openapi import raises
from application.identity import commands as c
from application.identity.views import AddressBookView, AddressView
from application.shared import errors as shared
from domain.identity import errors as identity
from domain.identity.values import AddressKind

router = APIRouter(prefix="/api/v1/users/me/addresses", tags=["users"])

_CHANGE_ERRORS = (identity.AddressNotFound, shared.ConcurrencyConflict)


@router.get("", summary="List your saved addresses", response_model=schemas.AddressList)
async def list_addresses(principal: ProfileReader, services: Services) -> AddressBookView:
    return await services.identity.address_book(actor=principal)


@router.post(
    "",
    summary="Save an address",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.AddressResponse,
)
@raises(identity.InvalidPostalAddress, identity.AddressBookFull, shared.ConcurrencyConflict)
async def add_address(
    body: schemas.AddressRequest, principal: ProfileOwner, response: Response, services: Services
) -> AddressView:
    """Your first address becomes your default for shipping and for billing."""
    saved = await services.bus.handle(
        c.AddAddress(actor=principal, label=body.label, address=body.postal_address())
    )
    response.headers["Location"] = f"{router.prefix}/{saved.id}"
    return with_etag(response, saved.version, saved)


@router.get("/{address_id}", summary="Read a saved address", response_model=schemas.AddressResponse)
@raises(identity.AddressNotFound)
async def read_address(
    address_id: UUID, principal: ProfileReader, response: Response, services: Services
) -> AddressView:
    found = await services.identity.address(address_id, actor=principal)
    return with_etag(response, found.version, found)


@router.put(
    "/{address_id}", summary="Replace a saved address", response_model=schemas.AddressResponse
)
@raises(
    *_CHANGE_ERRORS,
    identity.InvalidPostalAddress,
    shared.PreconditionFailed,
    shared.PreconditionRequired,
)
async def change_address(
    address_id: UUID,
    body: schemas.AddressRequest,
    principal: ProfileOwner,
    response: Response,
    services: Services,
    if_match: IfMatch = None,
) -> AddressView:
    """Send `If-Match` with the ETag you read: without it 428, with a stale one 412."""
    saved = await services.bus.handle(
        c.ChangeAddress(
            actor=principal,
            address_id=address_id,
            label=body.label,
            address=body.postal_address(),
            expected_version=expected_version(if_match),
        )
    )
    return with_etag(response, saved.version, saved)


@router.delete(
    "/{address_id}", summary="Delete a saved address", status_code=status.HTTP_204_NO_CONTENT
)
@raises(*_CHANGE_ERRORS)
async def remove_address(address_id: UUID, principal: ProfileOwner, services: Services) -> None:
    """If it was a default, you have no default of that kind until you choose one."""
    await services.bus.handle(c.RemoveAddress(actor=principal, address_id=address_id))


@router.put(
    "/{address_id}/default/{kind}",
    summary="Make an address your default for shipping or billing",
    response_model=schemas.AddressResponse,
)
@raises(*_CHANGE_ERRORS)
async def choose_default(
    address_id: UUID,
    kind: AddressKind,
    principal: ProfileOwner,
    response: Response,
    services: Services,
) -> AddressView:
    """The address that was the default of this kind stops being it."""
    saved = await services.bus.handle(
        c.ChooseDefaultAddress(actor=principal, address_id=address_id, kind=kind)
    )
    return with_etag(response, saved.version, saved)
