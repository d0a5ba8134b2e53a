"""The handler registry: every command type and the handler it goes to, one function per
context. Together they are the whole map from what can be asked to the code that does it."""

from functools import partial
from typing import Any

from application.catalog import handlers as catalog
from application.catalog.commands import (
    AddProductImage,
    ArchiveProduct,
    ChangePrice,
    ChangeProductDetails,
    CreateCategory,
    CreateProduct,
    ImportProducts,
    MoveCategory,
    PublishProduct,
)
from application.catalog.handlers import CatalogDeps
from application.identity import account_handlers, api_keys, session_handlers
from application.identity.api_keys import ApiKeyDeps, CreateApiKey, RevokeApiKey
from application.identity.commands import (
    ChangePassword,
    CreateAdmin,
    DeactivateUser,
    GrantRole,
    LogIn,
    LogOut,
    ProvisionAccount,
    ReactivateUser,
    RefreshSession,
    RegisterUser,
    RevokeRole,
    UpdateProfile,
)
from application.identity.dependencies import IdentityDeps
from application.inventory import handlers as inventory
from application.inventory.commands import (
    AdjustStock,
    CommitReservations,
    ExpireReservations,
    KeepReservations,
    ReceiveStock,
    ReleaseReservations,
    ReserveStock,
)
from application.inventory.handlers import InventoryDeps
from application.notifications import webhooks
from application.notifications.webhooks import (
    DeactivateWebhook,
    RedeliverWebhook,
    RegisterWebhook,
    WebhookDeps,
)
from application.ordering import cart_handlers, order_handlers, payment_webhook
from application.ordering.commands import (
    CancelOrder,
    CheckOut,
    ClearCart,
    HandlePaymentWebhook,
    MarkDelivered,
    RefundOrder,
    RemoveCartLine,
    SetCartLine,
    ShipOrder,
)
from application.ordering.dependencies import OrderingDeps
from application.shared.bus import Command, Handler


def identity_handlers(deps: IdentityDeps) -> dict[type[Command[Any]], Handler]:
    """Command type -> handler, for the identity context."""
    return {
        RegisterUser: partial(account_handlers.register_user, deps=deps),
        CreateAdmin: partial(account_handlers.create_admin, deps=deps),
        ProvisionAccount: partial(account_handlers.provision_account, deps=deps),
        UpdateProfile: partial(account_handlers.update_profile, deps=deps),
        ChangePassword: partial(account_handlers.change_password, deps=deps),
        GrantRole: partial(account_handlers.grant_role, deps=deps),
        RevokeRole: partial(account_handlers.revoke_role, deps=deps),
        DeactivateUser: partial(account_handlers.deactivate_user, deps=deps),
        ReactivateUser: partial(account_handlers.reactivate_user, deps=deps),
        LogIn: partial(session_handlers.log_in, deps=deps),
        RefreshSession: partial(session_handlers.refresh_session, deps=deps),
        LogOut: partial(session_handlers.log_out, deps=deps),
    }


def api_key_handlers(deps: ApiKeyDeps) -> dict[type[Command[Any]], Handler]:
    """Command type -> handler, for machine credentials (identity context)."""
    return {
        CreateApiKey: partial(api_keys.create_api_key, deps=deps),
        RevokeApiKey: partial(api_keys.revoke_api_key, deps=deps),
    }


def webhook_handlers(deps: WebhookDeps) -> dict[type[Command[Any]], Handler]:
    """Command type -> handler, for outbound webhooks (notifications context)."""
    return {
        RegisterWebhook: partial(webhooks.register_webhook, deps=deps),
        DeactivateWebhook: partial(webhooks.deactivate_webhook, deps=deps),
        RedeliverWebhook: partial(webhooks.redeliver_webhook, deps=deps),
    }


def inventory_handlers(deps: InventoryDeps) -> dict[type[Command[Any]], Handler]:
    """Command type -> handler, for the inventory context."""
    return {
        ReceiveStock: partial(inventory.receive_stock, deps=deps),
        AdjustStock: partial(inventory.adjust_stock, deps=deps),
        ReserveStock: partial(inventory.reserve_stock, deps=deps),
        ReleaseReservations: partial(inventory.release_reservations, deps=deps),
        CommitReservations: partial(inventory.commit_reservations, deps=deps),
        KeepReservations: partial(inventory.keep_reservations, deps=deps),
        ExpireReservations: partial(inventory.expire_reservations, deps=deps),
    }


def catalog_handlers(deps: CatalogDeps) -> dict[type[Command[Any]], Handler]:
    """Command type -> handler, for the catalog context."""
    return {
        CreateProduct: partial(catalog.create_product, deps=deps),
        ChangeProductDetails: partial(catalog.change_product_details, deps=deps),
        ChangePrice: partial(catalog.change_price, deps=deps),
        PublishProduct: partial(catalog.publish_product, deps=deps),
        ArchiveProduct: partial(catalog.archive_product, deps=deps),
        AddProductImage: partial(catalog.add_product_image, deps=deps),
        CreateCategory: partial(catalog.create_category, deps=deps),
        MoveCategory: partial(catalog.move_category, deps=deps),
        ImportProducts: partial(catalog.import_products, deps=deps),
    }


def ordering_handlers(deps: OrderingDeps) -> dict[type[Command[Any]], Handler]:
    """Command type -> handler, for the ordering context (cart, checkout, orders)."""
    return {
        SetCartLine: partial(cart_handlers.set_cart_line, deps=deps),
        RemoveCartLine: partial(cart_handlers.remove_cart_line, deps=deps),
        ClearCart: partial(cart_handlers.clear_cart, deps=deps),
        CheckOut: partial(order_handlers.check_out, deps=deps),
        CancelOrder: partial(order_handlers.cancel_order, deps=deps),
        ShipOrder: partial(order_handlers.ship_order, deps=deps),
        MarkDelivered: partial(order_handlers.mark_delivered, deps=deps),
        RefundOrder: partial(order_handlers.refund_order, deps=deps),
        HandlePaymentWebhook: partial(payment_webhook.handle_payment_webhook, deps=deps),
    }
