"""The message contracts in docs/contracts are the ones the code produces and accepts."""

import json
import uuid
from datetime import UTC, datetime

import jsonschema
import pytest

from agora.contexts import CONTEXTS
from infrastructure.kafka.consumer import UnprocessableMessage
from infrastructure.kafka.contracts import CONTRACTS, PUBLISHED, contracts, rendered
from infrastructure.kafka.warehouse import parse_shipment

REGENERATE = "run: PYTHONPATH=src .venv/bin/python -m infrastructure.kafka.contracts"


@pytest.mark.parametrize(("name", "schema"), contracts().items())
def test_the_published_contract_is_current(name: str, schema: dict[str, object]) -> None:
    jsonschema.Draft202012Validator.check_schema(schema)
    assert (CONTRACTS / name).read_text() == rendered(schema), REGENERATE


def test_every_event_the_relay_publishes_has_a_contract() -> None:
    registered = {c.NAME: set(c.EVENTS) for c in CONTEXTS if c.EVENTS}
    assert {name: set(events) for name, (events, _) in PUBLISHED.items()} == registered
    assert {p.name for p in CONTRACTS.glob("*.schema.json")} == set(contracts())


def test_the_consumer_accepts_exactly_what_the_warehouse_contract_allows() -> None:
    validator = jsonschema.Draft202012Validator(
        json.loads((CONTRACTS / "warehouse.shipments.schema.json").read_text()),
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )
    now = datetime.now(UTC).isoformat()
    good = {"order_id": str(uuid.uuid4()), "tracking_number": "T-1", "shipped_at": now}
    v2, shipment = good | {"schema_version": 2}, str(uuid.uuid4())
    line = {"sku": "MUG-1", "quantity": 1}
    delivery = {
        "schema_version": 2,
        "order_id": good["order_id"],
        "shipment_id": shipment,
        "delivered_at": now,
    }
    samples = [
        (good, True),
        (good | {"carrier": "UPS", "delivered_at": now}, True),
        (good | {"order_id": "nope"}, False),
        (good | {"tracking_number": ""}, False),
        (good | {"tracking_number": "x" * 65}, False),
        ({k: v for k, v in good.items() if k != "shipped_at"}, False),
        (good | {"shipped_at": "yesterday"}, False),
        (good | {"shipped_at": "20260101T000000Z"}, False),
        (good | {"shipped_at": "2026-01-01T00:00:00"}, False),  # no time zone
        (good | {"order_id": "{" + good["order_id"] + "}"}, False),
        (good | {"order_id": good["order_id"].replace("-", "")}, False),
        # version 2: the shipment's id, lines and location, or a parcel's delivery alone
        (v2 | {"shipment_id": shipment, "lines": [line], "location": "main"}, True),
        (v2 | {"lines": [line, line | {"quantity": 2.0}]}, True),
        (v2, True),  # every unit left, its id derived from the tracking number
        (delivery, True),
        (delivery | {"carrier": "UPS"}, True),
        (good | {"schema_version": 1}, True),
        (good | {"lines": [line]}, False),  # lines need version 2
        (good | {"shipment_id": shipment}, False),
        (good | {"schema_version": 3}, False),
        (good | {"schema_version": True}, False),
        (v2 | {"lines": []}, False),
        (v2 | {"lines": [line | {"quantity": 0}]}, False),
        (v2 | {"lines": [line | {"quantity": True}]}, False),
        (v2 | {"lines": [line | {"quantity": 1.5}]}, False),
        (v2 | {"lines": [{"quantity": 1}]}, False),
        (v2 | {"lines": ["MUG"]}, False),
        (v2 | {"lines": [line | {"sku": ""}]}, False),
        (v2 | {"location": ""}, False),
        (v2 | {"shipment_id": "nope"}, False),
        ({k: v for k, v in delivery.items() if k != "delivered_at"}, False),
        ({k: v for k, v in delivery.items() if k != "shipment_id"}, False),
        (delivery | {"shipment_id": None}, False),
        (delivery | {"tracking_number": "T-1"}, False),  # a shipment, then without shipped_at
        (delivery | {"shipped_at": now}, False),
        ([good], False),
    ]
    for message, valid in samples:
        assert validator.is_valid(message) is valid, message
        if valid:
            parse_shipment(message)
        else:
            with pytest.raises(UnprocessableMessage):
                parse_shipment(message)
