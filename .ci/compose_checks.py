"""What `make compose-test` checks, through nginx on 127.0.0.1 only (ADR 0025): a purchase ends
paid, live updates reach streams on either replica, events reach Kafka, and the stack survives a
killed replica, a killed worker, restarted PostgreSQL and Redis, and `down` + `up`."""

import concurrent.futures
import json
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from compose_stack import DOCKER_DIR, Project, StackFailed, log, wait_for

from infrastructure.http.signatures import sign

CUSTOMER, PASSWORD = "customer@agora.example.com", "agora-demo-2026"
# The demo shop ships to DE, FR and AT, and a shop with shipping methods needs one chosen.
ADDRESS = {
    "name": "Ada Lovelace",
    "line1": "Unter den Linden 1",
    "city": "Berlin",
    "postal_code": "10117",
    "country": "DE",
}
SHIPPING_METHOD = "standard"
ORDER_TOPIC = "agora.ordering.events"


def demo_setting(name: str) -> str:
    for line in (DOCKER_DIR / "demo.env").read_text().splitlines():
        if line.startswith(f"{name}="):
            return line.split("=", 1)[1]
    raise StackFailed(f"{name} is not in docker/demo.env")


@dataclass
class Shop:
    """The stack as a client sees it: HTTP through the proxy's published port."""

    base: str

    def client(self, **kwargs: Any) -> httpx.Client:
        kwargs.setdefault("timeout", 15)
        return httpx.Client(base_url=self.base, **kwargs)

    def ready(self) -> bool:
        with self.client() as http:
            return http.get("/health/ready").status_code == 200

    def token(self, email: str = CUSTOMER) -> str:
        with self.client() as http:
            answer = http.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
        if answer.status_code != 200:
            raise StackFailed(f"login as {email}: {answer.status_code} {answer.text[:300]}")
        return str(answer.json()["access_token"])

    def buy(self, token: str, *, payment_token: str = "tok_approve") -> str:  # noqa: S107
        """The README's walkthrough: two mugs in the cart, then checkout; the order's id."""
        auth = {"Authorization": f"Bearer {token}"}
        with self.client(headers=auth) as http:
            cart = http.put("/api/v1/cart/lines/MUG-BLUE-350", json={"quantity": 2})
            if cart.status_code != 200:
                raise StackFailed(f"cart: {cart.status_code} {cart.text[:300]}")
            placed = http.post(
                "/api/v1/checkout",
                headers={"Idempotency-Key": str(uuid.uuid4())},
                json={
                    "shipping_address": ADDRESS,
                    "shipping_method": SHIPPING_METHOD,
                    "payment_token": payment_token,
                },
            )
        if placed.status_code != 201:
            raise StackFailed(f"checkout: {placed.status_code} {placed.text[:300]}")
        return str(placed.json()["id"])

    def order(self, token: str, order_id: str) -> dict[str, Any]:
        with self.client(headers={"Authorization": f"Bearer {token}"}) as http:
            answer = http.get(f"/api/v1/orders/{order_id}")
        if answer.status_code != 200:
            raise StackFailed(f"order {order_id}: {answer.status_code} {answer.text[:200]}")
        return dict(answer.json())

    def status(self, token: str, order_id: str) -> str | None:
        """The order's status; None while the order views (kept by the worker) lack it."""
        with self.client(headers={"Authorization": f"Bearer {token}"}) as http:
            answer = http.get(f"/api/v1/orders/{order_id}")
        if answer.status_code == 404:
            return None
        if answer.status_code != 200:
            raise StackFailed(f"order {order_id}: {answer.status_code} {answer.text[:200]}")
        return str(answer.json()["status"])

    def wait_paid(self, token: str, *order_ids: str, timeout: float = 60) -> None:
        for order_id in order_ids:

            def paid(order: str = order_id) -> bool:
                return self.status(token, order) == "paid"

            wait_for(f"order {order_id} to be paid", paid, timeout=timeout)


# --- the checks ----------------------------------------------------------------------------


def check_purchase(shop: Shop) -> str:
    token = shop.token()
    order_id = shop.buy(token)
    shop.wait_paid(token, order_id)
    log(f"ok: the README's purchase walkthrough ends paid (order {order_id})")
    return order_id


def check_image(project: Project, *, max_mb: int) -> None:
    image = project.engine.docker("image", "inspect", "agora:local", quiet=True).stdout
    details = json.loads(image)[0]
    size_mb = details["Size"] / 1_000_000
    if details["Config"]["User"] in ("", "root", "0"):
        raise StackFailed(f"agora:local runs as {details['Config']['User'] or 'root'}")
    for container in project.containers("api"):
        uid = project.engine.docker("exec", container, "id", "-u", quiet=True).stdout.strip()
        if uid == "0":
            raise StackFailed(f"an API replica runs as root ({container[:12]})")
        if project.state(container)["Health"]["Status"] != "healthy":
            raise StackFailed(f"an API replica is not healthy ({container[:12]})")
    if size_mb > max_mb:
        raise StackFailed(f"agora:local is {size_mb:.0f} MB, over the stated {max_mb} MB")
    log(
        f"ok: agora:local runs as {details['Config']['User']}, is healthy, {size_mb:.0f} MB "
        f"(limit {max_mb} MB)"
    )


