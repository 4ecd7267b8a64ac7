"""Reading the English indices of deprivation 2019 as the government published them. Pure: bytes
in, one row per neighbourhood (LSOA) of a local authority district out, or an error that names the
file, the line and the column.

- File 1 (`File_1_-_IMD2019_Index_of_Multiple_Deprivation`): IMD rank (1 = most deprived of
  England's 32,844 LSOAs) and decile (1 = the most deprived tenth).
- File 6 (`File_6_-_IoD2019_Population_Denominators`): total population and the population aged 60
  and over, mid 2015, excluding prisoners.

The files are read as published: gzip-compressed or not, UTF-8 with or without a byte-order mark,
CRLF or LF, and numbers with thousands separators inside quotes ("29,199").
"""

import csv
import difflib
import gzip
import io
import zlib
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).parent / "data"
BUNDLED_FILE1 = DATA / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz"
BUNDLED_FILE6 = DATA / "File_6_-_IoD2019_Population_Denominators.csv.gz"
LSOAS_IN_ENGLAND = 32_844
# The published files are 6 MB and 10 MB unpacked; anything far larger is not one of them.
MAX_UNPACKED = 64_000_000

# Header cells are matched by how they start (lower case), so "Index of Multiple Deprivation
# (IMD) Rank (where 1 is most deprived)", as the spreadsheet has it, is read too.
FILE1_COLUMNS = {
    "code": "lsoa code",
    "name": "lsoa name",
    "district_code": "local authority district code",
    "district_name": "local authority district name",
    "rank": "index of multiple deprivation (imd) rank",
    "decile": "index of multiple deprivation (imd) decile",
}
FILE6_COLUMNS = {
    "code": "lsoa code",
    "district_code": "local authority district code",
    "district_name": "local authority district name",
    "population": "total population",
    "older": "older population aged 60 and over",
}


class ImdError(ValueError):
    """What is wrong with a file, where: the file, and the line and column when there is one."""

    def __init__(self, file: str, message: str, line: int = 0, column: str = "") -> None:
        self.file, self.line, self.column, self.message = file, line, column, message
        where = file
        if line:
            where += f", line {line}"
        if column:
            where += f", column “{column}”"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Lsoa:
    code: str
    name: str
    district_code: str
    district_name: str
    imd_rank: int
    imd_decile: int
    population: int | None = None
    aged_60_plus: int | None = None


