"""Adapters of secrets: signed access tokens (JWT) and password hashing (Argon2id)."""
