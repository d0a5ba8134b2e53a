"""Which spans are traced: every request and command (or a share of them), never a lone SQL or
Redis call, and always the whole of a trace once its root was taken."""

from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from infrastructure.telemetry.tracing import tracer_provider


def recorded(ratio: float) -> tuple[list[str], InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = tracer_provider(service_name="test", ratio=ratio)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("test")
    with (
        tracer.start_as_current_span("POST /api/v1/checkout", kind=SpanKind.SERVER),
        tracer.start_as_current_span("CheckOut"),
        tracer.start_as_current_span("INSERT", kind=SpanKind.CLIENT),
    ):
        pass
    with tracer.start_as_current_span("SELECT", kind=SpanKind.CLIENT):  # the worker polling
        pass
    return [s.name for s in exporter.get_finished_spans()], exporter


def test_a_request_is_traced_whole_and_a_lone_statement_not_at_all() -> None:
    names, _ = recorded(1.0)
    assert names == ["INSERT", "CheckOut", "POST /api/v1/checkout"]


def test_a_request_left_out_by_the_ratio_leaves_out_everything_below_it() -> None:
    names, _ = recorded(0.0)
    assert names == []
