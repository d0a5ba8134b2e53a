"""JSON logs on stdout, one object per line, with the request id of the current request."""

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from application.shared.context import current_correlation_id

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "color_message",  # uvicorn's ANSI-coloured duplicate of the message
}


class JsonFormatter(logging.Formatter):
    """Standard fields plus whatever was passed in `extra=`."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = current_correlation_id()
        if request_id is not None:
            entry["request_id"] = request_id
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(level: str, *, stream: TextIO = sys.stdout) -> None:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
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
