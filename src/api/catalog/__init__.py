"""The HTTP interface of the catalog: products, prices, categories, images, import and export."""
