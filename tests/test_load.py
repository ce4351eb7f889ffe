"""`budgetkg serve` under load: 16 concurrent clients for 60 s of mixed queries and page views,
with zero errors. Latency is measured by benchmarks/bench_serve.py, not asserted here."""

from __future__ import annotations

from benchmarks.loadtest import mix, run
from budgetkg.resources import queries_dir
from tests.conftest import Server


def test_sixteen_clients_for_a_minute_of_queries_and_pages_have_zero_errors(
        served: Server) -> None:
    calls = mix(served.url, queries_dir())
    report = run(served.url, calls, clients=16, seconds=60)
    print(f"{len(report.samples)} requests, {report.throughput:.1f}/s", *report.table(), sep="\n")
    assert not report.errors(), "\n".join(report.error_lines())
    assert report.kinds() == sorted({call.kind for call in calls})
    assert {"page:home", "page:dataset", "page:table", "page:project", "page:code",
            "query:table-cells", "select", "ask", "construct"} <= set(report.kinds())
