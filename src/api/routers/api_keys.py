"""API keys for integrations, managed by admins."""

from uuid import UUID

from fastapi import APIRouter

from api.dependencies import ApiKeyManager, Services
from api.problems import problem_responses
from api.schemas.api_keys import ApiKeyList, ApiKeyResponse, IssuedApiKeyResponse, NewApiKey
from application.identity.api_keys import CreateApiKey, RevokeApiKey

router = APIRouter(prefix="/api/v1/api-keys", tags=["integrations"])


@router.post(
    "",
    summary="Create an API key (admin)",
    status_code=201,
    response_model=IssuedApiKeyResponse,
    responses=problem_responses(401, 403, 422),
)
async def create(body: NewApiKey, admin: ApiKeyManager, services: Services) -> IssuedApiKeyResponse:
    """The key is in this response only; store it now."""
    issued = await services.bus.handle(
        CreateApiKey(name=body.name, scopes=frozenset(body.scopes), actor_id=admin.user_id)
    )
    return IssuedApiKeyResponse(**ApiKeyResponse.of(issued.key).model_dump(), key=issued.plain)


@router.get(
    "",
    summary="List API keys (admin)",
    response_model=ApiKeyList,
    responses=problem_responses(401, 403),
)
async def list_keys(_: ApiKeyManager, services: Services) -> ApiKeyList:
    return ApiKeyList(items=[ApiKeyResponse.of(k) for k in await services.api_keys.list()])


@router.delete(
    "/{key_id}",
    summary="Revoke an API key (admin)",
    response_model=ApiKeyResponse,
    responses=problem_responses(401, 403, 404, 422),
)
async def revoke(key_id: UUID, admin: ApiKeyManager, services: Services) -> ApiKeyResponse:
    """Takes effect on the key's next request."""
    return ApiKeyResponse.of(
        await services.bus.handle(RevokeApiKey(key_id=key_id, actor_id=admin.user_id))
    )
