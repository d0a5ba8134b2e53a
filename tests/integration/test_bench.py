"""`make bench` cannot rot: its smallest form (`bench/run.py --quick`) runs end to end on the
test services and prints the one table with every workload next to its baseline. The figures
themselves are never asserted; the table's shape is."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NUMBER = re.compile(r"^(\d{1,3}(,\d{3})*|\d+)(\.\d+)?$")
RATIO = re.compile(r"^\d+\.\d\dx$")
GROUP_MODE_ABSENT = "n/a (group mode not available)"


def rows_of(table: str) -> dict[str, dict[str, list[str]]]:
    """{group: {workload: cells}} from the printed Markdown table."""
    groups: dict[str, dict[str, list[str]]] = {}
    current = ""
    for line in table.splitlines():
        if not line.startswith("| ") or line.startswith("| workload"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0].startswith("**"):
            current = cells[0].split("**")[1]
            groups[current] = {}
        else:
            groups[current][cells[0]] = cells[1:]
    return groups


def test_the_quick_bench_prints_every_workload_next_to_its_baseline(
    server_url: str, redis_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "table.md"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAFKA_")}
    env |= {"DATABASE_URL": server_url, "REDIS_URL": redis_url}
    subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--out", str(out)],
        env=env,
        cwd=ROOT,
        check=True,
        timeout=900,
        capture_output=True,
    )
    groups = rows_of(out.read_text())

    assert list(groups) == ["reads", "checkout", "append", "fulfilment"]
    reads = groups["reads"]
    for request in ("product detail", "search q=mug", "filtered list", "list of 100"):
        for server in (
            "plain FastAPI + asyncpg",
            "bare ASGI + asyncpg",
            "Agora, uncached",
            "Agora, cached",
        ):
            assert f"{request}: {server}" in reads
    assert {"/users/me: plain FastAPI + asyncpg", "/users/me: Agora, uncached"} <= set(reads)
    assert set(groups["checkout"]) == {
        f"{who}, {n} clients" for who in ("raw asyncpg", "Agora POST /checkout") for n in (16, 32)
    }
    assert set(groups["append"]) == {
        f"{who}, {n} writer(s)" for who in ("raw INSERT", "EventStore.append") for n in (1, 8)
    }
    for name in ("reads", "checkout", "append"):
        for cells in groups[name].values():
            rate, _, _, cpu, rate_ratio, cpu_ratio, note = cells
            assert all(NUMBER.match(v) for v in (rate, cpu)), cells
            assert all(RATIO.match(v) for v in (rate_ratio, cpu_ratio)), cells
            assert "non-2" not in note, cells

    fulfilment = groups["fulfilment"]
    assert set(fulfilment) == {  # the quick form: provider at 0 ms only
        f"{mode}, {n} worker{'s' * (n > 1)}, provider 0 ms"
        for mode in ("event-log runner", "Kafka group")
        for n in (1, 2)
    }
    for workload, cells in fulfilment.items():
        rate, p50, p99, cpu, rate_ratio, _, note = cells
        if workload.startswith("Kafka group") and note == GROUP_MODE_ABSENT:
            assert cells[:4] == ["n/a"] * 4
            continue
        assert all(NUMBER.match(v) for v in (rate, p50, p99, cpu)), cells
        assert RATIO.match(rate_ratio), cells
        placed = re.fullmatch(r"(\d+)/(\d+) paid", note)
        assert placed is not None, cells
        assert placed.group(1) == placed.group(2), cells
