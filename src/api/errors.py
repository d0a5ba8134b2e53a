"""The one table that turns domain and application errors into problem+json responses."""

from dataclasses import asdict, dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.problems import PROBLEM_MEDIA_TYPE, http_problem, problem_body
from application.catalog.facets import InvalidFacets, InvalidOptionFilter
from application.ordering.ports import (
    CouponExpired,
    CouponNotApplicable,
    CouponUsedUp,
    FulfilmentBacklogged,
    GiftCardBalanceTooLow,
    GiftCardNotUsable,
    InvalidCallback,
    LiveUpdatesUnavailable,
    LocationLacksUnits,
    PaymentUnavailable,
    TooManyStreams,
    UnknownCoupon,
)
from application.reporting.views import InvalidPeriod
from application.shared import errors as shared
from application.shared import idempotency
from domain.catalog import errors as catalog
from domain.gift_cards import errors as gift_cards
from domain.identity import errors as identity
from domain.inventory import errors as inventory
from domain.notifications import errors as notifications
from domain.ordering import errors as ordering
from domain.promotions import errors as promotions
from domain.shared.errors import DomainError
from domain.shared.money import InvalidMoney
from domain.shared.sku import InvalidSku
from domain.shipping import errors as shipping
from domain.taxes import errors as taxes


@dataclass(frozen=True)
class ProblemSpec:
    """How one error is answered: its HTTP status, stable `code` and `title`."""

    status: int
    code: str
    title: str


