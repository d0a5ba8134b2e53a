"""Pure ASGI middleware (no BaseHTTPMiddleware): cheap, streaming-safe, contextvar-friendly."""
