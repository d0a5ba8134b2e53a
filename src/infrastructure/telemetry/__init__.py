"""Traces (OpenTelemetry) and metrics (Prometheus): off unless configured, and the one place
below the composition root that knows either library (ADR 0026)."""
