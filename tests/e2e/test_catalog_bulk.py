"""Bulk import of 10,000 products from CSV, and a streamed export that imports again."""

import csv
import io

from domain.identity.values import Role
from tests.support.shop import Shop, a_sku, bearer

HEADER = "sku,name,description,price,currency,category_id,attributes\n"


async def test_ten_thousand_rows_import_in_one_request_with_bad_rows_reported(shop: Shop) -> None:
    staff = await shop.account("staff@example.com", Role.STAFF)
    prefix = a_sku("IMP")
    lines = [HEADER]
    for n in range(10_000):
        lines.append(
            f'{prefix}-{n:05d},Imported item {n},"Made, with care",{n % 90 + 1}.50,EUR,,\n'
        )
    lines[501] = f"{prefix}-BAD1,No price,,,EUR,,\n"  # file line 502
    lines[7001] = f'{prefix}-BAD2,Bad attributes,,3.00,EUR,,"[1, 2]"\n'  # file line 7002
    lines[9000] = "bad sku!,Bad SKU,,3.00,EUR,,\n"  # file line 9001

    response = await shop.client.post(
        "/api/v1/products/import", content="".join(lines).encode(), headers=bearer(staff)
    )

    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["created"], report["updated"]) == (9_997, 0)
    assert [(r["line"], r["reason"]) for r in report["rejected"]] == [
        (502, "missing price"),
        (7002, "attributes must be a JSON object"),
        (9001, "'bad sku!' is not a SKU (3-32 letters, digits or dashes)"),
    ]

    again = f"{HEADER}{prefix}-00042,Renamed item,,99.00,EUR,,\n"
    updated = await shop.client.post(
        "/api/v1/products/import", content=again.encode(), headers=bearer(staff)
    )
    assert (updated.json()["created"], updated.json()["updated"]) == (0, 1)


async def test_the_export_streams_every_product_and_imports_again(shop: Shop) -> None:
    staff = await shop.account("staff@example.com", Role.STAFF)
    prefix = a_sku("EXP")
    rows = "".join(
        f'{prefix}-{n},"Thing, {n}",desc,{n}.00,EUR,,"{{""size"": ""L""}}"\n' for n in range(1, 51)
    )
    await shop.client.post(
        "/api/v1/products/import", content=(HEADER + rows).encode(), headers=bearer(staff)
    )

    async with shop.client.stream(
        "GET", "/api/v1/products/export.csv", headers=bearer(staff)
    ) as response:
        assert response.headers["content-type"].startswith("text/csv")
        body = "".join([chunk async for chunk in response.aiter_text()])
    exported = [r for r in csv.DictReader(io.StringIO(body)) if r["sku"].startswith(prefix)]
    assert len(exported) == 50
    assert exported[0]["attributes"] == '{"size": "L"}'

    again = io.StringIO()
    writer = csv.DictWriter(again, fieldnames=list(exported[0]))
    writer.writeheader()
    writer.writerows(exported)
    reimported = await shop.client.post(
        "/api/v1/products/import", content=again.getvalue().encode(), headers=bearer(staff)
    )
    assert reimported.json() == {"created": 0, "updated": 50, "rejected": []}
