"""The OpenAPI document tells the truth about errors: each operation lists every status it can
answer, as application/problem+json, with the `code` values possible under each."""

from typing import Any

from tests.support.shop import Shop

SUCCESS_OR_REDIRECT = ("1", "2", "3")


async def _document(shop: Shop) -> dict[str, Any]:
    return dict((await shop.client.get("/openapi.json")).json())


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    ]


def _codes(operation: dict[str, Any], status: str) -> list[str]:
    schema = operation["responses"][status]["content"]["application/problem+json"]["schema"]
    return list(schema["properties"]["code"]["enum"])


async def test_every_error_response_is_a_problem_with_its_possible_codes(shop: Shop) -> None:
    document = await _document(shop)
    assert "Problem" in document["components"]["schemas"]
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for method, path, operation in _operations(document):
        for status, response in operation["responses"].items():
            if status.startswith(SUCCESS_OR_REDIRECT) or path == "/health/ready":
                continue  # readiness answers its 503 with the same body as its 200
            assert list(response["content"]) == ["application/problem+json"], (method, path)
            schema = response["content"]["application/problem+json"]["schema"]
            assert schema["allOf"] == [{"$ref": "#/components/schemas/Problem"}]
            assert schema["properties"]["status"]["enum"] == [int(status)]
            codes = _codes(operation, status)
            assert codes, (method, path, status)
            assert all(f"`{code}`" in response["description"] for code in codes)


async def test_a_json_body_can_be_malformed_or_too_large_or_invalid(shop: Shop) -> None:
    document = await _document(shop)
    with_json = [
        (method, path, operation)
        for method, path, operation in _operations(document)
        if "application/json" in operation.get("requestBody", {}).get("content", {})
    ]
    assert len(with_json) >= 18
    for method, path, operation in with_json:
        assert "bad_request" in _codes(operation, "400"), (method, path)
        assert "payload_too_large" in _codes(operation, "413"), (method, path)
        assert "validation_failed" in _codes(operation, "422"), (method, path)


async def test_conflicts_and_preconditions_are_listed_by_code(shop: Shop) -> None:
    operations = {(m, p): o for m, p, o in _operations(await _document(shop))}
    assert "category_name_taken" in _codes(operations["POST", "/api/v1/categories"], "409")
    change = operations["PATCH", "/api/v1/products/{product_id}"]
    assert {"concurrent_update", "sku_taken"} <= set(_codes(change, "409"))
    assert _codes(change, "428") == ["precondition_required"]
    price = operations["PUT", "/api/v1/products/{product_id}/price"]
    assert _codes(price, "428") == ["precondition_required"]
    assert _codes(price, "412") == ["precondition_failed"]
    token = operations["POST", "/api/v1/auth/token"]
    assert _codes(token, "429") == ["too_many_requests"]
    assert set(_codes(operations["POST", "/api/v1/checkout"], "400")) == {
        "bad_request",
        "idempotency_key_required",
        "invalid_idempotency_key",
    }


async def test_an_anonymous_call_to_a_staff_route_lists_both_401_and_403(shop: Shop) -> None:
    operations = {(m, p): o for m, p, o in _operations(await _document(shop))}
    staff = operations["POST", "/api/v1/products"]
    assert _codes(staff, "401") == ["not_authenticated"]
    assert _codes(staff, "403") == ["permission_denied"]
    public = operations["GET", "/api/v1/categories"]
    assert set(public["responses"]) == {"200", "431", "503"}
    assert _codes(public, "503") == ["database_unavailable"]


async def test_the_headers_a_problem_carries_are_documented(shop: Shop) -> None:
    operations = {(m, p): o for m, p, o in _operations(await _document(shop))}
    staff = operations["POST", "/api/v1/products"]["responses"]
    assert set(staff["401"]["headers"]) == {"WWW-Authenticate"}
    assert staff["503"]["headers"]["Retry-After"]["required"] is True
    login = operations["POST", "/api/v1/auth/token"]["responses"]
    assert login["429"]["headers"]["Retry-After"]["required"] is True
    assert "headers" not in staff["403"]


# Credentials a caller pastes from another answer: never stored, no realistic example exists.
PASTED = {"refresh_token", "current_password"}


def _leaves_without_example(
    schemas: dict[str, Any], schema: dict[str, Any], path: str
) -> list[str]:
    """Fields Swagger UI would prefill with a placeholder such as "string" or a random UUID."""
    if "$ref" in schema:
        return _leaves_without_example(schemas, schemas[schema["$ref"].split("/")[-1]], path)
    if any(key in schema for key in ("examples", "example", "enum", "const")):
        return []
    if "anyOf" in schema:
        options = [s for s in schema["anyOf"] if s.get("type") != "null"]
        return [leaf for s in options for leaf in _leaves_without_example(schemas, s, path)]
    if schema.get("type") == "object":
        return [
            leaf
            for name, field in schema.get("properties", {}).items()
            if name not in PASTED
            for leaf in _leaves_without_example(schemas, field, f"{path}.{name}")
        ]
    if schema.get("type") == "array":
        return _leaves_without_example(schemas, schema.get("items", {}), f"{path}[]")
    return [] if schema.get("type") in ("integer", "number", "boolean") else [path]


async def test_every_json_body_field_has_a_realistic_example(shop: Shop) -> None:
    document = await _document(shop)
    schemas = document["components"]["schemas"]
    missing = [
        leaf
        for method, path, operation in _operations(document)
        for media, content in operation.get("requestBody", {}).get("content", {}).items()
        if media == "application/json"
        for leaf in _leaves_without_example(schemas, content["schema"], f"{method} {path}")
    ]
    assert not missing, missing


async def test_the_idempotency_key_is_documented_as_required(shop: Shop) -> None:
    operations = {(m, p): o for m, p, o in _operations(await _document(shop))}
    for key in (("POST", "/api/v1/checkout"), ("POST", "/api/v1/orders/{order_id}/cancel")):
        (header,) = [p for p in operations[key]["parameters"] if p["name"] == "Idempotency-Key"]
        assert header["required"] is True, key
        assert header["in"] == "header"
        assert header["example"], key


async def test_the_cart_line_prefills_a_demo_sku(shop: Shop) -> None:
    operations = {(m, p): o for m, p, o in _operations(await _document(shop))}
    (sku,) = operations["PUT", "/api/v1/cart/lines/{sku}"]["parameters"]
    assert sku["examples"]["demo"]["value"] == "MUG-BLUE-350"


async def test_a_route_s_own_non_problem_answer_stays_documented(shop: Shop) -> None:
    operations = {(m, p): o for m, p, o in _operations(await _document(shop))}
    ready = operations["GET", "/health/ready"]["responses"]
    assert "503" in ready
    assert "application/problem+json" not in ready["503"].get("content", {})
