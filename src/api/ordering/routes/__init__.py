"""Ordering over HTTP, by resource: the cart, orders (checkout, customers' and staff's
actions), live updates, the provider's callbacks, and machine routes for integrations."""

from api.ordering.routes import cart, integrations, live, order_payments, orders, payments

routers = [
    cart.router,
    orders.router,
    order_payments.router,
    live.router,
    payments.router,
    integrations.router,
]
