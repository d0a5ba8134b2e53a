"""Gift card handlers, one module per aggregate."""
