"""The simulated payment provider with its charge book in PostgreSQL, so that several worker
processes ask one provider, as they would a real one: a reference charged by a worker that was
killed since is answered with that charge in the next. Every charge made is a row of
`test_support.charges`, and every authorisation asked for a row of `test_support.asked` (each
with the process that asked), so a test counts charges and calls per reference."""

import os
from decimal import Decimal

import asyncpg

from application.ordering.ports import PaymentResult
from domain.shared.money import Money
from infrastructure.payments.simulated import Charge, SimulatedProvider

SCHEMA = (
    "CREATE SCHEMA IF NOT EXISTS test_support",
    "CREATE TABLE IF NOT EXISTS test_support.charges (reference text, payment_reference text,"
    " amount numeric, currency text, voided boolean DEFAULT false, pid int)",
    "CREATE TABLE IF NOT EXISTS test_support.asked (id bigserial, reference text, pid int)",
)


async def prepare_charge_book(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        for statement in SCHEMA:
            await conn.execute(statement)
    finally:
        await conn.close()


async def charges_by_reference(dsn: str) -> dict[str, list[int]]:
    """Each charged reference, with the process id of every charge made under it."""
    return await _pids_by_reference(dsn, "SELECT reference, pid FROM test_support.charges")


async def asked_by_reference(dsn: str) -> dict[str, list[int]]:
    """Each reference the provider was asked to authorise, with the process id of every call,
    in the order they came."""
    return await _pids_by_reference(
        dsn, "SELECT reference, pid FROM test_support.asked ORDER BY id"
    )


async def _pids_by_reference(dsn: str, query: str) -> dict[str, list[int]]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(query)
    finally:
        await conn.close()
    found: dict[str, list[int]] = {}
    for row in rows:
        found.setdefault(row["reference"], []).append(row["pid"])
    return found


class SharedBookProvider(SimulatedProvider):
    """The simulated provider, but each call reads and writes the shared book under a lock on
    the reference, so two processes asking at once see one charge."""

    def __init__(self, dsn: str, *, latency_seconds: float) -> None:
        super().__init__(latency_seconds=latency_seconds)
        self._dsn = dsn
        self._pool: asyncpg.Pool | None = None

    async def authorize(self, *, reference: str, amount: Money, token: str) -> PaymentResult:
        pool = await self._connected()
        await pool.execute(  # in its own commit: a call whose answer is lost still counts
            "INSERT INTO test_support.asked (reference, pid) VALUES ($1, $2)",
            reference,
            os.getpid(),
        )
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", reference)
            row = await conn.fetchrow(
                "SELECT payment_reference, amount, currency, voided FROM test_support.charges"
                " WHERE reference = $1 LIMIT 1",
                reference,
            )
            self.charges.pop(reference, None)
            if row is not None:
                self.charges[reference] = Charge(
                    reference=reference,
                    payment_reference=row["payment_reference"],
                    amount=Money.of(Decimal(row["amount"]), row["currency"]),
                    voided=row["voided"],
                )
            result = await super().authorize(reference=reference, amount=amount, token=token)
            charge = self.charges.get(reference)
            if row is None and charge is not None:
                await conn.execute(
                    "INSERT INTO test_support.charges"
                    " (reference, payment_reference, amount, currency, pid)"
                    " VALUES ($1, $2, $3, $4, $5)",
                    reference,
                    charge.payment_reference,
                    charge.amount.amount,
                    charge.amount.currency,
                    os.getpid(),
                )
            return result

    async def void(self, *, reference: str) -> None:
        await super().void(reference=reference)
        pool = await self._connected()
        await pool.execute(
            "UPDATE test_support.charges SET voided = true WHERE reference = $1", reference
        )

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()

    async def _connected(self) -> asyncpg.Pool:
        if self._pool is None:
            self._pool = await asyncpg.create_pool(self._dsn, min_size=1, max_size=20)
        return self._pool
