"""Demo accounts, created idempotently in demo mode (`AGORA_DEMO=true`, which `make run` sets)."""

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from api.services import ApiServices
from application.catalog.commands import (
    AddVariant,
    CreateCategory,
    CreateProduct,
    PublishProduct,
)
from application.catalog.views import ProductSearch
from application.gift_cards.commands import IssueGiftCard
from application.identity.commands import ProvisionAccount
from application.inventory.commands import ReceiveStock
from application.promotions.commands import AddCoupon, CreatePromotion, PromotionSpec
from application.promotions.views import PromotionList
from application.shared.bus import CommandBus
from application.shipping.commands import CreateShippingMethod
from application.taxes.commands import CreateTaxCategory, CreateTaxRate, SetCurrencyTaxMode
from domain.identity.values import Role
from domain.shipping.values import Basis, MethodKind, TariffInput

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
    """Demo accounts; on an empty catalog a few categories, products and stock; on a shop
    without promotions a kitchen promotion and WELCOME10: all through the commands anyone else
    would send."""
    bus = services.bus
    staff: dict[Role, UUID] = {}
    for account in DEMO_ACCOUNTS:
        user = await bus.handle(
            ProvisionAccount(
                email=account.email,
                password=DEMO_PASSWORD,
                full_name=account.full_name,
                roles=account.roles,
            )
        )
        staff.update((role, user.id) for role in account.roles)
    await seed_demo_gift_card(services, issued_by=staff[Role.STAFF])
    if not (await services.taxes.categories(limit=1, cursor=None)).items:
        await seed_taxes_and_shipping(bus)
    if not (await services.catalog.search(ProductSearch(limit=1, include_all=True))).items:
        await seed_catalog(services)  # else seeded already (or in real use): left alone
    await seed_promotions(services, actor_id=staff[Role.STAFF])


async def seed_catalog(services: ApiServices) -> None:
    """A few categories, products and stock."""
    bus = services.bus
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
    await seed_tshirt(services)


DEMO_TSHIRT = "TEE-ORGANIC"  # sizes S (the default variant), M and L; the README's walkthrough


async def seed_tshirt(services: ApiServices) -> None:
    """A product in variants, each size its own SKU with its stock, priced in EUR and USD."""
    bus = services.bus
    prices = (("25.00", "EUR"), ("28.00", "USD"))
    product = await bus.handle(
        CreateProduct(
            sku=f"{DEMO_TSHIRT}-S",
            name="Organic T-shirt",
            description="Organic cotton, 180 g/m².",
            amount=prices[0][0],
            currency=prices[0][1],
            options=(("size", ("S", "M", "L")),),
            tax_category="standard",
        )
    )
    for size in ("M", "L"):
        product = await bus.handle(
            AddVariant(
                product_id=product.id,
                expected_version=product.version,
                sku=f"{DEMO_TSHIRT}-{size}",
                options={"size": size},
                prices=prices,
                weight_grams=200,
            )
        )
    await bus.handle(PublishProduct(product_id=product.id))
    for size in ("S", "M", "L"):
        await bus.handle(ReceiveStock(sku=f"{DEMO_TSHIRT}-{size}", quantity=20, actor_id=None))


DEMO_TAX_CATEGORIES = (
    ("standard", "Standard rate"),
    ("reduced", "Reduced rate"),
    ("zero", "Zero rate"),
)
# fmt: off
DEMO_TAX_RATES = (
    # country, region, category, rate, name
    ("DE", None, "standard", "19", "VAT"), ("DE", None, "reduced", "7", "VAT"),
    ("FR", None, "standard", "20", "VAT"), ("FR", None, "reduced", "5.5", "VAT"),
    ("GB", None, "standard", "20", "VAT"), ("GB", None, "zero", "0", "VAT"),
    ("US", "US-CA", "standard", "7.25", "Sales tax"),
    ("JP", None, "standard", "10", "Consumption tax"),
    ("JP", None, "reduced", "8", "Consumption tax"),
)
# fmt: on
# Shelf prices include tax where shoppers expect them to; in the US, tax is added at the till.
DEMO_TAX_MODES = (("EUR", True), ("GBP", True), ("JPY", True), ("USD", False))
DEMO_SHIPPING = (
    # code, name, kind, basis, EUR bands (from, price), free above
    (
        "standard",
        "Standard parcel",
        MethodKind.STANDARD,
        Basis.WEIGHT,
        (("0", "4.90"), ("2000", "6.90"), ("10000", "12.90")),
        "50.00",
    ),
    (
        "express",
        "Express, next working day",
        MethodKind.EXPRESS,
        Basis.ORDER_VALUE,
        (("0", "14.90"), ("100", "9.90")),
        None,
    ),
    ("pickup", "Pick up in the shop", MethodKind.PICKUP, Basis.ORDER_VALUE, (("0", "0"),), None),
)


async def seed_taxes_and_shipping(bus: CommandBus) -> None:
    """Tax rates of a few countries, the currencies' modes, and three ways to ship to
    Germany, France and Austria, in euros."""
    for code, name in DEMO_TAX_CATEGORIES:
        await bus.handle(CreateTaxCategory(code=code, name=name))
    for country, region, category, rate, name in DEMO_TAX_RATES:
        await bus.handle(
            CreateTaxRate(
                country=country, region=region, tax_category=category, rate=Decimal(rate), name=name
            )
        )
    for currency, inclusive in DEMO_TAX_MODES:
        await bus.handle(
            SetCurrencyTaxMode(
                currency=currency, prices_include_tax=inclusive, expected_version=None
            )
        )
    for code, name, kind, basis, bands, free_above in DEMO_SHIPPING:
        euros = TariffInput(
            currency="EUR",
            bands=tuple((Decimal(start), Decimal(price)) for start, price in bands),
            free_above=None if free_above is None else Decimal(free_above),
        )
        await bus.handle(
            CreateShippingMethod(
                code=code,
                name=name,
                kind=kind,
                basis=basis,
                countries=("DE", "FR", "AT"),
                tariffs=(euros,),
            )
        )


DEMO_COUPON = "WELCOME10"


async def seed_promotions(services: ApiServices, *, actor_id: UUID) -> None:
    """On a shop without promotions: 10 % off the kitchen for everyone, and the code
    WELCOME10 (10 % off the order, 1,000 uses, one per customer)."""
    if (await services.promotions.promotions(PromotionList(limit=1))).items:
        return  # promotions exist (seeded, or in real use): leave them alone
    bus = services.bus
    kitchen = [c.id for c in await services.catalog.categories() if c.name == "Kitchen"]
    if kitchen:
        spec = PromotionSpec(
            name="10 % off the kitchen",
            kind="percentage",
            target="categories",
            percent=Decimal(10),
            category_ids=tuple(kitchen),
            automatic=True,
        )
        await bus.handle(CreatePromotion(spec=spec, actor_id=actor_id))
    welcome = PromotionSpec(
        name="Welcome: 10 % off your first order",
        kind="percentage",
        target="order",
        percent=Decimal(10),
    )
    promotion = await bus.handle(CreatePromotion(spec=welcome, actor_id=actor_id))
    await bus.handle(
        AddCoupon(
            promotion_id=promotion.id,
            code=DEMO_COUPON,
            usage_limit=1000,
            per_customer_limit=1,
            actor_id=actor_id,
        )
    )


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