ERROR_TABLE: dict[type[Exception], ProblemSpec] = {
    # the shared kernel
    InvalidSku: ProblemSpec(422, "invalid_sku", "Invalid SKU"),
    InvalidMoney: ProblemSpec(422, "invalid_money", "Invalid amount"),
    identity.InvalidEmail: ProblemSpec(422, "invalid_email", "Invalid email address"),
    identity.WeakPassword: ProblemSpec(422, "weak_password", "Password too weak"),
    identity.EmailAlreadyRegistered: ProblemSpec(409, "email_taken", "Email already registered"),
    identity.UserNotFound: ProblemSpec(404, "user_not_found", "User not found"),
    identity.AccountDeactivated: ProblemSpec(403, "account_deactivated", "Account deactivated"),
    identity.CannotChangeOwnAccess: ProblemSpec(
        409, "cannot_change_own_access", "Own access is protected"
    ),
    identity.WrongPassword: ProblemSpec(403, "wrong_password", "Wrong password"),
    identity.InvalidScopes: ProblemSpec(422, "invalid_scopes", "Invalid scopes"),
    identity.ApiKeyNotFound: ProblemSpec(404, "api_key_not_found", "API key not found"),
    identity.RoleNotGrantable: ProblemSpec(422, "role_not_grantable", "Role cannot be granted"),
    identity.InvalidPostalAddress: ProblemSpec(422, "invalid_postal_address", "Invalid address"),
    identity.AddressNotFound: ProblemSpec(404, "address_not_found", "Address not found"),
    identity.AddressBookFull: ProblemSpec(409, "address_book_full", "Address book full"),
    identity.EmailAlreadyVerified: ProblemSpec(
        409, "email_already_verified", "Email already verified"
    ),
    identity.VerificationTokenInvalid: ProblemSpec(
        400, "verification_token_invalid", "Invalid verification token"
    ),
    identity.VerificationTokenUsed: ProblemSpec(
        400, "verification_token_used", "Verification token already used"
    ),
    identity.VerificationTokenExpired: ProblemSpec(
        410, "verification_token_expired", "Verification token expired"
    ),
    identity.PasswordResetTokenInvalid: ProblemSpec(
        400, "password_reset_token_invalid", "Invalid password reset token"
    ),
    identity.PasswordResetTokenUsed: ProblemSpec(
        400, "password_reset_token_used", "Password reset token already used"
    ),
    identity.PasswordResetTokenExpired: ProblemSpec(
        410, "password_reset_token_expired", "Password reset token expired"
    ),
    catalog.InvalidProduct: ProblemSpec(422, "invalid_product", "Invalid product"),
    catalog.UnsupportedImage: ProblemSpec(415, "unsupported_image", "Unsupported image"),
    catalog.ImageTooLarge: ProblemSpec(413, "image_too_large", "Image too large"),
    catalog.ProductNotFound: ProblemSpec(404, "product_not_found", "Product not found"),
    catalog.SkuAlreadyUsed: ProblemSpec(409, "sku_taken", "SKU already used"),
    catalog.ProductArchived: ProblemSpec(409, "product_archived", "Product archived"),
    catalog.CategoryNotFound: ProblemSpec(404, "category_not_found", "Category not found"),
    catalog.CategoryCycle: ProblemSpec(409, "category_cycle", "Category cycle"),
    catalog.CategoryNameTaken: ProblemSpec(409, "category_name_taken", "Category name taken"),
    catalog.VariantNotFound: ProblemSpec(404, "variant_not_found", "Variant not found"),
    catalog.DuplicateVariant: ProblemSpec(409, "duplicate_variant", "Duplicate variant"),
    catalog.UnknownOptionValue: ProblemSpec(422, "unknown_option_value", "Unknown option value"),
    catalog.OptionValueInUse: ProblemSpec(409, "option_value_in_use", "Option value in use"),
    catalog.LastVariant: ProblemSpec(409, "last_variant", "Last variant"),
    catalog.InvalidAttributes: ProblemSpec(422, "invalid_attributes", "Invalid attributes"),
    catalog.ProductTypeNotFound: ProblemSpec(
        404, "product_type_not_found", "Product type not found"
    ),
    catalog.InvalidProductType: ProblemSpec(422, "invalid_product_type", "Invalid product type"),
    catalog.ProductTypeNameTaken: ProblemSpec(
        409, "product_type_name_taken", "Product type name taken"
    ),
    catalog.ProductTypeInUse: ProblemSpec(409, "product_type_in_use", "Product type in use"),
    catalog.IncompatibleSchemaChange: ProblemSpec(
        409, "incompatible_schema_change", "Schema change would break products"
    ),
    InvalidFacets: ProblemSpec(422, "invalid_facets", "Invalid facets"),
    InvalidOptionFilter: ProblemSpec(422, "invalid_option_filter", "Invalid option filter"),
    inventory.InvalidQuantity: ProblemSpec(422, "invalid_quantity", "Invalid quantity"),
    inventory.ReasonRequired: ProblemSpec(422, "reason_required", "Reason required"),
    inventory.UnknownSku: ProblemSpec(404, "unknown_sku", "Unknown SKU"),
    inventory.InsufficientStock: ProblemSpec(409, "insufficient_stock", "Insufficient stock"),
    inventory.ReservationExpired: ProblemSpec(409, "reservation_expired", "Reservation expired"),
    inventory.AdjustmentBelowReserved: ProblemSpec(
        409, "adjustment_below_reserved", "Adjustment below reserved stock"
    ),
    inventory.UnknownLocation: ProblemSpec(404, "unknown_location", "Unknown stock location"),
    inventory.LocationInactive: ProblemSpec(409, "location_inactive", "Stock location inactive"),
    inventory.LocationExists: ProblemSpec(409, "location_exists", "Stock location exists"),
    inventory.InvalidLocationCode: ProblemSpec(
        422, "invalid_location_code", "Invalid location code"
    ),
    inventory.BackorderLimitReached: ProblemSpec(
        409, "backorder_limit_reached", "Backorder limit reached"
    ),
    ordering.InvalidCartQuantity: ProblemSpec(
        422, "invalid_cart_quantity", "Invalid cart quantity"
    ),
    ordering.CartFull: ProblemSpec(409, "cart_full", "Cart full"),
    ordering.ProductUnavailable: ProblemSpec(409, "product_unavailable", "Product not for sale"),
    ordering.NotInCart: ProblemSpec(404, "not_in_cart", "Not in the cart"),
    ordering.UnknownProduct: ProblemSpec(404, "unknown_product", "Unknown product"),
    ordering.CartNeedsReview: ProblemSpec(409, "cart_needs_review", "Cart needs review"),
    ordering.EmptyOrder: ProblemSpec(409, "cart_empty", "Cart empty"),
    ordering.MixedCurrencies: ProblemSpec(422, "mixed_currencies", "Mixed currencies"),
    ordering.CurrencyMismatch: ProblemSpec(422, "currency_mismatch", "Currency mismatch"),
    ordering.ShippingNotOffered: ProblemSpec(
        422, "shipping_not_offered", "Shipping method not offered for this cart"
    ),
    ordering.InvalidAddress: ProblemSpec(422, "invalid_address", "Invalid address"),
    ordering.OrderNotFound: ProblemSpec(404, "order_not_found", "Order not found"),
    ordering.ReturnNotFound: ProblemSpec(404, "return_not_found", "Return not found"),
    ordering.ReturnWindowClosed: ProblemSpec(409, "return_window_closed", "Return window closed"),
    ordering.ReturnExceedsShipped: ProblemSpec(
        409, "return_exceeds_shipped", "More units than were shipped"
    ),
    ordering.InvalidReturn: ProblemSpec(422, "invalid_return", "Invalid return"),
    ordering.ReturnNotApproved: ProblemSpec(409, "return_not_approved", "Return not approved"),
    ordering.ReceiptExceedsReturn: ProblemSpec(
        422, "receipt_exceeds_return", "More units received than approved"
    ),
    ordering.UnknownLocation: ProblemSpec(422, "unknown_location", "Unknown stock location"),
    ordering.NotRefundable: ProblemSpec(409, "units_not_refundable", "Units not refundable"),
    ordering.IllegalTransition: ProblemSpec(
        409, "illegal_transition", "Not possible in this state"
    ),
    ordering.OrderNotPaid: ProblemSpec(409, "order_not_paid", "Order not paid"),
    ordering.OrderAlreadyShipped: ProblemSpec(
        409, "order_already_shipped", "Order already shipped"
    ),
    ordering.OrderNotShipped: ProblemSpec(409, "order_not_shipped", "Order not shipped"),
    ordering.OrderNotCancellable: ProblemSpec(
        409, "order_not_cancellable", "Order cannot be cancelled"
    ),
    ordering.OrderNotRefundable: ProblemSpec(
        409, "order_not_refundable", "Order cannot be refunded"
    ),
    ordering.OrderAlreadyRefunded: ProblemSpec(
        409, "order_already_refunded", "Order already refunded"
    ),
    ordering.NothingCaptured: ProblemSpec(409, "nothing_captured", "Nothing captured yet"),
    ordering.RefundExceedsCaptured: ProblemSpec(
        409, "refund_exceeds_captured", "Refund exceeds what was captured"
    ),
    ordering.PaymentNotCapturable: ProblemSpec(
        409, "payment_not_capturable", "Payment cannot be captured"
    ),
    ordering.AuthorisationExpired: ProblemSpec(
        409, "authorisation_expired", "Payment authorisation expired"
    ),
    ordering.PaymentMismatch: ProblemSpec(
        422, "payment_mismatch", "Payment does not match the order"
    ),
    ordering.ShippingMethodRequired: ProblemSpec(
        422, "shipping_method_required", "Shipping method required"
    ),
    ordering.PaymentTokenRequired: ProblemSpec(
        422, "payment_token_required", "Payment token required"
    ),
    ordering.EmailRequired: ProblemSpec(422, "email_required", "Email required"),
    ordering.EmailNotVerified: ProblemSpec(403, "email_not_verified", "Email not verified"),
    ordering.OrderNotClaimable: ProblemSpec(409, "order_not_claimable", "Order not claimable"),
    ordering.ShipmentExceedsOrder: ProblemSpec(
        409, "shipment_exceeds_order", "More units than the order has left to ship"
    ),
    ordering.NotInOrder: ProblemSpec(422, "not_in_order", "No line of the order holds this SKU"),
    ordering.EmptyShipment: ProblemSpec(422, "empty_shipment", "Empty shipment"),
    ordering.ShipmentNotFound: ProblemSpec(404, "shipment_not_found", "Shipment not found"),
    ordering.ShipmentConflict: ProblemSpec(
        409, "shipment_conflict", "Shipment recorded with other contents"
    ),
    LocationLacksUnits: ProblemSpec(
        409, "location_lacks_units", "The stock location does not hold these units"
    ),
    InvalidCallback: ProblemSpec(400, "invalid_webhook_payload", "Invalid webhook payload"),
    PaymentUnavailable: ProblemSpec(503, "payment_unavailable", "Payment provider unavailable"),
    FulfilmentBacklogged: ProblemSpec(
        503, "fulfilment_backlogged", "Too many orders waiting for fulfilment"
    ),
    LiveUpdatesUnavailable: ProblemSpec(
        503, "live_updates_unavailable", "Live updates unavailable"
    ),
    TooManyStreams: ProblemSpec(429, "too_many_streams", "Too many live streams"),
    notifications.InvalidSubscription: ProblemSpec(
        422, "invalid_subscription", "Invalid webhook subscription"
    ),
    notifications.UnsafeWebhookUrl: ProblemSpec(422, "unsafe_webhook_url", "Webhook URL refused"),
    notifications.WebhookNotFound: ProblemSpec(404, "webhook_not_found", "Webhook not found"),
    promotions.InvalidPromotion: ProblemSpec(422, "invalid_promotion", "Invalid promotion"),
    promotions.InvalidCoupon: ProblemSpec(422, "invalid_coupon", "Invalid coupon code"),
    promotions.PromotionNotFound: ProblemSpec(404, "promotion_not_found", "Promotion not found"),
    promotions.PromotionEnded: ProblemSpec(409, "promotion_ended", "Promotion ended"),
    promotions.CouponCodeTaken: ProblemSpec(409, "coupon_code_taken", "Coupon code taken"),
    promotions.CouponLimitReached: ProblemSpec(409, "coupon_limit_reached", "Coupon limit reached"),
    promotions.CouponNotLive: ProblemSpec(422, "coupon_not_live", "Coupon not live"),
    CouponNotApplicable: ProblemSpec(422, "coupon_not_applicable", "Coupon not applicable"),
    UnknownCoupon: ProblemSpec(422, "coupon_unknown", "Unknown coupon code"),
    CouponExpired: ProblemSpec(422, "coupon_expired", "Coupon expired"),
    CouponUsedUp: ProblemSpec(409, "coupon_used_up", "Coupon used up"),
    InvalidPeriod: ProblemSpec(400, "invalid_period", "Invalid report period"),
    taxes.InvalidTaxCategory: ProblemSpec(422, "invalid_tax_category", "Invalid tax category"),
    taxes.TaxCategoryExists: ProblemSpec(409, "tax_category_exists", "Tax category exists"),
    taxes.TaxCategoryNotFound: ProblemSpec(404, "tax_category_not_found", "Tax category not found"),
    taxes.TaxCategoryInUse: ProblemSpec(409, "tax_category_in_use", "Tax category in use"),
    taxes.InvalidTaxRate: ProblemSpec(422, "invalid_tax_rate", "Invalid tax rate"),
    taxes.UnknownTaxCategory: ProblemSpec(422, "unknown_tax_category", "Unknown tax category"),
    taxes.TaxRateExists: ProblemSpec(409, "tax_rate_exists", "Tax rate exists"),
    taxes.TaxRateNotFound: ProblemSpec(404, "tax_rate_not_found", "Tax rate not found"),
    taxes.InvalidCurrencyMode: ProblemSpec(422, "invalid_currency", "Invalid currency"),
    taxes.CurrencyModeNotFound: ProblemSpec(
        404, "currency_tax_mode_not_found", "No tax mode set for the currency"
    ),
    shipping.InvalidShippingMethod: ProblemSpec(
        422, "invalid_shipping_method", "Invalid shipping method"
    ),
    shipping.InvalidRateBands: ProblemSpec(422, "invalid_rate_bands", "Invalid rate bands"),
    shipping.ShippingMethodCodeTaken: ProblemSpec(
        409, "shipping_method_code_taken", "Shipping method code taken"
    ),
    shipping.ShippingMethodNotFound: ProblemSpec(
        404, "shipping_method_not_found", "Shipping method not found"
    ),
    gift_cards.InvalidGiftCard: ProblemSpec(422, "invalid_gift_card", "Invalid gift card"),
    gift_cards.GiftCardNotFound: ProblemSpec(404, "gift_card_not_found", "Gift card not found"),
    gift_cards.AdjustmentBelowZero: ProblemSpec(
        409, "gift_card_adjustment_below_zero", "Adjustment below zero"
    ),
    GiftCardNotUsable: ProblemSpec(422, "gift_card_not_usable", "Gift card not usable"),
    GiftCardBalanceTooLow: ProblemSpec(
        409, "gift_card_balance_too_low", "Gift card balance too low"
    ),
    shared.NotAuthenticated: ProblemSpec(401, "not_authenticated", "Not authenticated"),
    shared.PermissionDenied: ProblemSpec(403, "permission_denied", "Permission denied"),
    shared.TooManyAttempts: ProblemSpec(429, "too_many_requests", "Too many requests"),
    shared.Unavailable: ProblemSpec(503, "service_unavailable", "Service unavailable"),
    shared.DatabaseUnavailable: ProblemSpec(503, "database_unavailable", "Database unavailable"),
    shared.ConcurrencyConflict: ProblemSpec(409, "concurrent_update", "Concurrent update"),
    shared.PreconditionFailed: ProblemSpec(412, "precondition_failed", "Precondition failed"),
    shared.PreconditionRequired: ProblemSpec(428, "precondition_required", "Precondition required"),
    shared.InvalidCursor: ProblemSpec(400, "invalid_cursor", "Invalid cursor"),
    shared.InvalidSignature: ProblemSpec(401, "invalid_signature", "Invalid signature"),
    idempotency.IdempotencyKeyRequired: ProblemSpec(
        400, "idempotency_key_required", "Idempotency-Key required"
    ),
    idempotency.IdempotencyKeyInUse: ProblemSpec(
        409, "idempotency_key_in_use", "Request still running"
    ),
    idempotency.InvalidIdempotencyKey: ProblemSpec(
        400, "invalid_idempotency_key", "Invalid Idempotency-Key"
    ),
    idempotency.IdempotencyKeyReused: ProblemSpec(
        422, "idempotency_key_reused", "Idempotency-Key used for another request"
    ),
}


