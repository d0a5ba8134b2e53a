"""Liveness and readiness for orchestrators and load balancers."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.dependencies import Services

router = APIRouter(prefix="/health", tags=["health"])


@router.get("/live", summary="The process is up")
async def live() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/ready",
    summary="PostgreSQL and Redis are reachable",
    responses={503: {"description": "A dependency is unavailable; `checks` says which"}},
)
async def ready(services: Services) -> JSONResponse:
    checks = await services.readiness.check()
    healthy = all(state == "ok" for state in checks.values())
    return JSONResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status_code=200 if healthy else 503,
    )