def upstreams(project: Project, request_ids: list[str]) -> set[str]:
    """The API addresses the proxy's access log names for these request ids."""
    logs = project("logs", "--no-log-prefix", "proxy", quiet=True).stdout
    found = set()
    for line in logs.splitlines():
        rid = next((p[4:] for p in line.split() if p.startswith("rid=")), None)
        if rid in request_ids:
            found.add(next(p[9:] for p in line.split() if p.startswith("upstream=")))
    return found


def check_live_updates(shop: Shop, project: Project) -> str:
    """Four streams of one pending order (spread over both replicas by the proxy), then the
    provider's signed callback through the proxy: every stream gets the `paid` update."""
    token = shop.token()
    order_id = shop.buy(token, payment_token="tok_pending")  # noqa: S106
    wait_for(
        "the order to await payment",
        lambda: shop.order(token, order_id)["status"] == "awaiting_payment",
        timeout=60,
    )
    order = shop.order(token, order_id)
    request_ids = [f"stream-{n}-{uuid.uuid4().hex[:8]}" for n in range(4)]
    seen: dict[str, list[str]] = {rid: [] for rid in request_ids}
    opened = {rid: threading.Event() for rid in request_ids}

    def watch(rid: str) -> None:
        headers = {"Authorization": f"Bearer {token}", "X-Request-ID": rid}
        with (
            shop.client(timeout=httpx.Timeout(15, read=60)) as http,
            http.stream("GET", f"/api/v1/orders/{order_id}/stream", headers=headers) as stream,
        ):
            if stream.status_code != 200:
                raise StackFailed(f"stream {rid}: {stream.status_code} {stream.read()[:200]!r}")
            for line in stream.iter_lines():
                if line.startswith("data:"):
                    seen[rid].append(json.loads(line[5:])["status"])
                    opened[rid].set()  # the history so far has arrived: the stream is live
                    if seen[rid][-1] == "paid":
                        return

    with concurrent.futures.ThreadPoolExecutor(len(request_ids)) as pool:
        watchers = []
        # One after the other: the proxy round-robins new connections over the replicas.
        for rid in request_ids:
            watchers.append(pool.submit(watch, rid))
            if not opened[rid].wait(timeout=30):
                if watchers[-1].done():
                    watchers[-1].result()  # raises why the stream failed
                raise StackFailed(f"stream {rid} sent nothing within 30 s")
        total = order["total"]
        body = json.dumps(
            {
                "type": "payment.authorized",
                "data": {
                    "reference": order_id,
                    "payment_reference": f"pay_{order_id[:8]}",
                    "amount": total["amount"],
                    "currency": total["currency"],
                },
            }
        ).encode()
        signature = sign(demo_setting("PAYMENTS_WEBHOOK_SECRET"), body, at=datetime.now(UTC))
        with shop.client() as http:
            answer = http.post(
                "/api/v1/payments/webhook",
                content=body,
                headers={"Agora-Signature": signature, "Content-Type": "application/json"},
            )
        if answer.status_code >= 300:
            raise StackFailed(f"payment callback: {answer.status_code} {answer.text[:300]}")
        for watcher in concurrent.futures.as_completed(watchers, timeout=90):
            watcher.result()
    served_by = upstreams(project, request_ids)
    if len(served_by) < 2:
        raise StackFailed(f"the four streams were all served by {served_by}: not both replicas")
    log(f"ok: the paid update reached 4 streams on both replicas ({', '.join(sorted(served_by))})")
    return order_id


CONSUME = """
import asyncio, sys
from aiokafka import AIOKafkaConsumer
async def main():
    c = AIOKafkaConsumer(sys.argv[1], bootstrap_servers="kafka:9092", auto_offset_reset="earliest",
                         group_id="compose-test-" + sys.argv[2][:40], enable_auto_commit=False)
    await c.start()
    wanted, keys = set(sys.argv[2:]), set()
    try:
        async with asyncio.timeout(60):
            while not wanted <= keys:
                for batch in (await c.getmany(timeout_ms=1000)).values():
                    keys.update(m.key.decode() for m in batch if m.key)
    finally:
        await c.stop()
    print(len(keys))
asyncio.run(main())
"""


def check_kafka(project: Project, order_ids: list[str]) -> None:
    """A consumer group on the stack's network reads the orders' events off the topic."""
    keys = [f"order-{order_id}" for order_id in order_ids]  # the relay keys by stream id
    project(
        "run",
        "--rm",
        "--no-deps",
        "-T",
        "--entrypoint",
        "python",
        "worker",
        "-c",
        CONSUME,
        ORDER_TOPIC,
        *keys,
        quiet=True,
        timeout=120,
    )
    log(f"ok: events of {len(order_ids)} orders arrived on {ORDER_TOPIC}")


