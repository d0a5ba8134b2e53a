"""Order mail through the whole shop: a customer checks out, the worker in-process (the order
mailer and the mail sender) mails the confirmation and the receipt to the account's email,
since the checkout gave none, through a real SMTP server."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.identity.values import Role
from infrastructure.notifications.tables import order_contacts
from tests.support.mail import Inbox, bodies
from tests.support.shop import OrderingShopFactory

CUSTOMER = "mailed-customer@example.com"


async def test_a_checkout_is_confirmed_and_its_payment_acknowledged_by_mail(
    ordering_shop_factory: OrderingShopFactory, inbox: Inbox, engine: AsyncEngine
) -> None:
    mail = {"backend": "smtp", "url": inbox.url, "poll_seconds": 0.1}
    async with ordering_shop_factory(mail=mail) as shop:
        customer = await shop.account(CUSTOMER, Role.CUSTOMER)
        teapot = await shop.stocked_product(3, price="12.50")
        await shop.fill_cart(customer, teapot["sku"], 2)
        placed = await shop.check_out(customer)
        assert placed.status_code in (201, 202), placed.text
        order_id = placed.json()["id"]
        await shop.wait_status(customer, order_id, "paid")
        found = await inbox.wait_for(2, recipient=CUSTOMER)
    subjects = sorted(str(m["Subject"]) for m in found)
    assert subjects == [
        f"Payment received for order {order_id[:8]}",
        f"Your order {order_id[:8]} is confirmed",
    ]
    confirmation = next(m for m in found if "confirmed" in str(m["Subject"]))
    text, html = bodies(confirmation)
    assert "2 x Teapot" in text
    assert "25.00 EUR" in text
    assert "Teapot" in html
    async with engine.connect() as conn:
        [contact] = (await conn.execute(select(order_contacts))).all()
    assert contact.email == CUSTOMER
