"""Traces and metrics for one process, from its settings: what `agora serve` and `agora worker`
switch on before they start (both off by default; ADR 0026)."""

from fastapi import FastAPI
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

from agora.settings import Settings
from infrastructure.telemetry.tracing import Tracing, otlp_tracer_provider


def tracing_from(settings: Settings, *, role: str) -> Tracing | None:
    """Tracing exported over OTLP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, else None. `role`
    ("api", "worker") joins the service name when it was left at its default."""
    endpoint = settings.tracing.exporter_otlp_endpoint
    if not endpoint:
        return None
    name = settings.tracing.service_name
    if name == "agora":
        name = f"agora-{role}"
    ratio = settings.tracing.traces_sampler_arg
    return Tracing(otlp_tracer_provider(endpoint=endpoint, service_name=name, ratio=ratio))


def instrument_app(app: FastAPI, tracing: Tracing | None) -> None:
    """A server span per request, named for its route template (the health probes left out).
    The ASGI send and receive events are not spans of their own: they would triple a trace."""
    if tracing is None:
        return
    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=tracing.provider,
        excluded_urls="/health/live,/health/ready",
        exclude_spans=["receive", "send"],
    )


def close(tracing: Tracing | None) -> None:
    """Flush and stop, when the process ends."""
    if tracing is not None:
        tracing.close()
        tracing.provider.shutdown()
