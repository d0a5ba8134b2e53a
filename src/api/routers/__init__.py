"""One router per bounded context, plus health."""
