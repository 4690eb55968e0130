"""A corpus of record files made the way HR systems and spreadsheets make them, written by
the tests themselves (into a temporary folder), with the expected score of every row.

Twelve employees of a regional agency, spelled as an export spells them (``JFT``,
``Sarjana``, ``Sudah``, ``Hukdis Ringan``...), under headers typed by hand (``Jenis
Jabatan``), beside the columns every export has (No, Golongan, TMT, Unit Kerja,
Keterangan). Each expected score is worked out by hand from the IP ASN point table
(Peraturan BKN 8/2019, docs/schemes/ip-asn.md): qualification + competence + performance +
discipline.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

HEADERS = [
    "No",
    "NIP",
    "Nama",
    "Golongan",
    "TMT Jabatan",
    "Jenis Jabatan",
    "Pendidikan",
    "Diklat Kepemimpinan",
    "Diklat Fungsional",
    "Diklat Teknis 20 JP",
    "Seminar",
    "Predikat Kinerja",
    "Hukuman Disiplin",
    "Unit Kerja",
    "Keterangan",
]

# NIP, name, golongan, jenis jabatan, pendidikan, PIM, fungsional, teknis, seminar,
# predikat, hukuman, keterangan; then the expected score and its parts worked by hand.
EMPLOYEES: list[tuple[list[Any], Decimal]] = [
    (
        ["197604212005112001", "Siti Rahmawati", "III/d", "Administrator", "Magister", "Sudah",
         "", "Ya", "Ya", "Sangat Baik", "Tidak Ada", ""],
        Decimal("95"),  # S2 20 + PIM 15, teknis 15, seminar 10 + 30 + 5
    ),
    (
        ["198001012005011002", "José Santoso", "III/b", "JFT", "Sarjana", "",
         "Sudah", "Belum", "Ya", "Baik", "Nihil", "Guru, SD Negeri 3"],
        Decimal("70"),  # S1 15 + fungsional 15, teknis 0, seminar 10 + 25 + 5
    ),
    (
        ["198507152010012003", "Budi Hartono", "II/c", "JFU", "SMA/Sederajat", "",
         "", "Ya", "Tidak", "Baik", "Hukdis Ringan", "Teguran tertulis\n2023"],
        Decimal("55.5"),  # SLTA 5 + teknis 22.5, seminar 0 + 25 + 3
    ),
    (
        ["197912312006042004", "Dewi Lestari", "III/c", "Pengawas", "D4/S1", "Belum",
         "", "Ya", "Ya", "Cukup", "Tidak Pernah", ""],
        Decimal("60"),  # D4/S1 15 + PIM 0, teknis 15, seminar 10 + 15 + 5
    ),
    (
        ["196805121990031005", "Prof. Agus Salim", "IV/c", "Fungsional Tertentu", "Doktor", "",
         "Ya", "Ya", "Ya", "Sangat Baik", "Tidak Ada", "Peneliti Ahli Utama"],
        Decimal("100"),  # S3 25 + 15 + 15 + 10 + 30 + 5
    ),
    (
        ["199002022015031006", "Rina Marlina", "II/d", "Pelaksana", "D-III", "",
         "", "Ya", "Ya", "Kurang", "Hukdis Sedang", ""],
        Decimal("57"),  # D3 10 + 22.5 + 17.5 + 5 + 2
    ),
    (
        ["197303031998031007", "Hendra Wijaya", "IV/a", "Eselon III", "S1", "Ya",
         "", "Tidak", "Tidak", "Baik", "Hukdis Berat", ""],
        Decimal("56"),  # S1 15 + PIM 15 + 0 + 0 + 25 + 1
    ),
    (
        ["198811112012121008", "Joko Susilo", "II/a", "Fungsional Umum", "SMP", "",
         "", "Tidak", "Ya", "Buruk", "Tidak Ada", ""],
        Decimal("24.5"),  # SLTP 1 + 0 + 17.5 + 1 + 5
    ),
    (
        ["198204042009042009", "Maria Ulfa", "III/c", "JFT", "Magister", "",
         "Belum", "Ya", "Belum", "Baik", "Tidak Ada", ""],
        Decimal("65"),  # S2 20 + 0 + 15 + 0 + 25 + 5
    ),
    (
        ["196512251988031010", "Drs. Bambang, M.Si.", "IV/d", "JPT Pratama", "S3", "Sudah",
         "", "Sudah", "Sudah", "Sangat Baik", "Nihil", "Kepala Dinas"],
        Decimal("100"),  # S3 25 + 15 + 15 + 10 + 30 + 5
    ),
    (
        ["199406062019032011", "Putri Ayu", "II/b", "JFU", "Diploma I", "",
         "", "Ya", "Ya", "Cukup", "Tidak Ada", ""],
        Decimal("65"),  # D1 5 + 22.5 + 17.5 + 15 + 5
    ),
    (
        ["197707072002121012", "Yusuf Maulana", "IV/b", "Administrator", "Sarjana Terapan", "Ada",
         "", "Tidak Ada", "Ada", "Baik", "Tidak Ada", ""],
        Decimal("70"),  # D4 15 + 15 + 0 + 10 + 25 + 5
    ),
]  # fmt: skip

UNITS = ["Dinas Pendidikan", "Badan Kepegawaian dan Pengembangan SDM", "Sekretariat Daerah"]


def rows() -> list[list[Any]]:
    """The employees as the cells of an export, under :data:`HEADERS`."""
    out = []
    for n, (cells, _) in enumerate(EMPLOYEES, start=1):
        nip, name, gol, *scored, note = cells
        tmt = dt.date(2020, 1 + n % 12, 1)
        out.append([n, nip, name, gol, tmt, *scored, UNITS[n % 3], note])
    return out


def expected() -> list[Decimal]:
    """The score of each employee, in order."""
    return [score for _, score in EMPLOYEES]


def _text(cell: Any) -> str:
    return cell.strftime("%d/%m/%Y") if isinstance(cell, dt.date) else str(cell)


def excel_csv(path: Path, *, encoding: str = "utf-8-sig") -> Path:
    """A CSV as Excel in an Indonesian locale saves it: ``;`` between cells, CRLF, a title
    row and an empty padded row above the header, padded empty rows at the end."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    width = len(HEADERS)
    writer.writerow(["DAFTAR PEGAWAI PEMERINTAH KABUPATEN CONTOH", *[""] * (width - 1)])
    writer.writerow([""] * width)
    writer.writerow(HEADERS)
    for row in rows():
        writer.writerow([_text(c) for c in row])
    writer.writerow([""] * width)
    writer.writerow([""] * width)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def unicode_text(path: Path) -> Path:
    """Excel's "Unicode Text": UTF-16 with its byte-order mark, tab-separated."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\r\n")
    writer.writerow(HEADERS)
    for row in rows():
        writer.writerow([_text(c) for c in row])
    path.write_bytes(codecs.BOM_UTF16_LE + buffer.getvalue().encode("utf-16-le"))
    return path


def workbook(path: Path) -> Path:
    """An .xlsx as an HR system writes it: a hidden first sheet, then the data sheet with
    two title rows (merged across), the header on row 4, the row number as a formula never
    computed (in a column not read), dates as dates, the NIP as text."""
    import openpyxl

    book = openpyxl.Workbook()
    hidden = book.active
    hidden.title = "Rekap"
    hidden.sheet_state = "hidden"
    hidden.append(["ringkasan", "jumlah"])
    hidden.append(["pegawai", len(EMPLOYEES)])
    sheet = book.create_sheet("Data Pegawai")
    sheet.append(["DAFTAR PEGAWAI"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    sheet.append(["Keadaan per 31 Desember 2024"])
    sheet.append([])
    sheet.append(HEADERS)
    for i, row in enumerate(rows(), start=5):
        sheet.append(["=ROW()-4", *row[1:]])
        sheet.cell(row=i, column=2).number_format = "@"
    book.save(path)
    return path


def gate_formulas(path: Path) -> Path:
    """An Anugerah ASN workbook written by a script, with formulas Excel never computed:
    the administrative gate as a formula on the regional score (``=F2>=90``: false for
    85, and without a value the scheme's default, true, would apply), and a row made only of
    formulas."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(
        ["Kategori", "Provinsi", "NIP", "Nama", "Instansi", "Nilai Regional", "Nilai Pusat",
         "Nilai Nasional", "Lolos Seleksi Administrasi"]
    )  # fmt: skip
    sheet.append(["administrator", "aceh", "197604212005112001", "A", "Kab. Contoh", 85, 80, 80,
                  "=F2>=90"])  # fmt: skip
    sheet.append(['=LOWER("ADMINISTRATOR")', '="aceh"', "=TEXT(1,0)", "=C3", "=C3", "=80+1",
                  "=80", "=80", "=F3>=90"])  # fmt: skip
    book.save(path)
    return path


FILES = {
    "pegawai-excel-id.csv": excel_csv,
    "pegawai-cp1252.csv": lambda p: excel_csv(p, encoding="cp1252"),
    "pegawai-unicode-text.csv": unicode_text,
    "pegawai.xlsx": workbook,
    "anugerah-formulas.xlsx": gate_formulas,
}
"""The corpus kept in ``tests/data/exports/``: file name -> how it is made."""

FOLDER = Path(__file__).parent / "data" / "exports"


def write_expected(path: Path) -> Path:
    """Each employee's NIP and the score worked by hand, as CSV."""
    lines = ["row,nip,score"]
    for n, (cells, score) in enumerate(EMPLOYEES, start=1):
        lines.append(f"{n},{cells[0]},{score}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main() -> None:
    """Write the corpus into ``tests/data/exports/`` (``python -m tests.exports``)."""
    FOLDER.mkdir(parents=True, exist_ok=True)
    for name, make in FILES.items():
        make(FOLDER / name)
    write_expected(FOLDER / "expected.csv")


if __name__ == "__main__":
    main()
