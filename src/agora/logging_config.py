"""Logs on stdout, one line per record, with the request id of the current request: JSON for
machines (production, a pipe, a file), a plain line for a person at a terminal."""

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

from opentelemetry import trace

from application.shared.context import current_correlation_id

LogFormat = Literal["auto", "human", "json"]

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "color_message",  # uvicorn's ANSI-coloured duplicate of the message
}


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    """The request id of the current request, the trace and span ids when a span is active
    (the ids its trace carries), then whatever was passed in `extra=`."""
    extras: dict[str, Any] = {}
    request_id = current_correlation_id()
    if request_id is not None:
        extras["request_id"] = request_id
    span = trace.get_current_span().get_span_context()
    if span.is_valid:
        extras["trace_id"] = f"{span.trace_id:032x}"
        extras["span_id"] = f"{span.span_id:016x}"
    extras.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
    return extras


class JsonFormatter(logging.Formatter):
    """Standard fields plus whatever was passed in `extra=`."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(_extras(record))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class HumanFormatter(logging.Formatter):
    """`12:00:01 INFO    agora.access  request  status=200 path=/api/v1/products`, local time,
    and a traceback, if any, on the lines below."""

    def format(self, record: logging.LogRecord) -> str:
        time = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        fields = " ".join(f"{k}={v}" for k, v in _extras(record).items())
        line = f"{time} {record.levelname:<7} {record.name}  {record.getMessage()}"
        line = f"{line}  {fields}" if fields else line
        if record.exc_info:
            line = f"{line}\n{self.formatException(record.exc_info)}"
        return line


def configure_logging(
    level: str,
    *,
    log_format: LogFormat = "auto",
    production: bool = False,
    stream: TextIO = sys.stdout,
) -> None:
    """Log at `level` to `stream`. `auto` is JSON in production and when the stream is not a
    terminal (a container, a pipe to a collector), and a plain line on a terminal."""
    human = log_format == "human" or (log_format == "auto" and not production and stream.isatty())
    handler = logging.StreamHandler(stream)
    handler.setFormatter(HumanFormatter() if human else JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Our access log replaces uvicorn's, which would log query strings.
    logging.getLogger("uvicorn.access").disabled = True
    # Embedded PostgreSQL and Alembic narrate every step at INFO, and so does SQLAlchemy's pool
    # (under our subclass's name, outside `sqlalchemy`, which SQLAlchemy quietens itself);
    # their warnings still show.
    for chatty in ("pgserver", "alembic", "infrastructure.db.engine.OutageAwarePool"):
        logging.getLogger(chatty).setLevel(max(logging.WARNING, root.level))
