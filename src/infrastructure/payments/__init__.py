"""Payments: the gateway with timeouts, retries and a circuit breaker; a simulated provider;
and the provider's signed callbacks."""
