"""Request and response schemas (Pydantic); never tables, never domain objects."""
