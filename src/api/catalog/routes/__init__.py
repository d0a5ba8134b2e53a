"""The catalog over HTTP, by resource: products, categories, and files (import, export,
images). Fixed paths (`/products/export.csv`, `/products/import`) come before
`/products/{product_id}`."""

from api.catalog.routes import categories, files, products, variants

routers = [files.router, categories.router, products.router, variants.router]
