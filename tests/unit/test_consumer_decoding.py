"""Decoding Kafka records: every shape a broker can deliver is either a message or malformed;
the relay's envelope reads back as the log's row."""

import json
import uuid
from datetime import UTC, datetime

import pytest
from aiokafka import ConsumerRecord

from infrastructure.eventlog.store import StoredEvent
from infrastructure.kafka.consumer import UnprocessableMessage, decode, reacting_to
from infrastructure.kafka.envelope import envelope, stored_event


def record(value: bytes | None, headers: list[tuple[str, bytes | None]]) -> ConsumerRecord:
    return ConsumerRecord(
        topic="t",
        partition=2,
        offset=7,
        timestamp=0,
        timestamp_type=0,
        key=b"k",
        value=value,
        checksum=None,
        serialized_key_size=1,
        serialized_value_size=len(value or b""),
        headers=headers,
    )


def test_a_null_header_value_is_tolerated() -> None:
    message = decode(record(json.dumps({"a": 1}).encode(), [("trace", None), ("event_id", b"e1")]))
    assert message.headers == {"trace": "", "event_id": "e1"}
    assert message.message_id == "e1"


def test_without_an_id_the_records_coordinates_identify_it() -> None:
    assert decode(record(b"{}", [])).message_id == "t:2:7"


@pytest.mark.parametrize(
    "value", [None, b"", b"[1, 2]", b"\xff\xfe", b"{not json", b'{"a": ' + b"[" * 5_000]
)
def test_anything_but_a_json_object_is_malformed(value: bytes | None) -> None:
    with pytest.raises(ValueError, match="JSON"):
        decode(record(value, []))


def a_stored_event() -> StoredEvent:
    return StoredEvent(
        position=41,
        transaction_id=0,
        stream_type="order",
        stream_id=f"order-{uuid.uuid4()}",
        stream_version=3,
        event_id=uuid.uuid4(),
        event_type="OrderStockReserved",
        schema_version=1,
        payload={"order_id": "x", "occurred_at": "2026-12-01T10:00:00+00:00"},
        metadata={
            "correlation_id": "req-1",
            "traceparent": "00-" + "a" * 32 + "-" + "b" * 16 + "-01",
        },
        recorded_at=datetime(2026, 12, 1, 10, 0, 0, 123456, tzinfo=UTC),
    )


def test_the_relays_envelope_reads_back_as_the_logs_row() -> None:
    stored = a_stored_event()
    assert stored_event(json.loads(envelope(stored))) == stored  # what the group member reacts to


@pytest.mark.parametrize("missing", ["event_id", "payload", "metadata", "stream_id", "recorded_at"])
async def test_a_body_that_is_no_envelope_can_never_be_reacted_to(missing: str) -> None:
    body = json.loads(envelope(a_stored_event()))
    del body[missing]
    message = decode(record(json.dumps(body).encode(), []))
    with pytest.raises(UnprocessableMessage, match="not an event envelope"):
        await reacting_to(NeverReacts())(message)


class NeverReacts:
    async def react(self, stored: StoredEvent) -> None:
        raise AssertionError("a malformed envelope must not reach the reaction")
