"""Decoding Kafka records: every shape a broker can deliver is either a message or malformed."""

import json

import pytest
from aiokafka import ConsumerRecord

from infrastructure.kafka.consumer import decode


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
