"""The catalog over HTTP, by resource: products, categories, product types, and files (import,
export, images). Fixed paths (`/products/export.csv`, `/products/import`) come before
`/products/{product_id}`."""

from api.catalog.routes import categories, files, product_types, products, variants

routers = [files.router, categories.router, product_types.router, products.router, variants.router]
