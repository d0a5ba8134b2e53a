"""The one table that turns domain and application errors into problem+json responses."""

import logging
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.problems import PROBLEM_MEDIA_TYPE, http_problem, problem_body
from application.ordering.ports import InvalidCallback, LiveUpdatesUnavailable, PaymentUnavailable
from application.reporting.views import InvalidPeriod
from application.shared.errors import (
    ApplicationError,
    ConcurrencyConflict,
    InvalidCursor,
    InvalidSignature,
    NotAuthenticated,
    PermissionDenied,
    PreconditionFailed,
    PreconditionRequired,
    TooManyAttempts,
)
from application.shared.idempotency import (
    IdempotencyKeyInUse,
    IdempotencyKeyRequired,
    IdempotencyKeyReused,
    InvalidIdempotencyKey,
)
from domain.catalog.errors import (
    CategoryCycle,
    CategoryNameTaken,
    CategoryNotFound,
    ImageTooLarge,
    InvalidProduct,
    ProductArchived,
    ProductNotFound,
    SkuAlreadyUsed,
    UnsupportedImage,
)
from domain.identity.errors import (
    AccountDeactivated,
    ApiKeyNotFound,
    CannotChangeOwnAccess,
    EmailAlreadyRegistered,
    InvalidEmail,
    InvalidScopes,
    UserNotFound,
    WeakPassword,
    WrongPassword,
)
from domain.inventory.errors import (
    AdjustmentBelowReserved,
    InsufficientStock,
    InvalidQuantity,
    ReasonRequired,
    ReservationExpired,
    UnknownSku,
)
from domain.notifications.errors import InvalidSubscription, UnsafeWebhookUrl, WebhookNotFound
from domain.ordering.errors import (
    CartFull,
    CartNeedsReview,
    EmptyOrder,
    IllegalTransition,
    InvalidAddress,
    InvalidCartQuantity,
    MixedCurrencies,
    NotInCart,
    OrderAlreadyRefunded,
    OrderAlreadyShipped,
    OrderNotCancellable,
    OrderNotFound,
    OrderNotPaid,
    OrderNotRefundable,
    OrderNotShipped,
    PaymentMismatch,
    ProductUnavailable,
    UnknownProduct,
)
from domain.shared.errors import DomainError
from domain.shared.money import InvalidMoney
from domain.shared.sku import InvalidSku

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProblemSpec:
    status: int
    code: str
    title: str


