"""Imports stream: a CSV is read from its stream a piece at a time, and the rows read are kept as
columns of integers, so that memory does not grow as a multiple of the file (issue 10)."""

import csv
import io
import tracemalloc
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from hypothesis import given, settings
from hypothesis import strategies as st

from takeup.ledger import matching
from takeup.ledger.matching import Catalogue, Resolved, resolve_names
from takeup.ledger.names import normalise, unknown_message
from takeup.ledger.parsing import (
    PERIODS,
    RawVolume,
    ReadResult,
    Rows,
    decode,
    read_volumes,
    records_from_csv,
    records_from_xlsx,
)

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer


def csv_bytes(rows: int) -> bytes:
    lines = ["date,service,channel,count"] + [
        f"{n % 28 + 1:02d}/03/2026,Service {n % 100},Channel {n % 5},{n % 997}" for n in range(rows)
    ]
    return ("\n".join(lines) + "\n").encode()


class Recorded(io.RawIOBase):
    """A binary stream that records the reads asked of it."""

    def __init__(self, data: bytes) -> None:
        self.inner = io.BytesIO(data)
        self.asked: list[int] = []

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self.inner.seek(offset, whence)

    def tell(self) -> int:
        return self.inner.tell()

    def readinto(self, buffer: "WriteableBuffer") -> int:
        view = memoryview(buffer)
        self.asked.append(len(view))
        data = self.inner.read(len(view))
        view[: len(data)] = data
        return len(data)

    def readall(self) -> bytes:
        raise AssertionError("the whole stream was asked for at once")


def test_a_csv_is_read_a_piece_at_a_time() -> None:
    data = csv_bytes(200_000)
    stream = Recorded(data)
    result = read_volumes(records_from_csv(io.BufferedReader(stream)))
    assert len(result.rows) == 200_000 and not result.errors
    assert max(stream.asked) <= 1 << 20 and len(data) > 6 << 20


def test_reading_keeps_rows_compact_not_the_file() -> None:
    """200,000 rows (6 MB) read from a stream: the old reader held the decoded text, a copy of it
    and a tuple a row (over 70 MB); columns of integers take about 30 bytes a row."""
    rows = 200_000
    stream = io.BytesIO(csv_bytes(rows))
    tracemalloc.start()
    try:
        result = read_volumes(records_from_csv(stream))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(result.rows) == rows
    assert peak < 75 * rows, f"{peak / 1e6:.1f} MB"


def test_rows_read_back_as_raw_volumes() -> None:
    rows = Rows()
    first = RawVolume(2, date(2026, 3, 2), "day", "Bins", "Web", "transactions", 12)
    second = RawVolume(3, date(2026, 3, 1), "month", "Bins", "Phone", "contacts", 10**12)
    rows.extend([first, second])
    assert len(rows) == 2 and rows[0] == first and rows[-1] == second
    assert list(rows) == [first, second] and rows[1:] == [second]
    assert rows == [first, second] and bool(Rows()) is False


def old_records(data: bytes) -> list[tuple[int, list[str]]]:
    """The reader before streaming: the whole file decoded, then read."""
    text = decode(data)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    found, start = [], 1
    for values in reader:
        found.append((start, values))
        start = reader.line_num + 1
    return found


