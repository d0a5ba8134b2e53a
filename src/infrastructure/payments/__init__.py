"""Payments: a gateway with timeouts, retries and a circuit breaker; a simulated provider."""
