"""One trace from a checkout request through its command, its SQL, the append to the log, the
worker's fulfilment commands and the relay's Kafka publish, read from the SDK's in-memory
exporter while the real app and its in-process worker run."""

import asyncio
import io
import json
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace

import httpx
from aiokafka import AIOKafkaConsumer
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanContext, SpanKind

from agora.bootstrap import api_config, open_services
from agora.logging_config import JsonFormatter
from agora.settings import Settings
from agora.telemetry import instrument_app
from api.app import create_app
from domain.identity.values import Role
from infrastructure.payments.simulated import SimulatedProvider
from infrastructure.telemetry.tracing import Tracing, tracer_provider
from tests.support.shop import OrderingShop, ordering_settings


@asynccontextmanager
async def traced_shop(
    settings: Settings, exporter: InMemorySpanExporter
) -> AsyncIterator[OrderingShop]:
    """The ordering shop, its worker in-process, every span kept by `exporter`."""
    provider = tracer_provider(service_name="agora-test")
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing = Tracing(provider)
    payments = SimulatedProvider()
    app = create_app(
        config=replace(api_config(settings), tracing=True),
        services=lambda: open_services(
            settings,
            database_url=str(settings.database.url),
            redis_url=str(settings.redis.url),
            with_worker=True,
            payments=payments,
            tracing=tracing,
        ),
    )
    instrument_app(app, tracing)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://agora.test") as client,
    ):
        shop = OrderingShop(app=app, client=client, settings=settings, provider=payments)
        shop.staff = await shop.account("staff@example.com", Role.STAFF)
        yield shop
    provider.shutdown()


async def test_a_checkout_its_fulfilment_and_its_publishing_are_one_trace(
    settings: Settings, kafka_bootstrap: str
) -> None:
    prefix = f"trace-{uuid.uuid4().hex[:8]}"
    exporter = InMemorySpanExporter()
    tuned = ordering_settings(settings, kafka=kafka_bootstrap, topic_prefix=prefix)
    async with traced_shop(tuned, exporter) as shop:
        customer = await shop.customer()
        teapot = await shop.stocked_product(3)
        await shop.fill_cart(customer, teapot["sku"], 1)
        await _drained(shop)
        set_up = exporter.get_finished_spans()
        exporter.clear()

        access_log = io.StringIO()
        handler = logging.StreamHandler(access_log)
        handler.setFormatter(JsonFormatter())
        access = logging.getLogger("agora.access")
        level = access.level
        access.addHandler(handler)
        access.setLevel(logging.INFO)
        try:
            placed = await shop.check_out(customer)
        finally:
            access.removeHandler(handler)
            access.setLevel(level)
        assert placed.status_code == 201, placed.text
        order_id = placed.json()["id"]
        await shop.wait_status(customer, order_id, "paid")
        topic = f"{prefix}.ordering.events"
        records = await _published(kafka_bootstrap, topic, f"order-{order_id}", count=4)

    # Logging in checks the throttle in Redis: its calls are spans of the login's trace.
    login = next(s for s in set_up if s.kind == SpanKind.SERVER and "/auth/token" in s.name)
    redis_calls = [
        s
        for s in _in_trace(set_up, _ctx(login).trace_id)
        if s.kind == SpanKind.CLIENT and "redis" in {str(v) for v in (s.attributes or {}).values()}
    ]
    assert redis_calls, [s.name for s in _in_trace(set_up, _ctx(login).trace_id)]

    spans = exporter.get_finished_spans()
    server = _one(spans, lambda s: s.kind == SpanKind.SERVER and "/checkout" in s.name)
    trace_id = _ctx(server).trace_id
    assert server.attributes is not None
    assert server.attributes["agora.request_id"] == placed.headers["X-Request-ID"]

    (line,) = [json.loads(entry) for entry in access_log.getvalue().splitlines()]
    assert line["request_id"] == placed.headers["X-Request-ID"]
    assert line["trace_id"] == f"{trace_id:032x}", "the log line names the request's trace"

    check_out = _one(spans, lambda s: s.name == "CheckOut")
    assert _ctx(check_out).trace_id == trace_id
    assert check_out.parent is not None
    assert check_out.parent.span_id == _ctx(server).span_id, "the command is the request's child"
    statements = [s for s in spans if s.parent and s.parent.span_id == _ctx(check_out).span_id]
    assert any(s.kind == SpanKind.CLIENT and "INSERT" in s.name for s in statements), [
        s.name for s in statements
    ]

    # The worker's commands for this order: children of the span that appended their cause.
    worker = [
        s
        for s in _in_trace(spans, trace_id)
        if s.attributes and "agora.causation_id" in s.attributes
    ]
    assert {"ConfirmStock", "RecordPayment"} <= {s.name for s in worker}, [s.name for s in worker]
    first = min(worker, key=lambda s: s.start_time or 0)
    assert first.parent is not None
    assert first.parent.span_id == _ctx(check_out).span_id, "OrderPlaced was appended by CheckOut"
    by_id = {_ctx(s).span_id: s for s in spans}
    for span in worker:
        assert span.parent is not None, span.name
        assert span.parent.span_id in by_id, span.name

    # The relay's sends: producer spans in the same trace, whose context is each record's
    # one traceparent header.
    sends = [s for s in _in_trace(spans, trace_id) if s.kind == SpanKind.PRODUCER]
    assert len(sends) >= 4
    send_ids = {f"{_ctx(s).span_id:016x}" for s in sends}
    for headers in records:
        parents = [v.decode() for k, v in headers if k == "traceparent"]
        assert len(parents) == 1, headers
        _, record_trace, record_span, _ = parents[0].split("-")
        assert record_trace == f"{trace_id:032x}"
        assert record_span in send_ids


def _ctx(span: ReadableSpan) -> SpanContext:
    context = span.get_span_context()
    assert context is not None
    return context


def _in_trace(spans: tuple[ReadableSpan, ...], trace_id: int) -> list[ReadableSpan]:
    return [s for s in spans if s.context is not None and s.context.trace_id == trace_id]


def _one(spans: tuple[ReadableSpan, ...], match: Callable[[ReadableSpan], bool]) -> ReadableSpan:
    found = [s for s in spans if match(s)]
    assert len(found) == 1, [s.name for s in spans]
    return found[0]


async def _drained(shop: OrderingShop) -> None:
    """Let the worker finish with what the set-up appended, so its spans are not the test's."""
    await asyncio.sleep(0.5)


async def _published(
    bootstrap: str, topic: str, key: str, *, count: int
) -> list[list[tuple[str, bytes]]]:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    await consumer.start()
    found: list[list[tuple[str, bytes]]] = []
    try:
        for _ in range(60):
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                found += [list(r.headers) for r in batch if r.key == key.encode()]
            if len(found) >= count:
                break
    finally:
        await consumer.stop()
    return found
