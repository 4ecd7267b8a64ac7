"""On PostgreSQL the large tables are hash-partitioned by organisation (decision 0018). Every
page and API list reads them for one organisation, so each query must read one partition: one
that reads all sixteen would slow every council down as the installation grows. Checked with
EXPLAIN on the queries the pages really make."""

import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from takeup.core.partitions import PARTITIONS, is_partitioned
from takeup.organisations.services import api_key_create
from tests.test_query_counts import API, PAGES, build

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions are PostgreSQL's"),
]

TABLES = ["ledger_volume", "campaigns_arrival", "insight_response", "alerts_delivery"]
# Comparing with peers reads their figures by design: across organisations, so across partitions
# (the multi-shard query of the Citus plan in docs/operations.md).
ACROSS_ORGANISATIONS = {"/o/qc/comparison/"}
PARTITION = re.compile(r"\b(" + "|".join(TABLES) + r")_p\d\d\b")


def partitions_read(sql: str) -> dict[str, set[str]]:
    """The partitions of each partitioned table that the plan of `sql` reads."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        plan = json.dumps(cursor.fetchone()[0])
    read: dict[str, set[str]] = {}
    for match in PARTITION.finditer(plan):
        read.setdefault(match.group(1), set()).add(match.group(0))
    return read


def wide_queries(client: Client, address: str) -> list[tuple[str, dict[str, set[str]]]]:
    """The queries of one page that read more than one partition of a table."""
    client.get(address)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200, address
    wide = []
    for query in queries.captured_queries:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        if not any(table in sql for table in TABLES):
            continue
        read = partitions_read(sql)
        if any(len(names) > 1 for names in read.values()):
            wide.append((sql[:300], read))
    return wide


def test_the_large_tables_are_partitioned() -> None:
    with connection.cursor() as cursor:
        for table in TABLES:
            assert is_partitioned(cursor, table), table
            cursor.execute(
                "SELECT count(*) FROM pg_inherits WHERE inhparent = %s::regclass", [table]
            )
            assert cursor.fetchone()[0] == PARTITIONS


def test_every_page_reads_one_partition() -> None:
    built: dict[str, Any] = build(3)
    client: Client = built["client"]
    found = {
        page: wide_queries(client, page.format(**built))
        for page in PAGES
        if page not in ACROSS_ORGANISATIONS
    }
    assert {page: wide for page, wide in found.items() if wide} == {}


def test_the_comparison_reads_across_partitions_as_documented() -> None:
    built: dict[str, Any] = build(3)
    [page] = ACROSS_ORGANISATIONS
    assert wide_queries(built["client"], page)


def test_every_api_list_reads_one_partition() -> None:
    built = build(3)
    _, raw = api_key_create(organisation=built["org"], name="Pruning")
    client = Client(headers={"authorization": f"Bearer {raw}"})
    found = {address: wide_queries(client, address) for address in API}
    assert {address: wide for address, wide in found.items() if wide} == {}
