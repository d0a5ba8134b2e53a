"""Ordering over HTTP, by resource: the cart, orders (checkout, customers' and staff's
actions), their parcels, returns, live updates, the provider's callbacks, and machine routes for
integrations."""

from api.ordering.routes import (
    cart,
    integrations,
    live,
    order_payments,
    orders,
    payments,
    returns,
    shipments,
)

routers = [
    cart.router,
    orders.router,
    order_payments.router,
    returns.router,
    shipments.router,
    live.router,
    payments.router,
    integrations.router,
]
