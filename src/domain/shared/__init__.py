"""Shared kernel: the few types every bounded context speaks (ids, events, errors)."""