# The answer to a request whose parameters or body fail their schema.
VALIDATION_FAILED = ProblemSpec(422, "validation_failed", "Validation failed")


def spec_of(error: type[Exception]) -> ProblemSpec:
    """How an error of this class (or of its nearest listed base) is answered."""
    for cls in error.__mro__:
        if cls in ERROR_TABLE:
            return ERROR_TABLE[cls]
    raise LookupError(f"{error.__name__} has no entry in ERROR_TABLE")


def _problem(
    request: Request,
    spec: ProblemSpec,
    detail: str,
    *,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = problem_body(**asdict(spec), detail=detail, instance=request.url.path, errors=errors)
    return JSONResponse(
        body, status_code=spec.status, headers=headers, media_type=PROBLEM_MEDIA_TYPE
    )


async def _handle_known(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError | shared.ApplicationError)
    headers: dict[str, str] = {}
    errors: list[dict[str, str]] | None = None
    if isinstance(exc, shared.NotAuthenticated):
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(exc, shared.TooManyAttempts | shared.Unavailable):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, identity.WeakPassword):
        errors = [{"field": "password", "location": "body", "message": r} for r in exc.reasons]
    if isinstance(exc, identity.InvalidEmail):
        errors = [{"field": "email", "location": "body", "message": exc.detail}]
    if isinstance(exc, catalog.InvalidAttributes):
        errors = [
            {"field": f"attributes.{p.field}", "location": "body", "message": p.message}
            for p in exc.problems
        ]
    return _problem(request, spec_of(type(exc)), exc.detail, errors=errors, headers=headers)


async def _handle_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [_field_error(e) for e in exc.errors()]
    return _problem(
        request, VALIDATION_FAILED, f"{len(errors)} field(s) failed validation", errors=errors
    )


def _field_error(error: dict[str, Any]) -> dict[str, str]:
    location, *path = [str(part) for part in error.get("loc", ())] or ["body"]
    # Never echo the rejected input: it may be a password.
    return {"field": ".".join(path) or location, "location": location, "message": error["msg"]}


async def _handle_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    spec = ProblemSpec(exc.status_code, *http_problem(exc.status_code))
    detail = exc.detail if isinstance(exc.detail, str) else spec.title
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"no route matches {request.url.path}"
    return _problem(request, spec, detail, headers=dict(exc.headers or {}))


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers; unexpected exceptions are answered by UnhandledErrorMiddleware."""
    app.add_exception_handler(DomainError, _handle_known)
    app.add_exception_handler(shared.ApplicationError, _handle_known)
    app.add_exception_handler(RequestValidationError, _handle_validation)
    app.add_exception_handler(StarletteHTTPException, _handle_http)
