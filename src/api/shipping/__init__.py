"""Shipping over HTTP: staff manage methods; anyone lists what a destination is offered."""