PIECES = st.sampled_from(
    ["a", "é", ",", ";", '"', "\n", "\r\n", "\r", " ", "\x0c", "\u2028", "1", "\ufeff"]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(PIECES, max_size=60), st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
def test_streamed_records_are_the_whole_file_records(pieces: list[str], encoding: str) -> None:
    data = "".join(pieces).encode(encoding, errors="replace")
    assert list(records_from_csv(io.BytesIO(data))) == old_records(data)
    assert list(records_from_csv(data)) == old_records(data)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_stream_as_they_read_whole(data: bytes) -> None:
    assert list(records_from_csv(io.BytesIO(data))) == old_records(data)


def test_the_delimiter_is_found_past_a_long_blank_start() -> None:
    data = b"\r\n" * 50_000 + b"date;service;channel;count\n02/03/2026;Bins;Web;1,5\n"
    assert list(records_from_csv(io.BytesIO(data))) == old_records(data)
    assert old_records(data)[-1][1] == ["02/03/2026", "Bins", "Web", "1,5"]


def test_a_file_on_disk_reads_as_its_bytes(tmp_path: Path) -> None:
    data = "date,service,channel,count\n02/03/2026,Café,Web,1\n".encode("cp1252")
    path = tmp_path / "export.csv"
    path.write_bytes(data)
    assert list(records_from_csv(path)) == old_records(data)


def old_resolve(
    rows: list[RawVolume], catalogue: Catalogue, result: ReadResult
) -> tuple[list[Resolved], set[str], set[str]]:
    """resolve_names before the columns: one row at a time."""
    resolved: list[Resolved] = []
    unknown_services: set[str] = set()
    unknown_channels: set[str] = set()
    seen: dict[tuple[int, int, date, str, str], int] = {}
    problems: dict[int, dict[str, str]] = {}
    for row in rows:
        service_id = catalogue.services.get(normalise(row.service))
        channel_id = catalogue.channels.get(normalise(row.channel))
        if service_id is None:
            unknown_services.add(row.service)
            problems.setdefault(row.line, {})["service"] = unknown_message(
                "service", row.service, catalogue.service_names
            )
        if channel_id is None:
            unknown_channels.add(row.channel)
            problems.setdefault(row.line, {})[row.channel] = unknown_message(
                "channel", row.channel, catalogue.channel_names
            )
        if service_id is None or channel_id is None:
            continue
        key = (service_id, channel_id, row.period_start, row.period, row.measure)
        if key in seen:
            problems.setdefault(row.line, {})[""] = (
                f"The same figure is also on line {seen[key]}: "
                f"{row.service}, {row.channel}, {row.period_start:%d/%m/%Y}."
            )
            continue
        seen[key] = row.line
        resolved.append(Resolved(row.line, service_id, channel_id, *row[1:3], *row[5:]))
    for line, found in problems.items():
        columns = [c if c == "service" else "channel" if c else "" for c in found]
        result.error(
            line, ", ".join(dict.fromkeys(c for c in columns if c)), " ".join(found.values())
        )
    return resolved, unknown_services, unknown_channels


CATALOGUE = Catalogue(
    services={"bins": 7, "missed bin": 7, "parking": 9, "libraries": 2**40},
    channels={"web": 3, "phone": 4},
    service_names=("Bins", "Parking", "Libraries"),
    channel_names=("Web", "Phone"),
)
RAW = st.builds(
    RawVolume,
    st.integers(2, 12),
    st.dates(date(2026, 1, 1), date(2026, 1, 4)) | st.just(date(1900, 1, 1)),
    st.sampled_from(PERIODS),
    st.sampled_from(["Bins", "Missed bin", "Parking", "Libraries", "Nope"]),
    st.sampled_from(["Web", "Phone", "Fax"]),
    st.sampled_from(["transactions", "contacts"]),
    st.integers(0, 10**12),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(RAW, max_size=40))
def test_matching_on_columns_is_matching_row_by_row(raw: list[RawVolume]) -> None:
    raw.sort(key=lambda r: r.line)  # files are read in line order
    rows = Rows()
    rows.extend(raw)
    new, old = ReadResult(), ReadResult()
    resolved, services, channels = resolve_names(rows, catalogue=CATALOGUE, result=new)
    expected = old_resolve(raw, CATALOGUE, old)
    assert (list(resolved), services, channels) == expected
    assert new.errors == old.errors and new.bad_lines == old.bad_lines
    assert resolved.line_count() == len({r.line for r in expected[0]})
    if expected[0]:
        keys = {
            (r.service_id, r.channel_id, r.period_start, r.period, r.measure) for r in expected[0]
        }
        assert set(resolved.keys()) == keys and len(resolved.keys()) == len(expected[0])


def test_grain_problem_reads_the_columns() -> None:
    rows = Rows()
    for n, month in enumerate(range(1, 4), start=2):
        rows.append(RawVolume(n, date(2026, month, 1), "day", "Bins", "Web", "transactions", 1))
    assert "look monthly" in matching.grain_problem(rows)
    assert matching.grain_problem(rows) == matching.grain_problem(list(rows))


def test_a_workbook_on_disk_reads_as_its_bytes_whatever_its_name(tmp_path: Path) -> None:
    data = (Path(__file__).parent / "data" / "notes-first.xlsx").read_bytes()
    path = tmp_path / "kept-upload"  # kept files have names of our own, not always .xlsx
    path.write_bytes(data)
    assert list(records_from_xlsx(path)) == list(records_from_xlsx(data))
    assert len(list(records_from_xlsx(path))) > 1
