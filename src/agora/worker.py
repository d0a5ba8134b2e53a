"""The worker: every context's event-log subscribers, the Kafka relay and consumers, and the
periodic jobs (commands sent through the bus every few seconds). It runs alone (`agora worker`)
or inside the API (`agora serve --with-worker`); however many copies run, each subscriber is
active in one, and every job is safe in several at once."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

from agora.platform import Job, Platform, Wiring
from agora.settings import Settings
from infrastructure.db.engine import asyncpg_dsn
from infrastructure.eventlog.monitoring import subscription_statuses
from infrastructure.eventlog.subscribers import Subscriber
from infrastructure.eventlog.subscriptions import RunnerConfig, SubscriptionRunner
from infrastructure.kafka.consumer import KafkaConsumerRunner
from infrastructure.kafka.relay import KafkaRelay
from infrastructure.telemetry.metrics import SubscriptionCollector, register

log = logging.getLogger("agora.worker")


def subscribers(p: Platform, wirings: list[Wiring]) -> list[Subscriber]:
    """Every context's subscribers, and the relay when Kafka is configured."""
    found = [s for w in wirings for s in w.subscribers]
    kafka = p.settings.kafka
    if kafka.bootstrap_servers:
        found.append(
            KafkaRelay(
                bootstrap_servers=kafka.bootstrap_servers,
                registry=p.registry,
                client_id=f"{kafka.client_id}-relay",
                topic_prefix=kafka.topic_prefix,
                traced=p.tracing is not None,
            )
        )
    else:
        log.info("KAFKA_BOOTSTRAP_SERVERS is unset: the Kafka relay is off; events wait in the log")
    return found


def runner_config(settings: Settings) -> RunnerConfig:
    return RunnerConfig(
        batch_size=settings.worker.batch_size,
        poll_interval=settings.worker.poll_interval_seconds,
        max_attempts=settings.worker.max_attempts,
        max_in_flight=settings.worker.max_in_flight,
        checkpoint_interval=settings.worker.checkpoint_interval_seconds,
    )


@dataclass(frozen=True)
class RunningWorker:
    """The runners of one worker and their tasks."""

    runners: list[SubscriptionRunner]
    tasks: list["asyncio.Task[None]"]

    def alive(self) -> bool:
        """False once any runner has ended: the health check must then fail."""
        return all(not task.done() for task in self.tasks)


@asynccontextmanager
async def running_worker(p: Platform, wirings: list[Wiring]) -> AsyncIterator[RunningWorker]:
    """Start every runner, job and consumer in the background; stop them all on exit."""
    stop = asyncio.Event()
    dsn = asyncpg_dsn(p.engine.url.render_as_string(hide_password=False))
    runners = [
        SubscriptionRunner(s, engine=p.engine, dsn=dsn, config=runner_config(p.settings))
        for s in subscribers(p, wirings)
    ]
    tasks = [asyncio.create_task(r.run(stop), name=f"subscriber:{r.name}") for r in runners]
    loops: dict[str, Coroutine[Any, Any, None]] = {
        job.name: send_periodically(p, job, stop) for w in wirings for job in w.jobs
    }
    loops |= {f"consumer:{c.name}": keep_consuming(c, stop) for w in wirings for c in w.consumers}
    tasks += [asyncio.create_task(loop, name=name) for name, loop in loops.items()]
    for task in tasks:
        task.add_done_callback(partial(_report_exit, stop))
    unregister = None
    if p.settings.metrics.port is not None:  # the subscribers' standing, for /metrics
        collector = SubscriptionCollector(
            partial(subscription_statuses, p.engine), loop=asyncio.get_running_loop()
        )
        unregister = register(collector)
    try:
        yield RunningWorker(runners=runners, tasks=tasks)
    finally:
        if unregister is not None:
            unregister()
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        for runner in runners:
            close = getattr(runner.subscriber, "close", None)  # the relay owns a producer
            if close is not None:
                await close()


async def send_periodically(p: Platform, job: Job, stop: asyncio.Event) -> None:
    """Send the job's command every `job.every` seconds (at once again while it reports work,
    when `until_idle`), until stopped; a failure (a database outage) waits for the next round."""
    while not stop.is_set():
        try:
            while await p.bus.handle(job.command) and job.until_idle and not stop.is_set():
                pass
        except Exception:
            log.exception("periodic job failed", extra={"job": job.name})
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), job.every)


async def keep_consuming(consumer: KafkaConsumerRunner, stop: asyncio.Event) -> None:
    """Run a consumer until stopped; a broker that is down (at start or later) is waited out,
    so Kafka being away never takes the rest of the worker with it."""
    failures = 0
    while not stop.is_set():
        try:
            await consumer.run(stop)
        except Exception:
            failures += 1
            log.exception("consumer failed; restarting", extra={"consumer": consumer.name})
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), min(30.0, 0.5 * 2.0 ** min(failures, 6)))


def _report_exit(stop: asyncio.Event, task: "asyncio.Task[None]") -> None:
    """Runners end only when told to; anything else is a bug worth a loud log line."""
    if stop.is_set() or task.cancelled():
        return
    log.error(
        "subscriber runner ended unexpectedly",
        extra={"task": task.get_name(), "error": repr(task.exception())},
    )
