"""The indices of deprivation as published: the bundled copies are the published files, and
import-imd loads a real district from them. The figures checked were read by hand from the files
(zcat File_1…csv.gz | grep Peterborough)."""

import gzip
import hashlib
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from takeup.organisations.models import AuditEvent, Organisation
from takeup.outreach import imd
from takeup.outreach.models import Neighbourhood

BLOBS = {
    imd.BUNDLED_FILE1: "9464b0212c3e934cb3513657616828c8f6eb4679",
    imd.BUNDLED_FILE6: "2f9f918c783cd854730478bdda3397a5019e3dc3",
}
HEADER1 = (
    "LSOA code (2011),LSOA name (2011),Local Authority District code (2019),"
    "Local Authority District name (2019),Index of Multiple Deprivation (IMD) Rank,"
    "Index of Multiple Deprivation (IMD) Decile"
)
HEADER6 = (
    "LSOA code (2011),LSOA name (2011),Local Authority District code (2019),"
    "Local Authority District name (2019),Total population: mid 2015 (excluding prisoners),"
    "Dependent Children aged 0-15: mid 2015 (excluding prisoners),"
    "Population aged 16-59: mid 2015 (excluding prisoners),"
    "Older population aged 60 and over: mid 2015 (excluding prisoners),"
    "Working age population 18-59/64: for use with Employment Deprivation Domain "
    "(excluding prisoners)"
)


def published(*lines: str) -> bytes:
    """A file shaped as the published ones: gzip, a byte-order mark, CRLF."""
    return gzip.compress(("\ufeff" + "\r\n".join(lines) + "\r\n").encode())


def run(*args: str) -> str:
    out = StringIO()
    call_command("outreach", *args, stdout=out, stderr=out)
    return out.getvalue()


@pytest.mark.parametrize("path", list(BLOBS))
def test_the_bundled_copies_are_the_published_files_unchanged(path: Path) -> None:
    data = path.read_bytes()
    blob = hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()
    assert blob == BLOBS[path]


def test_import_imd_loads_peterborough_from_the_bundled_files(org: Organisation) -> None:
    out = run("import-imd", "--organisation", org.slug, "--district", "Peterborough")
    assert "Peterborough: 112 neighbourhoods" in out
    found = {n.code: n for n in Neighbourhood.objects.filter(organisation=org)}
    assert len(found) == 112
    # Read by hand: E01015589,Peterborough 004A,E06000031,Peterborough,"23,577",8 (File 1)
    # and …,"1,764",382,868,514,892 (File 6).
    first = found["E01015589"]
    assert (first.name, first.imd_rank, first.imd_decile) == ("Peterborough 004A", 23577, 8)
    assert (first.population, first.aged_60_plus) == (1764, 514)
    # E01015593,Peterborough 009A,E06000031,Peterborough,"1,723",1
    poorest = found["E01015593"]
    assert (poorest.imd_rank, poorest.imd_decile, poorest.district_code) == (1723, 1, "E06000031")
    assert all(n.population and n.aged_60_plus is not None for n in found.values())
    assert AuditEvent.objects.filter(action="outreach.neighbourhoods_import").count() == 1


def test_a_district_by_its_code_in_any_case_and_again_keeps_the_names(
    org: Organisation, other_org: Organisation
) -> None:
    run("import-imd", "--organisation", org.slug, "--district", "e06000031")
    Neighbourhood.objects.filter(code="E01015589").update(name="Millbrook North", imd_rank=1)
    out = run("import-imd", "--organisation", org.slug, "--district", "PETERBOROUGH")
    assert "0 added, 112 updated" in out
    n = Neighbourhood.objects.get(organisation=org, code="E01015589")
    assert (n.name, n.official_name, n.imd_rank) == ("Millbrook North", "Peterborough 004A", 23577)
    assert not Neighbourhood.objects.filter(organisation=other_org).exists()


