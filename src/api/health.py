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
    summary="PostgreSQL and Redis are reachable; event-log subscribers and their lag",
    responses={503: {"description": "A dependency is unavailable; `checks` says which"}},
)
async def ready(services: Services) -> JSONResponse:
    """Ready means PostgreSQL and Redis answer. `subscribers` reports each projection and the
    Kafka relay (position, pending events, lag, dead letters) without affecting readiness: a
    broker outage must not take the shop off the load balancer."""
    checks = await services.readiness.check()
    healthy = all(state == "ok" for state in checks.values())
    subscribers = await services.readiness.subscribers() if healthy else []
    return JSONResponse(
        {
            "status": "ok" if healthy else "unavailable",
            "checks": checks,
            "subscribers": subscribers,
        },
        status_code=200 if healthy else 503,
    )
