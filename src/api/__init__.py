"""The HTTP interface: FastAPI routers, schemas, dependencies, middleware and error mapping."""
