"""The resilient gateway around the simulated provider: timeouts, retries, the circuit breaker,
no double charge; and the webhook signature."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from application.ordering.ports import PaymentOutcome, PaymentResult, PaymentUnavailable
from application.shared.errors import InvalidSignature
from domain.shared.money import Money
from infrastructure.http.signatures import sign, verify
from infrastructure.payments.gateway import PaymentProvider, ResilientGateway
from infrastructure.payments.simulated import ProviderError, SimulatedProvider

AMOUNT = Money.of("25.00", "EUR")


def gateway(
    provider: PaymentProvider, *, threshold: int = 5, reset: float = 0.2
) -> ResilientGateway:
    return ResilientGateway(
        provider,
        timeout_seconds=0.05,
        attempts=3,
        backoff_seconds=0.001,
        backoff_max_seconds=0.005,
        threshold=threshold,
        reset_seconds=reset,
    )


async def test_deterministic_tokens_approve_decline_and_wait_for_the_webhook() -> None:
    payments = gateway(SimulatedProvider())
    approved = await payments.authorize(reference="o-1", amount=AMOUNT, token="tok_approve")
    declined = await payments.authorize(reference="o-2", amount=AMOUNT, token="tok_decline")
    pending = await payments.authorize(reference="o-3", amount=AMOUNT, token="tok_pending")
    assert approved.outcome is PaymentOutcome.APPROVED
    assert (declined.outcome, declined.reason) == (PaymentOutcome.DECLINED, "card declined")
    assert pending.outcome is PaymentOutcome.PENDING


async def test_a_flaky_provider_is_retried_and_charges_once() -> None:
    provider = SimulatedProvider()
    result = await gateway(provider).authorize(reference="o-1", amount=AMOUNT, token="tok_flaky")
    assert result.outcome is PaymentOutcome.APPROVED
    assert provider.attempts["o-1"] == 3
    # The first attempt charged and lost its answer; the retries found that charge.
    assert list(provider.charges) == ["o-1"]
    assert result.payment_reference == provider.charges["o-1"].payment_reference


async def test_asking_again_with_the_same_reference_never_charges_twice() -> None:
    provider = SimulatedProvider()
    payments = gateway(provider)
    first = await payments.authorize(reference="o-1", amount=AMOUNT, token="tok_approve")
    second = await payments.authorize(reference="o-1", amount=AMOUNT, token="tok_approve")
    assert first == second
    assert len(provider.charges) == 1


async def test_a_provider_that_never_answers_times_out_after_every_attempt() -> None:
    provider = SimulatedProvider()
    with pytest.raises(PaymentUnavailable, match="did not answer"):
        await gateway(provider).authorize(reference="o-1", amount=AMOUNT, token="tok_timeout")
    assert provider.attempts["o-1"] == 3
    assert provider.charges == {}


class Outage(PaymentProvider):
    """A provider that fails until `healthy` is set."""

    def __init__(self) -> None:
        self.healthy = False
        self.calls = 0

    async def authorize(self, *, reference: str, amount: Money, token: str) -> PaymentResult:
        self.calls += 1
        if not self.healthy:
            raise ProviderError("503 from the provider")
        return PaymentResult(outcome=PaymentOutcome.APPROVED, payment_reference=f"pay-{reference}")

    async def capture(self, *, reference: str, payment_reference: str, amount: Money) -> str:
        raise ProviderError("captures are not asked of this provider")

    async def refund(self, *, reference: str, payment_reference: str, amount: Money) -> str:
        raise ProviderError("refunds are not asked of this provider")

    async def void(self, *, reference: str) -> None:
        raise ProviderError("voids are not asked of this provider")


async def test_the_circuit_opens_fails_fast_and_recovers_through_a_probe() -> None:
    outage = Outage()
    payments = gateway(outage, threshold=3, reset=0.2)
    with pytest.raises(PaymentUnavailable):
        await payments.authorize(reference="o-1", amount=AMOUNT, token="t")
    assert outage.calls == 3
    assert await payments.circuit_state() == "opened"

    with pytest.raises(PaymentUnavailable, match="circuit is open"):
        await payments.authorize(reference="o-2", amount=AMOUNT, token="t")
    assert outage.calls == 3  # failed fast: the provider was not called

    outage.healthy = True
    await asyncio.sleep(0.25)
    result = await payments.authorize(reference="o-3", amount=AMOUNT, token="t")
    assert result.outcome is PaymentOutcome.APPROVED
    assert outage.calls == 4  # the probe reached the provider
    assert await payments.circuit_state() == "closed"


async def test_a_failed_probe_opens_the_circuit_again() -> None:
    outage = Outage()
    payments = gateway(outage, threshold=2, reset=0.1)
    with pytest.raises(PaymentUnavailable):
        await payments.authorize(reference="o-1", amount=AMOUNT, token="t")
    await asyncio.sleep(0.15)
    with pytest.raises(PaymentUnavailable):
        await payments.authorize(reference="o-2", amount=AMOUNT, token="t")
    assert await payments.circuit_state() == "opened"


NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
SECRET = "webhook-secret"
BODY = b'{"type": "payment.authorized"}'


def test_a_signature_made_with_the_secret_verifies() -> None:
    verify(SECRET, BODY, sign(SECRET, BODY, at=NOW), now=NOW, tolerance=timedelta(minutes=5))


@pytest.mark.parametrize(
    ("body", "header", "problem"),
    [
        (BODY + b" ", sign(SECRET, BODY, at=NOW), "does not match"),
        (BODY, sign("another secret", BODY, at=NOW), "does not match"),
        (BODY, sign(SECRET, BODY, at=NOW - timedelta(minutes=6)), "old"),
        (BODY, None, "missing"),
        (BODY, "v1=abc", "not `t="),
    ],
    ids=["tampered body", "wrong secret", "stale", "missing", "malformed"],
)
def test_tampered_stale_or_missing_signatures_are_refused(
    body: bytes, header: str | None, problem: str
) -> None:
    with pytest.raises(InvalidSignature, match=problem):
        verify(SECRET, body, header, now=NOW, tolerance=timedelta(minutes=5))
