"""Logs read as lines for a person on a terminal and as JSON for a machine everywhere else."""

import io
import json
import logging
import sys
from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import TracerProvider

from agora.logging_config import HumanFormatter, JsonFormatter, configure_logging
from application.shared.context import CallContext, current_call


class Terminal(io.StringIO):
    """A stream that says it is a terminal, as sys.stdout does in an interactive shell."""

    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def root_logger_restored() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def formatter_on(stream: io.StringIO, **options: object) -> logging.Formatter | None:
    configure_logging("INFO", stream=stream, **options)  # type: ignore[arg-type]
    return logging.getLogger().handlers[0].formatter


def test_a_terminal_gets_the_human_format_by_default() -> None:
    assert isinstance(formatter_on(Terminal()), HumanFormatter)


def test_a_pipe_or_a_file_gets_json_by_default() -> None:
    assert isinstance(formatter_on(io.StringIO()), JsonFormatter)


def test_production_logs_json_even_on_a_terminal() -> None:
    assert isinstance(formatter_on(Terminal(), production=True), JsonFormatter)


@pytest.mark.parametrize(
    ("choice", "expected"), [("json", JsonFormatter), ("human", HumanFormatter)]
)
def test_an_explicit_format_wins_over_the_stream(choice: str, expected: type) -> None:
    assert isinstance(formatter_on(Terminal(), log_format=choice), expected)
    assert isinstance(formatter_on(io.StringIO(), log_format=choice), expected)


def test_a_human_line_has_the_level_the_message_and_the_extras() -> None:
    record = logging.LogRecord("agora.access", logging.INFO, __file__, 1, "request", None, None)
    record.status = 200
    record.path = "/api/v1/products"
    token = current_call.set(CallContext(correlation_id="req-0000001"))
    try:
        line = HumanFormatter().format(record)
    finally:
        current_call.reset(token)
    assert "\n" not in line
    assert "INFO" in line
    assert "agora.access" in line
    assert "request" in line
    assert "status=200" in line
    assert "path=/api/v1/products" in line
    assert "request_id=req-0000001" in line
    with pytest.raises(json.JSONDecodeError):
        json.loads(line)


def test_a_human_line_shows_the_traceback_below_it() -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = logging.LogRecord(
            "agora", logging.ERROR, __file__, 1, "it broke", None, sys.exc_info()
        )
    text = HumanFormatter().format(record)
    first, *rest = text.splitlines()
    assert "it broke" in first
    assert any("RuntimeError: boom" in line for line in rest)


def test_a_json_line_names_the_active_span_and_its_trace() -> None:
    provider = TracerProvider()
    record = logging.LogRecord("agora.access", logging.INFO, __file__, 1, "request", None, None)
    with provider.get_tracer("test").start_as_current_span("request") as span:
        entry = json.loads(JsonFormatter().format(record))
    context = span.get_span_context()
    assert entry["trace_id"] == f"{context.trace_id:032x}"
    assert entry["span_id"] == f"{context.span_id:016x}"
    outside = json.loads(JsonFormatter().format(record))
    assert "trace_id" not in outside
    assert "span_id" not in outside
