"""The large per-organisation tables, hash-partitioned by organisation on PostgreSQL (decision
0018). SQLite keeps them as plain tables: the migrations that call this do nothing there.

A table is rebuilt as a partitioned table of the same name, columns, defaults, checks, keys and
indexes, with its rows copied across, so a database of any age ends up the same. The primary key
becomes (id, organisation_id), since every unique key of a partitioned table must hold the
partition key; Django still reads and writes rows by id.
"""

from typing import Any

PARTITIONS = 16  # changing it means rebuilding the tables; see decision 0018


def partition_name(table: str, remainder: int) -> str:
    return f"{table}_p{remainder:02d}"


def _keys_and_indexes(cursor: Any, table: str) -> tuple[list[str], list[str]]:
    """The statements that recreate the table's unique keys, foreign keys and indexes, as
    PostgreSQL itself writes them (LIKE copies the NOT NULLs and checks)."""
    cursor.execute(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY conname",
        [table],
    )
    constraints = []
    for name, kind, definition in cursor.fetchall():
        if kind == "u" and "organisation_id" not in definition:
            raise ValueError(f"{table}.{name} must include organisation_id to be partitioned")
        constraints.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    cursor.execute(
        "SELECT indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass) ORDER BY indexname",
        [table, table],
    )
    indexes = []
    for (definition,) in cursor.fetchall():
        # Read from a partitioned table, an index is "ON ONLY" the parent; made again, it is on
        # every partition.
        definition = definition.replace(" ON ONLY ", " ON ")
        if definition.startswith("CREATE UNIQUE") and "organisation_id" not in definition:
            raise ValueError(f"{definition} must include organisation_id to be partitioned")
        indexes.append(definition)
    return constraints, indexes


def is_partitioned(cursor: Any, table: str) -> bool:
    cursor.execute("SELECT relkind FROM pg_class WHERE oid = %s::regclass", [table])
    return bool(cursor.fetchone()[0] == "p")


def partition_by_organisation(schema_editor: Any, table: str) -> None:
    """Rebuild `table` as PARTITIONS hash partitions on organisation_id (PostgreSQL only)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        if is_partitioned(cursor, table):
            return
        constraints, indexes = _keys_and_indexes(cursor, table)
        old = f"{table}__unpartitioned"
        cursor.execute(f"ALTER TABLE {table} RENAME TO {old}")
        cursor.execute(
            f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS INCLUDING IDENTITY "
            "INCLUDING CONSTRAINTS) PARTITION BY HASH (organisation_id)"
        )
        for remainder in range(PARTITIONS):
            cursor.execute(
                f"CREATE TABLE {partition_name(table, remainder)} PARTITION OF {table} "
                f"FOR VALUES WITH (MODULUS {PARTITIONS}, REMAINDER {remainder})"
            )
        # The table names are the migrations' own constants, never input.
        copy = f"INSERT INTO {table} OVERRIDING SYSTEM VALUE SELECT * FROM {old}"  # noqa: S608
        cursor.execute(copy)
        following = f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1"  # noqa: S608
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {following}, false)"
        )
        cursor.execute(f"DROP TABLE {old}")
        cursor.execute(
            f'ALTER TABLE {table} ADD CONSTRAINT "{table}_pkey" PRIMARY KEY (id, organisation_id)'
        )
        for statement in constraints + indexes:
            cursor.execute(statement)
        cursor.execute(f"ANALYZE {table}")
