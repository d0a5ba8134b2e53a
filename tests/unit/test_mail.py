"""Mail without a server: each template fills in (HTML escaped, text plain, subject one line),
a message has both bodies and a stable Message-ID, and account mail forgets its link once it
is sent."""

import uuid
from datetime import timedelta

import pytest

from domain.notifications.mail import Mail
from domain.notifications.values import Attempt, DeliveryStatus, RetryPolicy
from infrastructure.eventlog.registry import to_json_value
from infrastructure.mail.templates import JinjaMailRenderer
from infrastructure.mail.transports import message_of, sender_domain
from tests.support.orders import NOW, placed

RENDERER = JinjaMailRenderer()
POLICY = RetryPolicy(max_attempts=2, backoff_seconds=1)


def account_mail(link: str = "https://shop.example/reset?token=abc") -> Mail:
    return Mail.queue(
        id=uuid.uuid4(),
        event_id=None,
        template="password_reset",
        recipient="ada@example.com",
        context={"link": link},
        domain="shop.example",
        now=NOW,
    )


def test_an_order_confirmation_escapes_html_and_keeps_text_plain() -> None:
    [event] = placed(guest=True).collect_events()
    payload = to_json_value(event)
    payload["shipping_address"]["name"] = "<b>Ada</b> & Co"
    order_id = payload["order_id"]
    rendered = RENDERER.render(
        "order_placed", {"kind": "OrderPlaced", "order_id": order_id, "event": payload}
    )
    assert rendered.subject == f"Your order {order_id[:8]} is confirmed"
    assert "&lt;b&gt;Ada&lt;/b&gt; &amp; Co" in rendered.html
    assert "<b>Ada</b> & Co" in rendered.text
    assert "Total: 20.00 EUR" in rendered.text


@pytest.mark.parametrize("template", ["email_verification", "password_reset"])
def test_account_mail_carries_its_link_in_both_bodies(template: str) -> None:
    link = "https://shop.example/page?token=a-b_c"
    rendered = RENDERER.render(template, {"link": link})
    assert link in rendered.text
    assert 'href="https://shop.example/page?token=a-b_c"' in rendered.html
    assert "\n" not in rendered.subject


def test_a_message_has_both_bodies_and_the_mail_s_message_id() -> None:
    mail = account_mail()
    message = message_of(mail, RENDERER.render(mail.template, mail.context), sender="S <s@x.y>")
    assert message["Message-ID"] == f"<{mail.id.hex}@shop.example>"
    assert message.get_content_type() == "multipart/alternative"
    assert message.get_body(preferencelist=("plain",)) is not None
    assert message.get_body(preferencelist=("html",)) is not None


def test_account_mail_forgets_its_link_once_sent_and_order_mail_keeps_its_context() -> None:
    mail = account_mail()
    mail.record(Attempt(status_code=None, error="down"), now=NOW, policy=POLICY, jitter=1.0)
    assert mail.status is DeliveryStatus.PENDING
    assert mail.context  # still needed for the next try
    assert mail.next_attempt_at == NOW + timedelta(seconds=1)
    mail.record(Attempt(status_code=250), now=NOW, policy=POLICY, jitter=1.0)
    assert (mail.status, mail.attempts, mail.context) == (DeliveryStatus.DELIVERED, 2, {})

    order_mail = account_mail()
    order_mail.event_id = uuid.uuid4()
    for _ in range(2):
        order_mail.record(Attempt(status_code=None, error="x"), now=NOW, policy=POLICY, jitter=1)
    assert order_mail.status is DeliveryStatus.FAILED
    assert order_mail.context


def test_the_message_id_domain_is_the_sender_s() -> None:
    assert sender_domain("Shop <orders@shop.example>") == "shop.example"
    assert sender_domain("not an address") == "agora.localhost"