def unpack(data: bytes, file: str) -> str:
    """The text of a file as published: gunzipped if it is gzip, without its byte-order mark."""
    if data[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as packed:
                data = packed.read(MAX_UNPACKED + 1)
        except (OSError, EOFError, zlib.error) as exc:
            raise ImdError(file, f"the gzip file is damaged ({exc}).") from exc
        if len(data) > MAX_UNPACKED:
            raise ImdError(file, "unpacked, the file is far larger than the published one.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImdError(file, f"the file is not UTF-8 text (byte {exc.start}).") from exc


def whole_number(text: str, file: str, line: int, column: str) -> int:
    """ "29,199" → 29199; anything else that is not a whole number is an error."""
    cleaned = text.strip().replace(",", "")
    if not cleaned.isdigit():
        raise ImdError(file, f"“{text}” is not a whole number.", line, column)
    return int(cleaned)


def _rows(
    text: str, file: str, wanted: dict[str, str]
) -> tuple[dict[str, str], "csv.DictReader[str]"]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ImdError(file, "the file is empty.", 1) from None
    found: dict[str, str] = {}
    for key, start in wanted.items():
        match = [h for h in header if h.strip().lower().startswith(start)]
        if not match:
            raise ImdError(
                file,
                f"the header has no column starting “{start}”. Is this the right file?",
                1,
            )
        found[key] = match[0]
    dict_reader = csv.DictReader(io.StringIO(text, newline=""))
    return found, dict_reader


def _matches(district: str, code: str, name: str) -> bool:
    wanted = district.strip().casefold()
    return wanted in (code.strip().casefold(), name.strip().casefold())


def _no_district(district: str, names: set[str], file: str) -> ImdError:
    close = difflib.get_close_matches(district, sorted(names), n=3, cutoff=0.6)
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    return ImdError(
        file,
        f"no neighbourhood has the local authority district “{district}” (a name such as "
        f"Peterborough or a code such as E06000031).{hint}",
    )


def read_ranks(data: bytes, district: str, file: str = "File 1") -> dict[str, Lsoa]:
    """File 1's LSOAs of one district (its name or code, in any case), by LSOA code."""
    text = unpack(data, file)
    columns, reader = _rows(text, file, FILE1_COLUMNS)
    out: dict[str, Lsoa] = {}
    districts: set[str] = set()
    try:
        for record in reader:
            line = reader.line_num
            dcode, dname = record[columns["district_code"]], record[columns["district_name"]]
            districts.add(dname)
            if not _matches(district, dcode or "", dname or ""):
                continue
            code = (record[columns["code"]] or "").strip()
            if not code:
                raise ImdError(file, "the LSOA code is empty.", line, columns["code"])
            rank = whole_number(record[columns["rank"]] or "", file, line, columns["rank"])
            if not 1 <= rank <= LSOAS_IN_ENGLAND:
                raise ImdError(
                    file,
                    f"the rank {rank} is outside 1 to {LSOAS_IN_ENGLAND:,}.",
                    line,
                    columns["rank"],
                )
            decile = whole_number(record[columns["decile"]] or "", file, line, columns["decile"])
            if not 1 <= decile <= 10:
                raise ImdError(
                    file, f"the decile {decile} is outside 1 to 10.", line, columns["decile"]
                )
            if code in out:
                raise ImdError(file, f"{code} is in the file twice.", line, columns["code"])
            out[code] = Lsoa(
                code=code,
                name=(record[columns["name"]] or "").strip(),
                district_code=dcode.strip(),
                district_name=dname.strip(),
                imd_rank=rank,
                imd_decile=decile,
            )
    except csv.Error as exc:
        raise ImdError(file, f"not readable as CSV here ({exc}).", reader.line_num) from exc
    if not out:
        raise _no_district(district, districts, file)
    return out


def read_populations(
    data: bytes, district: str, file: str = "File 6"
) -> dict[str, tuple[int, int]]:
    """File 6's (total population, aged 60 and over) of one district's LSOAs, by LSOA code."""
    text = unpack(data, file)
    columns, reader = _rows(text, file, FILE6_COLUMNS)
    out: dict[str, tuple[int, int]] = {}
    try:
        for record in reader:
            line = reader.line_num
            if not _matches(
                district,
                record[columns["district_code"]] or "",
                record[columns["district_name"]] or "",
            ):
                continue
            code = (record[columns["code"]] or "").strip()
            people = whole_number(
                record[columns["population"]] or "", file, line, columns["population"]
            )
            older = whole_number(record[columns["older"]] or "", file, line, columns["older"])
            if older > people:
                raise ImdError(
                    file,
                    f"{older:,} people aged 60 and over is more than the {people:,} in all.",
                    line,
                    columns["older"],
                )
            out[code] = (people, older)
    except csv.Error as exc:
        raise ImdError(file, f"not readable as CSV here ({exc}).", reader.line_num) from exc
    return out


@dataclass(frozen=True)
class District:
    lsoas: list[Lsoa]
    without_population: list[str]  # LSOA codes File 6 does not have


def read_district(file1: bytes, file6: bytes, district: str) -> District:
    """The district's LSOAs from File 1, each with its population from File 6, in code order."""
    ranks = read_ranks(file1, district)
    people = read_populations(file6, district)
    lsoas = []
    for code in sorted(ranks):
        lsoa = ranks[code]
        if code in people:
            total, older = people[code]
            lsoa = Lsoa(**{**lsoa.__dict__, "population": total, "aged_60_plus": older})
        lsoas.append(lsoa)
    return District(lsoas=lsoas, without_population=sorted(set(ranks) - set(people)))
