"""The HTTP interface of ordering: the cart, checkout, orders, live updates, payment callbacks
and the machine routes for integrations."""
