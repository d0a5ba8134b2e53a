"""The README's after-sale walkthrough against a running `make run`: the demo customer buys two
mugs, staff ship one, the customer returns it, staff receive it, the refund is issued from the
frozen breakdown, and the customer's mails are in the maildir. Exits non-zero, saying why.

Usage: python .ci/after_sale_check.py http://127.0.0.1:8000 MAILDIR"""

import mailbox
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx

PASSWORD = "agora-demo-2026"  # noqa: S105 (the demo accounts' published password)
SKU = "MUG-BLUE-350"
ADDRESS = {
    "name": "Ada Lovelace",
    "line1": "Unter den Linden 1",
    "city": "Berlin",
    "postal_code": "10117",
    "country": "DE",
}


class Failed(Exception):
    pass


def expect(response: httpx.Response, status: int, step: str) -> Any:
    if response.status_code != status:
        raise Failed(f"{step}: {response.status_code} {response.text[:500]}")
    return response.json() if response.content else None


def until(what: str, probe: Callable[[], Any], seconds: float = 30) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise Failed(f"{what} within {seconds:.0f} s")
        time.sleep(0.5)


def main(base: str, maildir: str) -> None:
    api = httpx.Client(base_url=f"{base}/api/v1", timeout=30)

    def login(who: str) -> dict[str, str]:
        token = expect(
            api.post(
                "/auth/token",
                data={"username": f"{who}@agora.example.com", "password": PASSWORD},
            ),
            200,
            f"{who} logs in",
        )["access_token"]
        return {"Authorization": f"Bearer {token}"}

    customer, staff = login("customer"), login("staff")
    expect(api.put(f"/cart/lines/{SKU}", json={"quantity": 2}, headers=customer), 200, "cart")
    order = expect(
        api.post(
            "/checkout",
            json={
                "shipping_address": ADDRESS,
                "shipping_method": "standard",
                "payment_token": "tok_approve",
            },
            headers={**customer, "Idempotency-Key": f"after-sale-{uuid.uuid4()}"},
        ),
        201,
        "checkout",
    )
    path = f"/orders/{order['id']}"

    def order_now() -> Any:
        return expect(api.get(path, headers=staff), 200, "read the order")

    def paid() -> bool:
        response = api.get(path, headers=staff)  # 404 until the read model has it
        return response.status_code == 200 and response.json()["status"] == "paid"

    until("the order is paid", paid)
    print(f"after-sale: order {order['id'][:8]} paid, {order_now()['captured_amount']} captured")

    parcel = expect(
        api.post(
            f"{path}/shipments",
            json={"lines": [{"sku": SKU, "quantity": 1}], "tracking_number": "1Z-HALF"},
            headers=staff,
        ),
        201,
        "ship one of the two mugs",
    )
    shipped = until(
        "the payment is captured when the first parcel leaves",
        lambda: (
            (now := order_now())["status"] == "partially_shipped"
            and now["captured_amount"]["amount"] != "0.00"
            and now
        ),
    )
    expect(api.post(f"{path}/shipments/{parcel['id']}/delivery", headers=staff), 200, "delivery")
    print(f"after-sale: one mug shipped and delivered, {shipped['captured_amount']} captured")

    rma = expect(
        api.post(
            f"{path}/returns",
            json={"lines": [{"sku": SKU, "quantity": 1, "reason": "chipped"}]},
            headers=customer,
        ),
        201,
        "the customer asks to return the mug",
    )
    expect(api.post(f"/returns/{rma['id']}/approval", headers=staff), 200, "approve")
    received = expect(
        api.post(
            f"/returns/{rma['id']}/receipt",
            json={"units": [{"sku": SKU, "quantity": 1, "disposition": "restock"}]},
            headers=staff,
        ),
        200,
        "receive",
    )
    refund = received["refund"]
    until(
        "the return is refunded",
        lambda: (
            expect(api.get(f"/returns/{rma['id']}", headers=staff), 200, "return")["status"]
            == "refunded"
        ),
    )
    final = order_now()
    if final["refunded_amount"] != refund:
        raise Failed(f"the order shows {final['refunded_amount']} refunded, not {refund}")
    print(f"after-sale: one mug returned and {refund['amount']} {refund['currency']} refunded")

    wanted = ("is confirmed", "Payment received", "is on its way", "return", "A refund of")

    def subjects() -> list[str] | None:
        mine = order["id"][:8]  # subjects name the order by its id's first characters
        found = [
            str(m["Subject"])
            for m in mailbox.Maildir(maildir, create=False)
            if mine in str(m["Subject"])
        ]
        return found if all(any(w in s for s in found) for w in wanted) else None

    got = until("the customer's five mails arrive in the maildir", subjects)
    print(f"after-sale: {len(got)} mails in {maildir}: {'; '.join(sorted(got))}")


if __name__ == "__main__":
    try:
        main(sys.argv[1], sys.argv[2])
    except Failed as failure:
        print(f"after-sale check failed: {failure}")
        sys.exit(1)
