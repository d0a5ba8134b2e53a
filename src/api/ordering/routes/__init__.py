"""Ordering over HTTP, by resource: the cart, orders (checkout, customers' and staff's
actions), their parcels, live updates, the provider's callbacks, and machine routes for
integrations."""

from api.ordering.routes import cart, integrations, live, orders, payments, shipments

routers = [
    cart.router,
    orders.router,
    shipments.router,
    live.router,
    payments.router,
    integrations.router,
]