def test_an_unknown_district_says_what_it_might_be(org: Organisation) -> None:
    with pytest.raises(CommandError, match="Did you mean Peterborough"):
        run("import-imd", "--organisation", org.slug, "--district", "Peterborugh")
    with pytest.raises(CommandError, match="No organisation"):
        run("import-imd", "--organisation", "nobody", "--district", "Peterborough")
    assert not Neighbourhood.objects.exists()


def test_other_files_are_read_from_their_paths(org: Organisation, tmp_path: Path) -> None:
    file1, file6 = tmp_path / "f1.csv.gz", tmp_path / "f6.csv"
    file1.write_bytes(
        published(
            HEADER1,
            'E01000001,Testtown 001A,E09000001,Testtown,"29,199",9',
            "E01000002,Testtown 001B,E09000001,Testtown,17,1",
            "E01000003,Elsewhere 001A,E09000002,Elsewhere,5,1",
        )
    )
    # File 6 unpacked, LF only, without its byte-order mark: read the same.
    file6.write_text(
        f'{HEADER6}\nE01000001,Testtown 001A,E09000001,Testtown,"1,296",175,656,465,715\n'
    )
    out = run(
        "import-imd",
        "--organisation",
        org.slug,
        "--district",
        "Testtown",
        "--file1",
        str(file1),
        "--file6",
        str(file6),
    )
    assert "Testtown: 2 neighbourhoods" in out and "1 have no population in File 6" in out
    first = Neighbourhood.objects.get(code="E01000001")
    assert (first.imd_rank, first.population, first.aged_60_plus) == (29199, 1296, 465)
    assert Neighbourhood.objects.get(code="E01000002").population is None
    with pytest.raises(CommandError, match="cannot be read"):
        run(
            "import-imd",
            *("--organisation", org.slug, "--district", "Testtown"),
            *("--file1", str(tmp_path / "missing.csv.gz")),
        )


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            [
                HEADER1,
                "E01000001,A,E09000001,Testtown,9,9",
                'E01000002,B,E09000001,Testtown,"29,1x9",9',
            ],
            "File 1, line 3, column “Index of Multiple Deprivation (IMD) Rank”: “29,1x9” is not "
            "a whole number.",
        ),
        (
            [HEADER1, "E01000001,A,E09000001,Testtown,40000,9"],
            "File 1, line 2, column “Index of Multiple Deprivation (IMD) Rank”: the rank 40000 is "
            "outside 1 to 32,844.",
        ),
        (
            [HEADER1, "E01000001,A,E09000001,Testtown,4,11"],
            "line 2, column “Index of Multiple Deprivation (IMD) Decile”: the decile 11",
        ),
        (
            [HEADER1, "E01000001,A,E09000001,Testtown,4,1", "E01000001,A,E09000001,Testtown,5,1"],
            "line 3, column “LSOA code (2011)”: E01000001 is in the file twice.",
        ),
        (
            [HEADER1.replace("(IMD) Rank", "Score")],
            "File 1, line 1: the header has no column starting “index of multiple deprivation "
            "(imd) rank”",
        ),
    ],
)
def test_bad_lines_are_named_by_line_and_column(lines: list[str], message: str) -> None:
    with pytest.raises(imd.ImdError) as caught:
        imd.read_ranks(published(*lines), "testtown")
    assert message in str(caught.value)


def test_file6_older_than_everyone_and_damaged_files() -> None:
    with pytest.raises(
        imd.ImdError, match=r"File 6, line 2, .*600 people aged 60 and over is more"
    ):
        imd.read_populations(published(HEADER6, "E1,A,E9,Testtown,500,1,1,600,1"), "Testtown")
    with pytest.raises(imd.ImdError, match="gzip file is damaged"):
        imd.read_ranks(published(HEADER1)[:30], "Testtown")
    with pytest.raises(imd.ImdError, match="not UTF-8"):
        imd.read_ranks(b"\xff\xfeL\x00S\x00", "Testtown")
    with pytest.raises(imd.ImdError, match="empty"):
        imd.read_ranks(b"", "Testtown")
