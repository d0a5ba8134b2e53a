"""Demo accounts, created idempotently in demo mode (`AGORA_DEMO=true`, which `make run` sets)."""

from dataclasses import dataclass
from uuid import UUID

from api.services import ApiServices
from application.catalog.commands import CreateCategory, CreateProduct, PublishProduct
from application.catalog.views import ProductSearch
from application.gift_cards.commands import IssueGiftCard
from application.identity.commands import ProvisionAccount
from application.inventory.commands import ReceiveStock
from domain.identity.values import Role

DEMO_PASSWORD = "agora-demo-2026"  # noqa: S105 - published on purpose; refused in production
# A gift card code published in the README, for the walkthrough; demo mode only, like the
# passwords. Every other card's code is random and shown once.
DEMO_GIFT_CARD_CODE = "AGRA-DEMS-GFTS-2345"
DEMO_GIFT_CARD_VALUE = ("50.00", "EUR")


@dataclass(frozen=True)
class DemoAccount:
    """An account seeded with DEMO_PASSWORD, and its roles."""

    email: str
    full_name: str
    roles: frozenset[Role]


DEMO_ACCOUNTS = (
    DemoAccount("admin@agora.example.com", "Ada Admin", frozenset({Role.ADMIN})),
    DemoAccount("staff@agora.example.com", "Sam Staff", frozenset({Role.STAFF})),
    DemoAccount("customer@agora.example.com", "Cleo Customer", frozenset({Role.CUSTOMER})),
)


DEMO_CATEGORIES = ("Kitchen", "Garden")
# A table, one product per row: kept as written, not as the formatter would spread it.
# fmt: off
DEMO_PRODUCTS = (
    # sku, name, description, price, category, attributes, units in stock
    ("MUG-BLUE-350", "Blue ceramic mug", "A 350 ml stoneware mug.", "12.50", "Kitchen",
     {"color": "blue", "volume_ml": 350}, 40),
    ("MUG-RED-350", "Red ceramic mug", "A 350 ml stoneware mug.", "12.50", "Kitchen",
     {"color": "red", "volume_ml": 350}, 25),
    ("TEAPOT-1L", "Cast-iron teapot", "One litre, enamelled inside.", "39.00", "Kitchen",
     {"color": "black", "volume_ml": 1000}, 10),
    ("KNIFE-CHEF-20", "Chef knife, 20 cm", "Stainless steel blade.", "49.90", "Kitchen",
     {"material": "steel"}, 15),
    ("HOSE-25M", "Garden hose, 25 m", "Kink-resistant.", "29.00", "Garden",
     {"length_m": 25}, 8),
    ("SHEARS-PRUNING", "Pruning shears", "For branches up to 2 cm.", "18.00", "Garden",
     {"material": "steel"}, 0),
)
# fmt: on


async def seed_demo(services: ApiServices) -> None:
    """Demo accounts, and on an empty catalog a few categories, products and stock, all through
    the commands anyone else would send."""
    bus = services.bus
    accounts = {}
    for account in DEMO_ACCOUNTS:
        accounts[account.email] = await bus.handle(
            ProvisionAccount(
                email=account.email,
                password=DEMO_PASSWORD,
                full_name=account.full_name,
                roles=account.roles,
            )
        )
    await seed_demo_gift_card(services, issued_by=accounts["staff@agora.example.com"].id)
    if (await services.catalog.search(ProductSearch(limit=1, include_all=True))).items:
        return  # the catalog has been seeded (or is in real use): leave it alone
    categories = {
        name: (await bus.handle(CreateCategory(name=name))).id for name in DEMO_CATEGORIES
    }
    for sku, name, description, price, category, attributes, stock in DEMO_PRODUCTS:
        product = await bus.handle(
            CreateProduct(
                sku=sku,
                name=name,
                description=description,
                amount=price,
                currency="EUR",
                category_id=categories[category],
                attributes=attributes,
            )
        )
        await bus.handle(PublishProduct(product_id=product.id))
        if stock:
            await bus.handle(ReceiveStock(sku=sku, quantity=stock, actor_id=None))


async def seed_demo_gift_card(services: ApiServices, *, issued_by: UUID) -> None:
    """The demo gift card with its published code, issued once: while the shop has no gift
    card at all (a shop in real use, or seeded before, is left alone)."""
    if (await services.gift_cards.page(limit=1, cursor=None)).items:
        return
    amount, currency = DEMO_GIFT_CARD_VALUE
    await services.bus.handle(
        IssueGiftCard(
            amount=amount,
            currency=currency,
            note="The demo card: its code is published in the README",
            actor_id=issued_by,
            code=DEMO_GIFT_CARD_CODE,
        )
    )


def demo_notice() -> str:
    """The demo accounts as Markdown, for the top of Swagger UI and ReDoc in demo mode."""
    rows = [f"| `{a.email}` | {', '.join(sorted(a.roles))} |" for a in DEMO_ACCOUNTS]
    return "\n".join(
        [
            f"**Demo mode.** Every demo account's password is `{DEMO_PASSWORD}`:",
            "",
            "| username | roles |",
            "| --- | --- |",
            *rows,
            "",
            "To buy: *Authorize* as the customer, `PUT /api/v1/cart/lines/{sku}` (the example "
            "SKU is a demo mug), then `POST /api/v1/checkout` with the example body "
            "(`payment_token` `tok_approve` is approved). The page fills `Idempotency-Key` "
            "with a fresh value each time it loads: sending the checkout again from the same "
            "page answers the first order again (`Idempotent-Replayed: true`); reload the page "
            "to buy again.",
            "",
            f"The demo gift card's code is `{DEMO_GIFT_CARD_CODE}` (a demo secret): "
            "`POST /api/v1/gift-cards/balance` with it shows what it holds.",
        ]
    )


def demo_banner() -> str:
    lines = [f"Demo accounts (password for all: {DEMO_PASSWORD}):"]
    lines += [f"  {a.email:<30} {', '.join(sorted(a.roles))}" for a in DEMO_ACCOUNTS]
    lines += [
        "Simulated payment tokens for checkout: tok_approve, tok_decline, tok_timeout,",
        "  tok_flaky (fails twice, then approves), tok_pending (settled by the webhook)",
        f"Demo gift card (a demo secret): {DEMO_GIFT_CARD_CODE}",
    ]
    return "\n".join(lines)
