"""Bad subject data from real exports: each mistake is either a documented normalisation
or a clear error (field, row, expected, got), never a silent guess (docs/inputs.md)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import asnmerit
from asnmerit import CriteriaError, InputError
from asnmerit._values import FORMATS, coerce, fold, nip
from asnmerit.engine.batch import evaluate_records
from asnmerit.errors import BadValue
from asnmerit.model import Criteria, Input, Text
from asnmerit.results import RowResult

from .helpers import pelaksana

NIP = "198609262015051001"
SHAPE = "an NIP of 18 digits"
AS_TEXT = "an NIP stored as text"
BIRTH = "an NIP whose digits 1-8 are a birth date YYYYMMDD from 1900 on"
APPOINTED = "an NIP whose digits 9-14 are the year and month of appointment"
AFTER = "an NIP whose appointment (digits 9-14"
SEX = "an NIP whose digit 15 is 1 (male) or 2 (female)"
EDUCATION = "one of S3, S2, S1, D4, D3, D2, D1, SLTA, SLTP, SD"
EMPTY_HINT = "; an empty cell for no value"
ARABIC_INDIC = str.maketrans("0123456789", "".join(chr(0x660 + i) for i in range(10)))
FULL_WIDTH = str.maketrans(
    "0123456789SLTA", "".join(chr(0xFF10 + i) for i in range(10)) + "\uff33\uff2c\uff34\uff21"
)


@pytest.fixture(scope="module")
def jpt() -> Criteria:
    return asnmerit.get("jpt")


def issues(criteria: Criteria, record: Any) -> list[tuple[str, str, str]]:
    """(field, expected, got) of every issue ``evaluate`` raises for ``record``."""
    with pytest.raises(InputError) as info:
        asnmerit.evaluate(criteria, record)
    return [(i.field, i.expected, i.got) for i in info.value.issues]


def jpt_record(name: Any, **changes: Any) -> dict[str, Any]:
    record = {f"nilai_{d}": 90 for d in ("persiapan", "pelaksanaan", "pelaporan", "inovasi")}
    return {"instansi": name, **record, "nilai_pelanggaran_sistem_merit": 90, **changes}


# -- NIP ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "normal"),
    [
        (NIP, NIP),
        ("19860926 201505 1 001", NIP),  # printed with spaces
        ("19660801.198803.1.001", "196608011988031001"),  # printed with dots
        ("19860926-201505-1-001", NIP),
        ("19860926 201505.1-001", NIP),  # one separator per group boundary, any of the three
        ("  198609262015051001\t", NIP),  # surrounding white space
        (198609262015051001, NIP),  # a Python int of 18 digits
        ("19860926 201505 2 001", "198609262015052001"),  # a woman
        ("200012312024211001", "200012312024211001"),  # an NI PPPK: year 2024, 2, round 1
        ("20001231 202429 2 999", "200012312024292999"),
        ("20000229 201801 1 001", "200002292018011001"),  # 29 February of a leap year
        ("19000101 191801 1 000", "190001011918011000"),
        ("200001012001211.000", "200001012001211000"),  # a dot before the sequence only
    ],
)
def test_nip_is_normalised_to_its_18_digits(ip: Criteria, value: Any, normal: str) -> None:
    ev = asnmerit.evaluate(ip, pelaksana(nip=value))
    assert ev.identifiers["nip"] == normal
    assert ev.to_dict()["identifiers"]["nip"] == normal
    assert nip(normal) == normal  # the normal value is a fixed point


BAD_NIPS: list[tuple[Any, ...]] = [
    ("1986092620150510", SHAPE, "text '1986092620150510'"),  # 16 digits
    ("1986092620150510011", SHAPE, "text '1986092620150510011'"),  # 19 digits
    ("1986092 6201505 1 001", SHAPE, "text '1986092 6201505 1 001'"),  # misplaced space
    ("19860926  201505 1 001", SHAPE, "text '19860926  201505 1 001'"),  # two spaces
    ("19860926/201505/1/001", SHAPE, "text '19860926/201505/1/001'"),
    ("NIP 198609262015051001", SHAPE, "text 'NIP 198609262015051001'"),
    (NIP.translate(ARABIC_INDIC), SHAPE, f"text {NIP.translate(ARABIC_INDIC)!r}"),
    (NIP.translate(FULL_WIDTH), SHAPE, f"text {NIP.translate(FULL_WIDTH)!r}"),
    (-198609262015051001, SHAPE, "number -198609262015051001"),
    (True, SHAPE, "boolean true"),
    (["198609262015051001"], SHAPE, "list"),
    ("-", SHAPE, "text '-'"),
    ("1.98609E+17", AS_TEXT, "text '1.98609E+17'"),  # Excel's general format
    ("1,98609E+17", AS_TEXT, "text '1,98609E+17'"),  # ... with an Indonesian locale
    ("198609262015051001.0", AS_TEXT, "text '198609262015051001.0'"),  # via a float column
    (1.98609262015051e17, AS_TEXT, "number 1.98609262015051e+17"),
    (Decimal(NIP), AS_TEXT, f"number {NIP}"),
    ("19861326 201505 1 001", BIRTH + ", not 19861326", "text '19861326 201505 1 001'"),
    ("19860230 201505 1 001", BIRTH + ", not 19860230", "text '19860230 201505 1 001'"),
    ("19850229 201505 1 001", BIRTH + ", not 19850229", "text '19850229 201505 1 001'"),
    ("18991231 192001 1 001", BIRTH + ", not 18991231", "text '18991231 192001 1 001'"),
    ("00000000 201505 1 001", BIRTH + ", not 00000000", "text '00000000 201505 1 001'"),
    ("19860926 201513 1 001", APPOINTED, "text '19860926 201513 1 001'"),
    ("19860926 201500 1 001", APPOINTED, "text '19860926 201500 1 001'"),
    ("20001231 202420 1 001", APPOINTED, "text '20001231 202420 1 001'"),  # PPPK round 0
    ("19860926 198609 1 001", AFTER, "text '19860926 198609 1 001'"),  # the birth month
    ("19860926 197001 1 001", AFTER, "text '19860926 197001 1 001'"),
    ("20001231 200021 1 001", AFTER, "text '20001231 200021 1 001'"),  # PPPK, birth year
    ("19860926 201505 3 001", SEX + ", not 3", "text '19860926 201505 3 001'"),
    ("19860926 201505 0 001", SEX + ", not 0", "text '19860926 201505 0 001'"),
]


@pytest.mark.parametrize(("value", "expected", "got"), BAD_NIPS)
def test_a_bad_nip_is_an_error_that_says_why(
    ip: Criteria, value: Any, expected: str, got: str
) -> None:
    [(field, said, found)] = issues(ip, pelaksana(nip=value))
    assert field == "nip"
    assert said.startswith(expected)
    assert found.startswith(got)
    if expected == AS_TEXT:
        assert "format the column as text" in said


def test_a_placeholder_nip_is_told_to_leave_the_cell_empty(ip: Criteria) -> None:
    [(_, said, _)] = issues(ip, pelaksana(nip="NULL"))
    assert said.startswith(SHAPE) and said.endswith(EMPTY_HINT)


@pytest.mark.parametrize("value", [None, "", "   ", "\t"])
def test_a_blank_nip_is_a_missing_identifier(ip: Criteria, value: Any) -> None:
    ev = asnmerit.evaluate(ip, pelaksana(nip=value))
    assert ev.identifiers == {"nip": value} and ev.score == 75


def test_identifiers_without_a_format_pass_through_untouched(ip: Criteria) -> None:
    odd = {"nama": "  Ani ", "instansi": 7, "status": "-", "unit_kerja": None}
    assert asnmerit.evaluate(ip, pelaksana(**odd)).identifiers == odd


def test_the_criteria_schema_lists_every_known_format() -> None:
    schema = asnmerit.criteria_schema()
    assert schema["$defs"]["identifier"]["properties"]["format"]["enum"] == list(FORMATS)


def test_every_bundled_nip_identifier_is_checked_and_unique() -> None:
    for info in asnmerit.catalog():
        criteria = asnmerit.get(info.id, as_of=info.valid_from)
        if "nip" in criteria.identifiers:
            ident = criteria.identifiers["nip"]
            assert (ident.format, ident.unique) == ("nip", True), criteria


# -- enum codes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("pendidikan", "S1", "S1"),
        ("pendidikan", " S1 ", "S1"),
        ("pendidikan", "s1", "S1"),
        ("pendidikan", "S-1", "S1"),  # a declared alias
        ("pendidikan", "s-1", "S1"),
        ("pendidikan", "S.1", "S1"),
        ("pendidikan", "S 1", "S1"),
        ("pendidikan", "S\u00a01", "S1"),  # a no-break space from a spreadsheet
        ("pendidikan", "S_1", "S1"),
        ("pendidikan", "D-IV", "D4"),  # the alias
        ("pendidikan", "DIV", "D4"),  # the alias, folded
        ("pendidikan", "d.iv", "D4"),
        ("pendidikan", "D-4", "D4"),  # the code, folded
        ("pendidikan", "sma", "SLTA"),
        ("pendidikan", "Smk", "SLTA"),
        ("predikat_kinerja", "Sangat Baik", "sangat_baik"),
        ("predikat_kinerja", "SANGAT-BAIK", "sangat_baik"),
        ("predikat_kinerja", "sangat  baik", "sangat_baik"),
        ("predikat_kinerja", "Butuh Perbaikan", "butuh_perbaikan"),
        ("hukuman_disiplin", "Tidak Ada", "tidak_ada"),
        ("jenis_jabatan", "PELAKSANA", "pelaksana"),
    ],
)
def test_enum_codes_in_another_case_or_with_separators_are_folded(
    ip: Criteria, field: str, value: str, code: str
) -> None:
    assert asnmerit.evaluate(ip, pelaksana(**{field: value})).inputs[field] == code


BAD_CODES: list[tuple[Any, ...]] = [
    ("S4", EDUCATION, "text 'S4'"),
    ("Sarjana", EDUCATION, "text 'Sarjana'"),  # a label is not a code
    ("S1x", EDUCATION, "text 'S1x'"),
    ("SLTA".translate(FULL_WIDTH), EDUCATION, f"text {'SLTA'.translate(FULL_WIDTH)!r}"),
    ("S/1", EDUCATION, "text 'S/1'"),  # only space, '-', '.' and '_' are ignored
    ("-", EDUCATION + EMPTY_HINT, "text '-'"),
    ("n/a", EDUCATION + EMPTY_HINT, "text 'n/a'"),
    (1, EDUCATION, "number 1"),
    (2.5, EDUCATION, "number 2.5"),
]


@pytest.mark.parametrize(("value", "expected", "got"), BAD_CODES)
def test_a_code_that_matches_nothing_lists_the_codes(
    ip: Criteria, value: Any, expected: str, got: str
) -> None:
    assert issues(ip, pelaksana(pendidikan=value)) == [("pendidikan", expected, got)]


def test_codes_that_fold_alike_are_refused_at_load() -> None:
    text = (asnmerit.spec.criteria_dir() / "ip-asn" / "2019.yaml").read_text("utf-8")
    clash = text.replace("aliases: [SMA, SMK]", "aliases: [SMA, SMK, s.1]")
    assert clash != text
    with pytest.raises(CriteriaError) as info:
        asnmerit.loads(clash)
    [problem] = info.value.problems
    assert problem.code == "input.codes-fold"
    assert problem.message.startswith("'s.1' (of 'SLTA') and 'S1' (of 'S1') are the same")


def test_a_code_and_its_own_alias_may_fold_alike(ip: Criteria) -> None:
    # IP ASN's S1 has the alias S-1: both fold to s1, but name one code, so the file loads.
    s1 = next(c for c in ip.inputs["pendidikan"].codes if c.code == "S1")
    assert s1.aliases == ("S-1",) and fold("S1") == fold("S-1")


def test_criteria_name_codes_exactly(ip: Criteria) -> None:
    inp = ip.inputs["pendidikan"]
    assert coerce(inp, "s1") == "S1"
    with pytest.raises(BadValue):
        coerce(inp, "s1", exact=True)
    assert coerce(inp, "SMA", exact=True) == "SLTA"


# -- empty cells and placeholders ----------------------------------------------------------


@pytest.mark.parametrize("blank", [None, "", "  ", "\t", "\n", " \r\n "])
def test_only_blank_text_counts_as_empty(sink: Criteria, blank: Any) -> None:
    record = {"golongan": "I", "nilai": 50, "jam": 0, "lulus": True, "tanggal": "2024-01-01"}
    assert asnmerit.evaluate(sink, {**record, "unit": blank}).inputs["unit"] == "pusat"
    [(field, expected, got)] = issues(sink, {**record, "jam": blank})
    assert (field, got) == ("jam", "nothing") and expected.startswith("a value (needed by")


@pytest.mark.parametrize("placeholder", ["-", "--", "NULL", "null", "None", "N/A", "n/a", "#N/A"])
@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("nilai", "a number (digits with an optional decimal point)"),
        ("jam", "a whole number"),
        ("lulus", "true or false (ya/tidak, 1/0)"),
        ("unit", "one of pusat, daerah, lain"),
        ("tanggal", "a date YYYY-MM-DD"),
    ],
)
def test_placeholders_for_no_value_are_errors(
    sink: Criteria, placeholder: str, field: str, expected: str
) -> None:
    record = {"golongan": "I", "nilai": 50, "jam": 0, "lulus": True, "tanggal": "2024-01-01"}
    assert issues(sink, {**record, field: placeholder}) == [
        (field, expected + EMPTY_HINT, f"text {placeholder!r}")
    ]


# -- numbers as text -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "normal"),
    [
        ("22.5", Decimal("22.5")),
        ("+22.5", Decimal("22.5")),
        ("  12 ", Decimal(12)),
        ("12.0", Decimal(12)),
        (".5", Decimal("0.5")),
        ("0.125", Decimal("0.125")),  # a leading zero is no thousands group
        ("12.5000", Decimal("12.5")),
        ("1.0000", Decimal(1)),
        ("1000", Decimal(1000)),
    ],
)
def test_numbers_as_text_with_a_decimal_point(value: str, normal: Decimal) -> None:
    assert coerce(Input("x", "number", Text("x")), value) == normal


COMMA = "a number with a decimal point (22.5), not a decimal comma"
DIGITS = "a number (digits with an optional decimal point)"


BAD_NUMBERS: list[tuple[Any, ...]] = [
    ("1,5", COMMA),
    ("22,5", COMMA),
    ("1,000", COMMA),
    ("1.000.000", DIGITS),
    ("1 000", DIGITS),
    ("1.000,5", COMMA),
    ("12".translate(ARABIC_INDIC), DIGITS),  # Python's int() and Decimal() take them
    ("12".translate(FULL_WIDTH), DIGITS),
    ("1e2", DIGITS),
    ("12%", DIGITS),
]


@pytest.mark.parametrize(("value", "expected"), BAD_NUMBERS)
def test_numbers_with_separators_or_other_digits_are_errors(
    jpt: Criteria, value: str, expected: str
) -> None:
    assert issues(jpt, jpt_record("A", nilai_persiapan=value)) == [
        ("nilai_persiapan", expected, f"text {value!r}")
    ]


def test_python_would_read_other_digits() -> None:
    # The reason for the ASCII-only rule: these would be silently read as twelve.
    assert int("12".translate(ARABIC_INDIC)) == 12 and Decimal("12".translate(FULL_WIDTH)) == 12


def thousands(text: str, other: str) -> str:
    return (
        f"a number without thousands separators ({text} could be {other}: write {other}, "
        f"or add a zero ({text}0) for the decimal"
    )


@pytest.mark.parametrize(
    ("inp", "value", "reading"),
    [
        (Input("x", "number", Text("x")), "1.000", "1000"),
        (Input("x", "number", Text("x")), "-12.500", "-12500"),
        (Input("x", "number", Text("x"), min=Decimal(0), max=Decimal(10**6)), "88.125", "88125"),
        (Input("x", "integer", Text("x"), min=Decimal(0), max=Decimal(5000)), "1.000", "1000"),
    ],
)
def test_a_dot_before_three_digits_with_two_readings_is_an_error(
    inp: Input, value: str, reading: str
) -> None:
    with pytest.raises(BadValue) as bad:
        coerce(inp, value)
    assert bad.value.expected == thousands(value, reading)


@pytest.mark.parametrize(
    ("inp", "value", "normal"),
    [  # read as thousands, the value would be out of bounds: one reading only
        (Input("x", "number", Text("x"), min=Decimal(0), max=Decimal(100)), "88.125", "88.125"),
        (Input("x", "number", Text("x"), min=Decimal(0), max=Decimal(100)), "1.000", "1"),
        (Input("x", "integer", Text("x"), min=Decimal(0), max=Decimal(150)), "1.000", "1"),
        (Input("x", "number", Text("x"), max=Decimal(5), step=Decimal("0.005")), "2.125", "2.125"),
    ],
)
def test_a_dot_before_three_digits_with_one_reading_is_a_decimal_point(
    inp: Input, value: str, normal: str
) -> None:
    assert coerce(inp, value) == Decimal(normal)


def test_an_integer_with_three_decimals_is_not_read_as_thousands(sink: Criteria) -> None:
    record = {"golongan": "I", "nilai": 50, "jam": "12.500", "lulus": True, "tanggal": "2024-01-01"}
    assert issues(sink, record) == [("jam", "a whole number", "text '12.500'")]


def test_jpt_scores_take_three_decimals(jpt: Criteria) -> None:
    assert issues(jpt, jpt_record("A", nilai_persiapan="88.125")) == [
        ("nilai_persiapan", "a multiple of 0.01", "text '88.125'")
    ]
    ev = asnmerit.evaluate(jpt, jpt_record("A", nilai_persiapan="1.000"))
    assert ev.inputs["nilai_persiapan"] == 1


# -- records that are not records ----------------------------------------------------------


def test_a_record_that_is_not_a_mapping(ip: Criteria) -> None:
    assert issues(ip, ["jenis_jabatan", "pelaksana"]) == [
        ("(record)", "a mapping of field names to values", "list")
    ]
    [row] = evaluate_records(ip, ["pelaksana"])  # type: ignore[list-item]
    assert isinstance(row.error, InputError) and row.error.issues[0].row == 1


def test_an_input_given_under_its_name_and_an_alias() -> None:
    merit = asnmerit.get("sistem-merit", as_of="2023-06-01")
    found = issues(merit, {"pengembangan_karier": 75, "Pengembangan Karir": 75})
    assert (
        "pengembangan_karier",
        "one value (given as 'pengembangan_karier' and 'Pengembangan Karir')",
        "two",
    ) in found


@pytest.mark.parametrize("field", ["NIP", "nip ", "Pendidikan", "pendidikan_terakhir"])
def test_unknown_fields_are_errors(ip: Criteria, field: str) -> None:
    [(name, expected, got)] = issues(ip, {**pelaksana(), field: "x"})
    assert (name, got) == (field, "an unknown field")
    assert expected.startswith("a declared field (jenis_jabatan, pendidikan,")


# -- batches -------------------------------------------------------------------------------


def test_batch_rows_carry_their_row_number(ip: Criteria) -> None:
    rows = evaluate_records(
        ip,
        [
            pelaksana(nip="19860926 201505 1 001", pendidikan="s-1"),
            pelaksana(nip="19861326 201505 1 001"),
            pelaksana(nip=1.98609e17, pendidikan="Sarjana"),
            pelaksana(nip="", predikat_kinerja="Sangat Baik"),
        ],
    )
    assert [r.row for r in rows] == [1, 2, 3, 4]
    assert [r.ok for r in rows] == [True, False, False, True]
    assert rows[0].identifiers == {"nip": NIP} and rows[0].evaluation is not None
    assert rows[0].evaluation.inputs["pendidikan"] == "S1"
    assert isinstance(rows[1].error, InputError) and isinstance(rows[2].error, InputError)
    assert str(rows[1].error).startswith(f"row 2: nip: expected {BIRTH}")
    assert [(i.row, i.field) for i in rows[2].error.issues] == [(3, "pendidikan"), (3, "nip")]
    assert rows[2].identifiers == {"nip": 1.98609e17}  # a refused value is kept as given


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [("nip", v, e) for v, e, _ in BAD_NIPS] + [("pendidikan", v, e) for v, e, _ in BAD_CODES],
)
def test_each_mistake_names_its_row_in_a_batch(
    ip: Criteria, field: str, value: Any, expected: str
) -> None:
    rows = evaluate_records(ip, [pelaksana(), pelaksana(**{field: value}), pelaksana()])
    assert [(r.row, r.ok) for r in rows] == [(1, True), (2, False), (3, True)]
    err = rows[1].error
    assert isinstance(err, InputError)
    [issue] = err.issues
    assert (issue.row, issue.field) == (2, field) and issue.expected.startswith(expected)
    assert str(err).startswith(f"row 2: {field}: expected {expected}")


@pytest.mark.parametrize(("value", "expected"), BAD_NUMBERS)
def test_each_number_mistake_names_its_row_in_a_batch(
    jpt: Criteria, value: str, expected: str
) -> None:
    records = [jpt_record("A"), jpt_record("B"), jpt_record("C", nilai_persiapan=value)]
    rows = evaluate_records(jpt, records)
    assert [r.ok for r in rows] == [True, True, False]
    assert str(rows[2].error) == f"row 3: nilai_persiapan: expected {expected}, got text {value!r}"


def dup_rows(results: list[RowResult]) -> dict[int, list[tuple[str, str, str]]]:
    out = {}
    for r in results:
        if isinstance(r.error, InputError):
            out[r.row] = [(i.field, i.expected, i.got) for i in r.error.issues]
    return out


def test_duplicate_nips_stop_every_row_that_shares_them(ip: Criteria) -> None:
    records = [
        pelaksana(nip="19860926 201505 1 001"),  # 1
        pelaksana(nip="196608011988031001"),  # 2
        pelaksana(nip=int(NIP)),  # 3: the same NIP as row 1
        pelaksana(nip=""),  # 4: blank rows are no duplicates of each other
        pelaksana(nip=None),  # 5
        pelaksana(nip="19660801.198803.1.001", pendidikan="S9"),  # 6: as row 2, and a bad code
        pelaksana(nip="19860926-201505-1-001"),  # 7: as rows 1 and 3
        pelaksana(nip="19861326 201505 1 001"),  # 8: refused, so no duplicate of anything
        pelaksana(nip="19861326 201505 1 001"),  # 9
        pelaksana(),  # 10: no NIP at all
        pelaksana(),  # 11
    ]
    results = evaluate_records(ip, iter(records))  # any iterable
    assert [r.row for r in results] == list(range(1, 12))
    assert [r.ok for r in results] == [False, False, False, True, True] + [False] * 4 + [True] * 2
    errors = dup_rows(results)
    one = "a value used by one record only"
    assert errors[1] == [("nip", one, "text '19860926 201505 1 001' (also in rows 3, 7)")]
    assert errors[2] == [("nip", one, "text '196608011988031001' (also in row 6)")]
    assert errors[3] == [("nip", one, f"number {NIP} (also in rows 1, 7)")]
    assert errors[6] == [
        ("nip", one, "text '19660801.198803.1.001' (also in row 2)"),
        ("pendidikan", EDUCATION, "text 'S9'"),
    ]
    assert errors[7] == [("nip", one, "text '19860926-201505-1-001' (also in rows 1, 3)")]
    assert [i[1].startswith(BIRTH) for i in errors[8] + errors[9]] == [True, True]
    assert [r.identifiers.get("nip") for r in results[:3]] == [NIP, "196608011988031001", NIP]
    for r in results:
        if isinstance(r.error, InputError):
            assert {i.row for i in r.error.issues} == {r.row}


def test_a_unique_identifier_without_a_format_compares_its_text(jpt: Criteria) -> None:
    records = [jpt_record("Kota A"), jpt_record(" Kota A "), jpt_record("kota a"), jpt_record("B")]
    results = evaluate_records(jpt, records)
    assert [r.ok for r in results] == [False, False, True, True]
    assert dup_rows(results)[2] == [
        ("instansi", "a value used by one record only", "text ' Kota A ' (also in row 1)")
    ]


def test_identifiers_that_are_not_unique_may_repeat(ip: Criteria) -> None:
    same = {"instansi": "Dinas A", "nama": "Ani", "status": "PNS"}
    assert all(r.ok for r in evaluate_records(ip, [pelaksana(**same), pelaksana(**same)]))


def test_records_of_a_scheme_without_unique_identifiers_may_repeat() -> None:
    merit = asnmerit.get("sistem-merit", as_of="2023-06-01")
    assert not any(i.unique for i in merit.identifiers.values())
    record = {
        "perencanaan_kebutuhan": 30, "pengadaan": 35, "pengembangan_karier": 75,
        "promosi_dan_mutasi": 30, "manajemen_kinerja": 60,
        "penggajian_penghargaan_disiplin": 30, "perlindungan_dan_pelayanan": 10,
        "sistem_informasi": 20, "instansi": "A",
    }  # fmt: skip
    once = iter([record, record])
    assert [r.ok for r in evaluate_records(merit, once)] == [True, True]


def test_the_cli_reports_duplicate_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from asnmerit.cli import main

    src = tmp_path / "rows.json"
    src.write_text(json.dumps([pelaksana(nip=NIP), pelaksana(nip="19860926 201505 1 001")]))
    assert main(["evaluate", "ip-asn", str(src), "--format", "json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert [row["error"][0]["got"] for row in out] == [
        f"text '{NIP}' (also in row 2)",
        "text '19860926 201505 1 001' (also in row 1)",
    ]


# -- properties ----------------------------------------------------------------------------


@given(st.text())
def test_folding_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


def bundled_enum_inputs() -> list[tuple[str, Any]]:
    found = []
    for info in asnmerit.catalog():
        criteria = asnmerit.get(info.id, as_of=info.valid_from)
        found += [(f"{info.id} {info.version} {n}", i) for n, i in criteria.inputs.items()]
    return [(name, inp) for name, inp in found if inp.type == "enum"]


ENUMS = bundled_enum_inputs()


def test_no_two_codes_of_a_bundled_input_fold_alike() -> None:
    assert len(ENUMS) > 10
    for name, inp in ENUMS:
        owner: dict[str, str] = {}
        for code in inp.codes:
            for spelling in (code.code, *code.aliases):
                assert owner.setdefault(fold(spelling), code.code) == code.code, (name, spelling)


@st.composite
def misspelt(draw: st.DrawFn) -> tuple[Any, str, str]:
    """A bundled enum input, one of its codes, and a spelling of it with random case and
    separators: what a hand-typed spreadsheet cell may hold."""
    _, inp = draw(st.sampled_from(ENUMS))
    code = draw(st.sampled_from(inp.codes))
    spelling = draw(st.sampled_from((code.code, *code.aliases)))
    out = draw(st.sampled_from(["", " "]))
    for ch in spelling:
        if ch in " -._":
            out += draw(st.sampled_from([" ", "-", ".", "_", ""]))
            continue
        out += ch.upper() if draw(st.booleans()) else ch.lower()
        out += draw(st.sampled_from(["", "", "", " ", "-", ".", "_", "\u00a0"]))
    return inp, code.code, out


@given(misspelt())
def test_a_misspelt_code_folds_to_its_own_code_only(case: tuple[Any, str, str]) -> None:
    inp, code, spelling = case
    assert coerce(inp, spelling) == code


@st.composite
def nips(draw: st.DrawFn) -> tuple[str, Any]:
    """A valid NIP built from its parts, in one of its printed forms, and its 18 digits."""
    born = draw(st.dates(dt.date(1900, 1, 1), dt.date(2010, 12, 31)))
    months = draw(st.integers(1, (2100 - born.year) * 12 - born.month))
    year, month = divmod(born.year * 12 + born.month - 1 + months, 12)
    if draw(st.booleans()):
        appointed = f"{year:04d}{month + 1:02d}"
    else:  # an NI PPPK: the year after the birth year at the earliest, 2, a round 1-9
        appointed = f"{max(year, born.year + 1):04d}2{draw(st.integers(1, 9))}"
    sex = draw(st.sampled_from("12"))
    seq = f"{draw(st.integers(0, 999)):03d}"
    digits = f"{born:%Y%m%d}{appointed}{sex}{seq}"
    seps = [draw(st.sampled_from(["", " ", ".", "-"])) for _ in range(3)]
    form = draw(st.sampled_from(["text", "int", "padded"]))
    printed = born.strftime("%Y%m%d") + seps[0] + appointed + seps[1] + sex + seps[2] + seq
    value: Any = int(digits) if form == "int" else printed
    return digits, f" {value}\t" if form == "padded" else value


@given(nips())
def test_a_valid_nip_in_any_printed_form_normalises_to_its_digits(case: tuple[str, Any]) -> None:
    digits, value = case
    assert nip(value) == digits


def is_date(text: str) -> bool:
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:])).year >= 1900
    except ValueError:
        return False


@given(
    st.text("0123456789", min_size=8, max_size=8).filter(lambda t: not is_date(t)),
    st.text("0123456789", min_size=10, max_size=10),
)
def test_an_nip_without_a_birth_date_is_refused(born: str, rest: str) -> None:
    with pytest.raises(BadValue) as info:
        nip(born + rest)
    assert info.value.expected == f"{BIRTH}, not {born}"
