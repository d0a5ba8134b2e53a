"""Requests counted and timed per route template (`/api/v1/orders/{order_id}`, never the raw
path, so one label value per route however many orders there are), with the trace id as the
latency's exemplar; and the request id on the request's span, so a trace names the request
id its log lines carry. Added only when metrics or tracing are on."""

import time

from opentelemetry import trace
from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Receive, Scope, Send

from api.middleware.access_log import NotingStatus
from application.shared.context import current_call

# A label's values stay bounded whatever a client sends as its method.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
REQUESTS = Counter(
    "agora_http_requests",
    "HTTP requests answered, by method, route template and status code.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "agora_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer, by method and route template.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
UNMATCHED = "unmatched"  # a path no route serves: one label, whatever was asked


class TelemetryMiddleware:
    """Just inside the request id: it counts what the layers below answer, 500s included."""

    def __init__(self, app: ASGIApp, *, metrics: bool = True) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        span = trace.get_current_span()
        call = current_call.get()
        if call is not None and span.is_recording():
            span.set_attribute("agora.request_id", call.correlation_id)
        if not self.metrics:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        noted = NotingStatus(send)
        try:
            await self.app(scope, receive, noted)
        finally:
            route = getattr(scope.get("route"), "path", UNMATCHED)
            method = scope["method"] if scope["method"] in METHODS else "other"
            REQUESTS.labels(method, route, str(noted.status)).inc()
            context = span.get_span_context()
            exemplar = {"trace_id": f"{context.trace_id:032x}"} if context.is_valid else None
            LATENCY.labels(method, route).observe(time.perf_counter() - started, exemplar)