def check_replica_killed(shop: Shop, project: Project) -> None:
    """Requests run from 4 clients while one replica is killed: every request that was not in
    flight when it died is answered 2xx (the proxy skips the dead address)."""
    victim = project.containers("api")[0]
    results: list[tuple[float, float, int]] = []
    stop, kill_window = threading.Event(), [0.0, 0.0]

    def client() -> None:
        with shop.client() as http:
            while not stop.is_set():
                started = time.monotonic()
                try:
                    status = http.get("/api/v1/products", params={"q": "mug"}).status_code
                except httpx.HTTPError:
                    status = 0
                results.append((started, time.monotonic(), status))

    threads = [threading.Thread(target=client) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(3)
        kill_window[0] = time.monotonic()
        project.engine.docker("kill", victim, quiet=True)
        kill_window[1] = time.monotonic()
        time.sleep(12)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    in_flight = [r for r in results if r[0] <= kill_window[1] and r[1] >= kill_window[0]]
    lost = [r for r in results if r[2] != 200 and r not in in_flight]
    after = [r for r in results if r[0] > kill_window[1]]
    if lost or not after:
        raise StackFailed(
            f"{len(lost)} of {len(results)} requests failed outside the kill "
            f"({len(after)} after it)"
        )
    failed = sum(1 for r in in_flight if r[2] != 200)
    slowest = max(end - start for start, end, _ in after)
    log(
        f"ok: a replica killed under load: {len(results)} requests, {len(after)} after the kill, "
        f"none lost ({len(in_flight)} in flight at the kill, {failed} of them failed; the slowest "
        f"after it took {slowest:.1f} s)"
    )
    project.engine.docker("start", victim, quiet=True)
    project.wait_ready()


def check_worker_killed(shop: Shop, project: Project) -> None:
    """Orders placed while the worker is dead are all paid once it is started again."""
    worker = project.containers("worker")[0]
    project.engine.docker("kill", worker, quiet=True)
    token = shop.token()
    orders = [shop.buy(token) for _ in range(3)]
    time.sleep(2)
    unpaid = [o for o in orders if shop.status(token, o) != "paid"]
    project.engine.docker("start", worker, quiet=True)
    if not unpaid:
        raise StackFailed("every order was paid while the worker was dead: was it?")
    shop.wait_paid(token, *orders, timeout=90)
    log(
        f"ok: worker killed: {len(orders)} orders placed meanwhile ({len(unpaid)} still unpaid "
        "while it was down), all paid after it started again"
    )


def started_at(project: Project, service: str) -> set[str]:
    return {str(project.state(c)["StartedAt"]) for c in project.containers(service)}


def check_backends_restarted(shop: Shop, project: Project) -> None:
    """PostgreSQL and Redis restarted: Agora heals by itself (its containers are not
    restarted) and a purchase, a login and a live stream work again."""
    before = {s: started_at(project, s) for s in ("api", "worker")}
    project("restart", "-t", "10", "postgres", "redis", quiet=True, timeout=120)
    wait_for("the API to be ready again", shop.ready, timeout=90)
    check_purchase(shop)
    after = {s: started_at(project, s) for s in ("api", "worker")}
    if after != before:
        raise StackFailed("an Agora container was restarted along with PostgreSQL and Redis")
    log("ok: PostgreSQL and Redis restarted; Agora healed without a restart of its own")


def check_data_kept(shop: Shop, project: Project, order_ids: list[str]) -> None:
    project.down(volumes=False)
    project.up()
    project.wait_ready()
    token = shop.token()
    for order_id in order_ids:
        if shop.order(token, order_id)["status"] != "paid":
            raise StackFailed(f"order {order_id} is not paid after down + up")
    log(f"ok: down + up: {len(order_ids)} orders still there and paid (volumes kept)")


def check_all(shop: Shop, project: Project, *, short: bool, max_mb: int, passed: list[str]) -> None:
    """Runs the checks in order, naming each in `passed` as it passes (a failure raises)."""
    first = check_purchase(shop)
    passed.append("purchase")
    if short:
        return
    check_image(project, max_mb=max_mb)
    passed.append("image")
    pending = check_live_updates(shop, project)
    passed.append("live updates")
    check_kafka(project, [first, pending])
    passed.append("kafka")
    check_replica_killed(shop, project)
    passed.append("replica killed")
    check_worker_killed(shop, project)
    passed.append("worker killed")
    check_backends_restarted(shop, project)
    passed.append("postgres and redis restarted")
    check_data_kept(shop, project, [first, pending])
    passed.append("down and up")


__all__ = ["Shop", "check_all"]
