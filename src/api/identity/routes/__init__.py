"""Identity over HTTP, by resource: accounts and their sessions (with API keys), guest
sessions, email verification, password reset, and the caller's address book. `/users/me/...`
paths come before the accounts router's `/users/{user_id}`."""

from api.identity.routes import accounts, addresses, guests, password_reset, verification

routers = [
    guests.router,
    verification.auth,
    verification.users,
    password_reset.router,
    addresses.router,
    *accounts.routers,
]