ERROR_TABLE: dict[type[Exception], ProblemSpec] = {
    # domain rules
    InvalidEmail: ProblemSpec(422, "invalid_email", "Invalid email address"),
    WeakPassword: ProblemSpec(422, "weak_password", "Password too weak"),
    EmailAlreadyRegistered: ProblemSpec(409, "email_taken", "Email already registered"),
    UserNotFound: ProblemSpec(404, "user_not_found", "User not found"),
    AccountDeactivated: ProblemSpec(403, "account_deactivated", "Account deactivated"),
    CannotChangeOwnAccess: ProblemSpec(409, "cannot_change_own_access", "Own access is protected"),
    InvalidSku: ProblemSpec(422, "invalid_sku", "Invalid SKU"),
    InvalidMoney: ProblemSpec(422, "invalid_money", "Invalid amount"),
    InvalidProduct: ProblemSpec(422, "invalid_product", "Invalid product"),
    UnsupportedImage: ProblemSpec(415, "unsupported_image", "Unsupported image"),
    ImageTooLarge: ProblemSpec(413, "image_too_large", "Image too large"),
    ProductNotFound: ProblemSpec(404, "product_not_found", "Product not found"),
    SkuAlreadyUsed: ProblemSpec(409, "sku_taken", "SKU already used"),
    ProductArchived: ProblemSpec(409, "product_archived", "Product archived"),
    CategoryNotFound: ProblemSpec(404, "category_not_found", "Category not found"),
    CategoryCycle: ProblemSpec(409, "category_cycle", "Category cycle"),
    CategoryNameTaken: ProblemSpec(409, "category_name_taken", "Category name taken"),
    InvalidQuantity: ProblemSpec(422, "invalid_quantity", "Invalid quantity"),
    ReasonRequired: ProblemSpec(422, "reason_required", "Reason required"),
    UnknownSku: ProblemSpec(404, "unknown_sku", "Unknown SKU"),
    InsufficientStock: ProblemSpec(409, "insufficient_stock", "Insufficient stock"),
    ReservationExpired: ProblemSpec(409, "reservation_expired", "Reservation expired"),
    AdjustmentBelowReserved: ProblemSpec(
        409, "adjustment_below_reserved", "Adjustment below reserved stock"
    ),
    InvalidCartQuantity: ProblemSpec(422, "invalid_cart_quantity", "Invalid cart quantity"),
    CartFull: ProblemSpec(409, "cart_full", "Cart full"),
    ProductUnavailable: ProblemSpec(409, "product_unavailable", "Product not for sale"),
    NotInCart: ProblemSpec(404, "not_in_cart", "Not in the cart"),
    UnknownProduct: ProblemSpec(404, "unknown_product", "Unknown product"),
    CartNeedsReview: ProblemSpec(409, "cart_needs_review", "Cart needs review"),
    EmptyOrder: ProblemSpec(409, "cart_empty", "Cart empty"),
    MixedCurrencies: ProblemSpec(422, "mixed_currencies", "Mixed currencies"),
    InvalidAddress: ProblemSpec(422, "invalid_address", "Invalid address"),
    OrderNotFound: ProblemSpec(404, "order_not_found", "Order not found"),
    IllegalTransition: ProblemSpec(409, "illegal_transition", "Not possible in this state"),
    OrderNotPaid: ProblemSpec(409, "order_not_paid", "Order not paid"),
    OrderAlreadyShipped: ProblemSpec(409, "order_already_shipped", "Order already shipped"),
    OrderNotShipped: ProblemSpec(409, "order_not_shipped", "Order not shipped"),
    OrderNotCancellable: ProblemSpec(409, "order_not_cancellable", "Order cannot be cancelled"),
    OrderNotRefundable: ProblemSpec(409, "order_not_refundable", "Order cannot be refunded"),
    OrderAlreadyRefunded: ProblemSpec(409, "order_already_refunded", "Order already refunded"),
    PaymentMismatch: ProblemSpec(422, "payment_mismatch", "Payment does not match the order"),
    InvalidScopes: ProblemSpec(422, "invalid_scopes", "Invalid scopes"),
    InvalidSubscription: ProblemSpec(422, "invalid_subscription", "Invalid webhook subscription"),
    UnsafeWebhookUrl: ProblemSpec(422, "unsafe_webhook_url", "Webhook URL refused"),
    WebhookNotFound: ProblemSpec(404, "webhook_not_found", "Webhook not found"),
    ApiKeyNotFound: ProblemSpec(404, "api_key_not_found", "API key not found"),
    # application failures
    NotAuthenticated: ProblemSpec(401, "not_authenticated", "Not authenticated"),
    WrongPassword: ProblemSpec(403, "wrong_password", "Wrong password"),
    PermissionDenied: ProblemSpec(403, "permission_denied", "Permission denied"),
    TooManyAttempts: ProblemSpec(429, "too_many_requests", "Too many requests"),
    ConcurrencyConflict: ProblemSpec(409, "concurrent_update", "Concurrent update"),
    PreconditionFailed: ProblemSpec(412, "precondition_failed", "Precondition failed"),
    PreconditionRequired: ProblemSpec(428, "precondition_required", "Precondition required"),
    InvalidCursor: ProblemSpec(400, "invalid_cursor", "Invalid cursor"),
    InvalidPeriod: ProblemSpec(400, "invalid_period", "Invalid report period"),
    IdempotencyKeyRequired: ProblemSpec(
        400, "idempotency_key_required", "Idempotency-Key required"
    ),
    IdempotencyKeyInUse: ProblemSpec(409, "idempotency_key_in_use", "Request still running"),
    InvalidIdempotencyKey: ProblemSpec(400, "invalid_idempotency_key", "Invalid Idempotency-Key"),
    IdempotencyKeyReused: ProblemSpec(
        422, "idempotency_key_reused", "Idempotency-Key used for another request"
    ),
    InvalidSignature: ProblemSpec(401, "invalid_signature", "Invalid signature"),
    InvalidCallback: ProblemSpec(400, "invalid_webhook_payload", "Invalid webhook payload"),
    PaymentUnavailable: ProblemSpec(503, "payment_unavailable", "Payment provider unavailable"),
    LiveUpdatesUnavailable: ProblemSpec(
        503, "live_updates_unavailable", "Live updates unavailable"
    ),
}


def _spec_for(exc: Exception) -> ProblemSpec:
    for cls in type(exc).__mro__:
        if cls in ERROR_TABLE:
            return ERROR_TABLE[cls]
    raise LookupError(f"{type(exc).__name__} has no entry in ERROR_TABLE")


def problem(
    request: Request,
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = problem_body(
        status=status,
        code=code,
        title=title,
        detail=detail,
        instance=request.url.path,
        errors=errors,
    )
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


async def _handle_known(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError | ApplicationError)
    spec = _spec_for(exc)
    headers: dict[str, str] = {}
    errors: list[dict[str, str]] | None = None
    if isinstance(exc, NotAuthenticated):
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(exc, TooManyAttempts):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, WeakPassword):
        errors = [{"field": "password", "location": "body", "message": r} for r in exc.reasons]
    if isinstance(exc, InvalidEmail):
        errors = [{"field": "email", "location": "body", "message": exc.detail}]
    return problem(
        request,
        status=spec.status,
        code=spec.code,
        title=spec.title,
        detail=exc.detail,
        errors=errors,
        headers=headers,
    )


async def _handle_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [_field_error(e) for e in exc.errors()]
    return problem(
        request,
        status=422,
        code="validation_failed",
        title="Validation failed",
        detail=f"{len(errors)} field(s) failed validation",
        errors=errors,
    )


def _field_error(error: dict[str, Any]) -> dict[str, str]:
    location, *path = [str(part) for part in error.get("loc", ())] or ["body"]
    # Never echo the rejected input: it may be a password.
    return {"field": ".".join(path) or location, "location": location, "message": error["msg"]}


async def _handle_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code, title = http_problem(exc.status_code)
    detail = exc.detail if isinstance(exc.detail, str) else title
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"no route matches {request.url.path}"
    return problem(
        request,
        status=exc.status_code,
        code=code,
        title=title,
        detail=detail,
        headers=dict(exc.headers or {}),
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers; unexpected exceptions are answered by UnhandledErrorMiddleware."""
    app.add_exception_handler(DomainError, _handle_known)
    app.add_exception_handler(ApplicationError, _handle_known)
    app.add_exception_handler(RequestValidationError, _handle_validation)
    app.add_exception_handler(StarletteHTTPException, _handle_http)
