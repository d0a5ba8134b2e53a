"""The catalog wired: products and categories in PostgreSQL, images on disk, public reads
through the Redis cache (when enabled and Redis is there), and the cache's invalidator."""

from functools import partial

from agora.platform import Platform, Wiring
from application.catalog import commands as c
from application.catalog.deps import CatalogDeps
from application.catalog.handlers import category, product, variant
from application.catalog.ports import CatalogReader
from application.catalog.queries import CatalogQueries
from application.shared.bus import CommandBus
from domain.catalog.events import EVENTS
from infrastructure.catalog.readers import SqlCatalogReader
from infrastructure.catalog.subscribers import CatalogCacheInvalidator
from infrastructure.catalog.unit_of_work import SqlCatalogUnitOfWork
from infrastructure.files.images import LocalImageStore
from infrastructure.redis.catalog_cache import CachedCatalogReader, ProductCache

NAME = "catalog"
__all__ = ["EVENTS", "NAME", "dependencies", "queries", "register", "wire"]


def wire(p: Platform) -> Wiring:
    register(p.bus, dependencies(p))
    cache = _cache(p)
    return Wiring(subscribers=[] if cache is None else [CatalogCacheInvalidator(cache)])


def dependencies(p: Platform) -> CatalogDeps:
    return CatalogDeps(
        uow=partial(SqlCatalogUnitOfWork, p.engine, p.registry, _cache(p)),
        images=_images(p),
        clock=p.clock,
        max_image_bytes=p.settings.catalog.max_image_bytes,
    )


def register(bus: CommandBus, deps: CatalogDeps) -> None:
    """The context's command handlers on the bus (tests register them with fakes)."""
    bus.register(c.CreateProduct, product.create_product, deps)
    bus.register(c.ChangeProductDetails, product.change_product_details, deps)
    bus.register(c.ChangePrice, product.change_price, deps)
    bus.register(c.PublishProduct, product.publish_product, deps)
    bus.register(c.ArchiveProduct, product.archive_product, deps)
    bus.register(c.AddProductImage, product.add_product_image, deps)
    bus.register(c.ImportProducts, product.import_products, deps)
    bus.register(c.SetProductOptions, variant.set_product_options, deps)
    bus.register(c.AddVariant, variant.add_variant, deps)
    bus.register(c.ChangeVariant, variant.change_variant, deps)
    bus.register(c.SetVariantPrices, variant.set_variant_prices, deps)
    bus.register(c.RemoveVariant, variant.remove_variant, deps)
    bus.register(c.CreateCategory, category.create_category, deps)
    bus.register(c.MoveCategory, category.move_category, deps)


def queries(p: Platform) -> CatalogQueries:
    cache = _cache(p)
    reader: CatalogReader = SqlCatalogReader(p.engine)
    if cache is not None:
        reader = CachedCatalogReader(reader, cache)
    return CatalogQueries(reader=reader, images=_images(p))


def _cache(p: Platform) -> ProductCache | None:
    """Public reads go through Redis, when it is enabled and this process has Redis."""
    settings = p.settings.catalog
    if p.redis is None or not settings.cache_enabled:
        return None
    return ProductCache(
        p.redis,
        circuit=p.redis_circuit,
        prefix=p.settings.redis.key_prefix,
        ttl_seconds=settings.cache_ttl_seconds,
    )


def _images(p: Platform) -> LocalImageStore:
    return LocalImageStore(p.settings.catalog.image_dir or p.settings.app.data_dir / "images")
