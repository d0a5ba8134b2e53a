"""Traces: one per request, through each command on the bus, each SQL statement and Redis call,
the append to the event log, and on into the worker's commands and the Kafka publish.

The maintained instrumentations make the spans of FastAPI, SQLAlchemy, Redis and aiokafka; this
module adds a span per command (around the bus, so the application layer imports nothing of
OpenTelemetry) and carries the trace across the event log: an appended event's `traceparent`
is the span that appended it, and a command a subscriber sends for that event is its child."""

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.instrumentation.aiokafka import AIOKafkaInstrumentor
from opentelemetry.instrumentation.redis import RedisInstrumentor
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import (
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
    TraceIdRatioBased,
)
from opentelemetry.trace import Link, SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from opentelemetry.util.types import Attributes
from sqlalchemy.ext.asyncio import AsyncEngine

from application.shared.bus import Around, Command
from application.shared.context import current_call

_PROPAGATOR = TraceContextTextMapPropagator()
REQUEST_ID = "agora.request_id"


def active_traceparent() -> str | None:
    """The W3C `traceparent` of the span active now, or None when none is (tracing off)."""
    span = trace.get_current_span().get_span_context()
    if not span.is_valid:
        return None
    return f"00-{span.trace_id:032x}-{span.span_id:016x}-{int(span.trace_flags):02x}"


def active_ids() -> tuple[str, str] | None:
    """The trace id and span id of the span active now (for log lines and exemplars)."""
    span = trace.get_current_span().get_span_context()
    if not span.is_valid:
        return None
    return f"{span.trace_id:032x}", f"{span.span_id:016x}"


def context_of(traceparent: str | None) -> otel_context.Context | None:
    """The trace context a stored `traceparent` names, or None if it names none."""
    if not traceparent:
        return None
    extracted = _PROPAGATOR.extract({"traceparent": traceparent})
    if not trace.get_current_span(extracted).get_span_context().is_valid:
        return None
    return extracted


class _NoStrayClientSpans(Sampler):
    """Root spans are sampled at `ratio` (by trace id), except a client call (SQL, Redis)
    outside any request, command or publish: the worker's polling of the log would otherwise
    be a trace per statement."""

    def __init__(self, ratio: float = 1.0) -> None:
        self._ratio = TraceIdRatioBased(ratio)

    def should_sample(
        self,
        parent_context: otel_context.Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: Any = None,
    ) -> SamplingResult:
        if kind == SpanKind.CLIENT:
            return SamplingResult(Decision.DROP)
        return self._ratio.should_sample(
            parent_context, trace_id, name, kind, attributes, links, trace_state
        )

    def get_description(self) -> str:
        return "NoStrayClientSpans"


def tracer_provider(*, service_name: str, ratio: float = 1.0) -> TracerProvider:
    """A provider whose children follow their parent's decision (so a trace sampled at the
    request stays whole through the worker), and whose roots are sampled at `ratio` unless
    they are a stray client call."""
    return TracerProvider(
        resource=Resource.create({"service.name": service_name}),
        sampler=ParentBased(root=_NoStrayClientSpans(ratio)),
    )


def otlp_tracer_provider(*, endpoint: str, service_name: str, ratio: float) -> TracerProvider:
    """Spans batched and sent over OTLP/HTTP to `<endpoint>/v1/traces`."""
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    provider = tracer_provider(service_name=service_name, ratio=ratio)
    exporter = OTLPSpanExporter(endpoint=f"{endpoint.rstrip('/')}/v1/traces")
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


class Tracing:
    """One process's tracer provider and the instrumentations it switched on."""

    def __init__(self, provider: TracerProvider) -> None:
        self.provider = provider
        self.tracer = provider.get_tracer("agora")
        self._sql = SQLAlchemyInstrumentor()
        self._clients_on = False

    def instrument_engine(self, engine: AsyncEngine) -> None:
        """A span per SQL statement on this engine. The instrumentation declares SQLAlchemy
        below 2.1 and would refuse 2.1; the engine events it listens to are the same in 2.1,
        which the tracing test proves."""
        self._sql.instrument(
            engine=engine.sync_engine, tracer_provider=self.provider, skip_dep_check=True
        )

    def instrument_clients(self) -> None:
        """A span per Redis command and per Kafka send (both patch their client classes)."""
        RedisInstrumentor().instrument(tracer_provider=self.provider)
        AIOKafkaInstrumentor().instrument(tracer_provider=self.provider)
        self._clients_on = True

    def close(self) -> None:
        """Switch the instrumentations off and flush what is still buffered."""
        if self._sql.is_instrumented_by_opentelemetry:
            self._sql.uninstrument()
        if self._clients_on:
            RedisInstrumentor().uninstrument()
            AIOKafkaInstrumentor().uninstrument()
            self._clients_on = False
        self.provider.force_flush()


def command_span(tracer: trace.Tracer) -> Around:
    """Wraps a command on the bus (`CommandBus(around=...)`) in a span named for it. In a request
    the span is a child of the request's; a command a subscriber sends for an event (`acting_on`)
    is a child of the span that appended that event, so a checkout and its fulfilment are one
    trace."""

    def around(command: Command[Any]) -> AbstractContextManager[object]:
        call = current_call.get()
        parent = None
        if not trace.get_current_span().get_span_context().is_valid and call is not None:
            parent = context_of(call.traceparent)
        attributes: dict[str, str] = {"agora.command": type(command).__name__}
        if call is not None:
            attributes[REQUEST_ID] = call.correlation_id
            if call.causation_id is not None:
                attributes["agora.causation_id"] = call.causation_id
        return tracer.start_as_current_span(
            type(command).__name__, context=parent, attributes=attributes
        )

    return around


@contextmanager
def continuing(traceparent: str | None) -> Iterator[None]:
    """Spans started in the block continue the trace `traceparent` names (none: unchanged)."""
    parent = context_of(traceparent)
    if parent is None:
        yield
        return
    token = otel_context.attach(parent)
    try:
        yield
    finally:
        otel_context.detach(token)
