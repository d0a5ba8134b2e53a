"""A simulated payment provider: outcomes by card token, configurable latency and failure rate,
charges kept by reference (asked again, a reference already charged answers with its charge,
looked up before the token; declined once voided, or for another amount); captures and
refunds kept by their own references (one per reference, refunds never beyond what was captured,
an authorisation marked expired refuses its capture). Tokens:
`tok_approve`, `tok_decline`, `tok_timeout` (never answers), `tok_flaky` (fails twice, the
first after charging), `tok_pending` (webhook later); others pass."""

import asyncio
import random
import uuid
from dataclasses import dataclass, field

from application.ordering.ports import PaymentOutcome, PaymentResult
from domain.ordering.errors import AuthorisationExpired
from domain.shared.money import Money


class ProviderError(Exception):
    """The provider failed to answer properly (a 5xx, a reset connection)."""


@dataclass
class Charge:
    """Money taken under a reference, and whether it was since refunded or voided."""

    reference: str
    payment_reference: str
    amount: Money
    refunded: bool = False  # all that was captured went back
    voided: bool = False
    expired: bool = False  # the authorisation lapsed before it was captured
    captured: Money | None = None
    refunded_total: Money | None = None


@dataclass
class SimulatedProvider:
    """A PaymentProvider whose answers the card token decides; it stands in for a real one."""

    latency_seconds: float = 0.0
    failure_rate: float = 0.0
    charges: dict[str, Charge] = field(default_factory=dict)
    refunds: dict[str, str] = field(default_factory=dict)
    captures: dict[str, str] = field(default_factory=dict)
    refund_log: list[tuple[str, Money]] = field(default_factory=list)  # each refund made, once
    attempts: dict[str, int] = field(default_factory=dict)
    refund_attempts: dict[str, int] = field(default_factory=dict)
    _random: random.Random = field(default_factory=lambda: random.Random(7))  # noqa: S311

    async def authorize(self, *, reference: str, amount: Money, token: str) -> PaymentResult:
        self.attempts[reference] = attempt = self.attempts.get(reference, 0) + 1
        behaviour = token.removeprefix("tok_")
        await asyncio.sleep(self.latency_seconds)
        if behaviour == "timeout":
            await asyncio.sleep(3600)  # the caller's timeout ends this
        if behaviour == "flaky" and attempt <= 2:
            if attempt == 1:
                self._charge(reference, amount)  # charged, but the answer never arrives
            raise ProviderError(f"provider error on attempt {attempt}")
        if self.failure_rate and self._random.random() < self.failure_rate:
            raise ProviderError("simulated provider failure")
        charged = self.charges.get(reference)
        if charged is not None:
            # Asked again (a retry, a crash replayed): the charge made under the reference is
            # the answer, looked up before the card, which may have been forgotten since; a
            # voided charge takes no money, and the reference names one amount.
            return _answer_again(charged, amount)
        if behaviour == "decline" or not token:
            return PaymentResult(outcome=PaymentOutcome.DECLINED, reason="card declined")
        if behaviour == "pending":
            return PaymentResult(outcome=PaymentOutcome.PENDING)
        charge = self._charge(reference, amount)
        return PaymentResult(
            outcome=PaymentOutcome.APPROVED, payment_reference=charge.payment_reference
        )

    async def capture(self, *, reference: str, payment_reference: str, amount: Money) -> str:
        await asyncio.sleep(self.latency_seconds)
        if reference in self.captures:
            return self.captures[reference]
        charge = self._by_payment(payment_reference)
        if charge.voided or charge.expired:
            raise AuthorisationExpired(
                f"the authorisation {payment_reference} was "
                + ("voided" if charge.voided else "not captured in time")
            )
        if amount.amount > charge.amount.amount:
            raise ValueError(f"a capture of {amount} exceeds the {charge.amount} authorised")
        charge.captured = amount
        self.captures[reference] = f"cap_{uuid.uuid4().hex[:16]}"
        return self.captures[reference]

    async def refund(self, *, reference: str, payment_reference: str, amount: Money) -> str:
        self.refund_attempts[reference] = self.refund_attempts.get(reference, 0) + 1
        await asyncio.sleep(self.latency_seconds)
        if reference not in self.refunds:
            charge = self._by_payment(payment_reference)
            captured = charge.captured or Money.zero(amount.currency)
            before = charge.refunded_total or Money.zero(amount.currency)
            if before.amount + amount.amount > captured.amount:
                raise ValueError(f"refunds of {payment_reference} would exceed {captured}")
            charge.refunded_total = Money(before.amount + amount.amount, amount.currency)
            charge.refunded = charge.refunded_total == captured
            self.refunds[reference] = f"re_{uuid.uuid4().hex[:16]}"
            self.refund_log.append((reference, amount))
        return self.refunds[reference]

    async def void(self, *, reference: str) -> None:
        await asyncio.sleep(self.latency_seconds)
        charge = self.charges.get(reference)
        if charge is not None and charge.captured is None:
            charge.voided = True

    def expire(self, reference: str) -> None:
        """The authorisation under `reference` lapses, as a provider's do after some days."""
        self.charges[reference].expired = True

    def _by_payment(self, payment_reference: str) -> Charge:
        for charge in self.charges.values():
            if charge.payment_reference == payment_reference:
                return charge
        raise ValueError(f"no payment {payment_reference}")

    def _charge(self, reference: str, amount: Money) -> Charge:
        if reference not in self.charges:  # the idempotency key: one charge per reference
            self.charges[reference] = Charge(
                reference=reference, payment_reference=f"pay_{uuid.uuid4().hex[:16]}", amount=amount
            )
        return self.charges[reference]


def _answer_again(charged: Charge, amount: Money) -> PaymentResult:
    if charged.voided:
        return PaymentResult(outcome=PaymentOutcome.DECLINED, reason="the charge was voided")
    if charged.amount != amount:
        return PaymentResult(
            outcome=PaymentOutcome.DECLINED,
            reason="another amount was charged under this reference",
        )
    return PaymentResult(
        outcome=PaymentOutcome.APPROVED, payment_reference=charged.payment_reference
    )
