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
    responses={
        503: {
            "description": "A dependency is unavailable: `checks` says which, `reasons` why"
            " (`unreachable`, `timeout`, `refused`, `disconnected` or `error`)"
        }
    },
)
async def ready(services: Services) -> JSONResponse:
    """Ready means PostgreSQL and Redis answer. `subscribers` reports each projection and the
    Kafka relay (position, pending events, lag, dead letters, whether it is failing) without
    affecting readiness: a broker outage must not take the shop off the load balancer."""
    found = await services.readiness.check()
    reasons = {name: state for name, state in found.items() if state != "ok"}
    healthy = not reasons
    subscribers = await services.readiness.subscribers() if healthy else []
    return JSONResponse(
        {
            "status": "ok" if healthy else "unavailable",
            "checks": {name: "unavailable" if name in reasons else "ok" for name in found},
            "reasons": reasons,
            "subscribers": subscribers,
        },
        status_code=200 if healthy else 503,
    )
