"""The vocabulary a form set is written in.

A form set is data: sheets made of cells, each cell with its defined name, position, kind and
labels, and for derived cells one expression. The same expression is rendered as an Excel formula
by the builder and evaluated in Python by the validator and the merge, so a derived value is
defined exactly once.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from openpyxl.utils import get_column_letter


@dataclass(frozen=True)
class Choice:
    """A drop-down entry: the code the software uses and the label the user sees."""

    code: str
    label: str


# Cell kinds. Input kinds are what a user types; DERIVED cells hold a formula.
COUNT = "count"          # whole number >= 0
TEXT = "text"
YEAR = "year"
DATE = "date"
PHONE = "phone"
CHOICE = "choice"        # one of Cell.choices (label or code accepted)
XMARK = "xmark"          # "x" or blank
DOCNO = "docno"          # one or more document numbers "70-KH/HU; 71-KH/HU"
DOCDATE = "docdate"      # one or more dates "10/11/2022; 29/11/2022"
SCORE = "score"          # a score on the 100-point scale (QĐ 366), decimals allowed: 89,5
DERIVED = "derived"

INPUT_KINDS = frozenset({COUNT, TEXT, YEAR, DATE, PHONE, CHOICE, XMARK, DOCNO, DOCDATE, SCORE})


# --- Excel's view of a cell's contents --------------------------------------------------------
# What the few functions our formulas use make of a cell, for the results written into a saved
# file (Expr.cached). Anything these cannot be sure of is UNKNOWN, and the cell is left blank.

class _Unknown:
    __slots__ = ()

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()
_EPOCH = dt.datetime(1899, 12, 30)


def whole(v):
    """A cell in `+` or SUM: empty is 0; a whole number is itself; anything else UNKNOWN (a
    text "5" Excel would add, a fraction `evaluate` would not)."""
    if v is None:
        return 0
    if isinstance(v, bool) or v is UNKNOWN:
        return UNKNOWN
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer() and abs(v) < 2 ** 53:
        return int(v)
    return UNKNOWN


def is_empty(v):
    """`name=""`: true for an empty cell or an empty text, false for any other value."""
    if v is UNKNOWN:
        return UNKNOWN
    return v is None or v == ""


def as_text(v):
    """A cell in `&` or UPPER: text as it is, a whole number in digits; UNKNOWN for what Excel
    would format its own way (fractions, dates, TRUE/FALSE)."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    n = whole(v)
    return UNKNOWN if n is UNKNOWN or abs(n) >= 10 ** 15 else str(n)


def as_number(v):
    """N(name): a number or a date (its serial number) as it is; text and empty 0."""
    if v is None or isinstance(v, str):
        return 0
    if isinstance(v, bool) or v is UNKNOWN:
        return UNKNOWN
    if isinstance(v, dt.datetime):
        d = v - _EPOCH
        return d.days + d.seconds / 86400
    if isinstance(v, dt.date):
        return (v - _EPOCH.date()).days
    if isinstance(v, (int, float)):
        return v
    return UNKNOWN


def from_serial(n) -> dt.date | None:
    """The day of an Excel serial number, None before 1 March 1900 (Excel counts a 29 February
    1900 that never was)."""
    if n is UNKNOWN or n < 61:
        return None
    return (_EPOCH + dt.timedelta(days=int(n))).date()


def upper(text):
    """UPPER(text); UNKNOWN for a letter whose capital is two letters (ß)."""
    if text is UNKNOWN:
        return UNKNOWN
    up = text.upper()
    return up if len(up) == len(text) else UNKNOWN


# --- expressions --------------------------------------------------------------------------------
# Each expression knows how to write itself as Excel and how to compute itself from values.
# `get(name)` returns the already-computed number for a cell name (0 for blank counts).

class Expr:
    refs: tuple[str, ...] = ()

    def excel(self) -> str:  # pragma: no cover - interface
        raise NotImplementedError

    def evaluate(self, get: Callable[[str], object], ctx: EvalContext):  # pragma: no cover
        raise NotImplementedError

    def cached(self, get: Callable[[str], object]):
        """The result Excel shows for `excel()`, from `get(name)`: what the named cell holds as
        saved (a number, a text, a date, None when empty; UNKNOWN when it holds a formula of the
        unit's), or a derived cell's own cached result. UNKNOWN when the contents are outside
        what `evaluate` reads as Excel does (a text in a count cell, a fraction…): the file then
        keeps a blank there, never a wrong number. Written into the saved file (cached_values)
        so a phone preview, python-calamine or pandas show what Excel shows."""
        contents = {}
        for r in self.refs:
            v = self._as_excel_reads(get(r))
            if v is UNKNOWN:
                return UNKNOWN
            contents[r] = v
        return self.evaluate(contents.get, EvalContext())

    def _as_excel_reads(self, v):
        """`v` as `evaluate` may read it and get Excel's result, or UNKNOWN."""
        return whole(v)


@dataclass(frozen=True)
class EvalContext:
    """What a derived value may depend on beyond the cells: the quota share and base."""

    share_percent: int = 20
    base: str = "tot"  # "tot" or "tot_tro_len"


def _num(v) -> int:
    return v if isinstance(v, int) else 0


def percent(num: int, den: int) -> Decimal | None:
    """num/den as a percentage with two decimals, rounded half-up (SPEC §2); None when den is 0."""
    if not den:
        return None
    return (Decimal(num) * 100 / Decimal(den)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def xs_ceiling(xs: int, tot: int, share_percent: int, base: str) -> int:
    """max XS = floor(share × base) (SPEC §2); integer arithmetic, so no float surprises."""
    b = tot + xs if base == "tot_tro_len" else tot
    return (b * share_percent) // 100


def xs_headroom(xs: int, tot: int, share_percent: int, base: str) -> int:
    """How many more of the TOT could be rated XS without passing the ceiling (each move also
    lowers a TOT-based ceiling); 0 when already at or over it. Used where the parent decides."""
    more = 0
    while more < tot and xs + more + 1 <= xs_ceiling(xs + more + 1, tot - more - 1,
                                                     share_percent, base):
        more += 1
    return more


@dataclass(frozen=True)
class Sum(Expr):
    refs: tuple[str, ...]

    def excel(self):
        return "=" + "+".join(self.refs)

    def evaluate(self, get, ctx):
        return sum(_num(get(r)) for r in self.refs)


@dataclass(frozen=True)
class Percent(Expr):
    """100 × sum(nums) / sum(dens), two decimals, blank when the denominator is 0."""

    nums: tuple[str, ...]
    dens: tuple[str, ...]

    @property
    def refs(self):
        return self.nums + self.dens

    def excel(self):
        n = "+".join(self.nums)
        d = "+".join(self.dens)
        n = f"({n})" if len(self.nums) > 1 else n
        d = f"({d})" if len(self.dens) > 1 else d
        return f'=IF({d}=0,"",ROUND(100*{n}/{d},2))'

    def evaluate(self, get, ctx):
        return percent(sum(_num(get(r)) for r in self.nums), sum(_num(get(r)) for r in self.dens))

    def cached(self, get):
        v = super().cached(get)
        return "" if v is None else v       # IF(…=0,"",…): an empty text


@dataclass(frozen=True)
class Ceiling(Expr):
    """The XS ceiling of a group; share and base come from the hidden _meta sheet."""

    xs: str
    tot: str

    @property
    def refs(self):
        return (self.xs, self.tot)

    def excel(self):
        return (f'=INT(IF(META_CoSo="tot_tro_len",{self.xs}+{self.tot},{self.tot})'
                f"*META_TyLeXS/100)")

    def evaluate(self, get, ctx):
        return xs_ceiling(_num(get(self.xs)), _num(get(self.tot)), ctx.share_percent, ctx.base)

    def cached(self, get):
        # the share and base as the formula reads them: the _meta sheet's cells
        xs, tot, share = whole(get(self.xs)), whole(get(self.tot)), whole(get("META_TyLeXS"))
        base = get("META_CoSo")
        if UNKNOWN in (xs, tot, share) or base is UNKNOWN:
            return UNKNOWN
        tro_len = isinstance(base, str) and base.casefold() == "tot_tro_len"
        return self.evaluate({self.xs: xs, self.tot: tot}.get,
                             EvalContext(share, "tot_tro_len" if tro_len else "tot"))


@dataclass(frozen=True)
class CountIf(Expr):
    """How many cells of a list column hold one label (Biểu 4 results)."""

    column: str  # defined name of a column range
    label: str
    cells: tuple[str, ...] = ()  # the column's cell names, for evaluation
    codes: tuple[str, ...] = ()  # the codes the reader turns the label into

    @property
    def refs(self):
        return self.cells

    def excel(self):
        return f'=COUNTIF({self.column},"{self.label}")'

    def evaluate(self, get, ctx):
        # a drop-down cell is read as its code ("DA"), a typed one may hold the label: Excel's
        # COUNTIF sees the label, so both spellings of the one choice count here
        want = {self.label.casefold(), *(k.casefold() for k in self.codes)}
        return sum(1 for c in self.cells if str(get(c) or "").strip().casefold() in want)

    def _as_excel_reads(self, v):
        # Excel counts the label exactly (any case), not a code nor a label with spaces around
        if isinstance(v, str) and (v != v.strip() or v.casefold() != self.label.casefold()
                                   and v.casefold() in {k.casefold() for k in self.codes}):
            return UNKNOWN
        return v


@dataclass(frozen=True)
class CountA(Expr):
    column: str
    cells: tuple[str, ...] = ()

    @property
    def refs(self):
        return self.cells

    def excel(self):
        return f"=COUNTA({self.column})"

    def evaluate(self, get, ctx):
        return sum(1 for c in self.cells if str(get(c) or "").strip())

    def _as_excel_reads(self, v):
        # Excel also counts a cell of spaces, a 0 and FALSE; `evaluate` does not
        if v is None or v is UNKNOWN:
            return v
        return v if str(v).strip() and v is not False and v != 0 else UNKNOWN


# --- cells, sheets, form sets -------------------------------------------------------------------

@dataclass(frozen=True)
class Cell:
    """One cell of a form: where it is, what it holds and how to talk about it."""

    name: str               # workbook-level defined name (ASCII)
    sheet: str
    row: int
    col: int
    kind: str
    row_label: str = ""
    col_label: str = ""
    row_key: str = ""       # e.g. "DV"
    col_key: str = ""       # e.g. "TONG"
    choices: tuple[Choice, ...] = ()
    expr: Expr | None = None
    required: bool = False  # Thông tin fields
    number_format: str | None = None
    year_index: int | None = None  # so_ket_quy_dinh per-year columns: 0 = first year
    hint: str = ""          # shown beside Thông tin fields

    @property
    def a1(self) -> str:
        return f"{get_column_letter(self.col)}{self.row}"

    @property
    def ref(self) -> str:
        """How Excel users point at a cell: Biểu 3!E12."""
        return f"{self.sheet}!{self.a1}"

    @property
    def is_input(self) -> bool:
        return self.kind in INPUT_KINDS


@dataclass(frozen=True)
class RowDef:
    key: str
    label: str
    stt: str = ""
    indent: int = 0
    section: bool = False          # a heading row with no cells
    required_for: frozenset = frozenset()  # unit types for which a blank row is an R-REQ finding
    na: frozenset = frozenset()    # column keys with no cell on this row (greyed)
    italic: bool = False


@dataclass(frozen=True)
class ColDef:
    key: str
    label: str
    kind: str = COUNT
    group: str = ""                # spanning header above the column
    width: float = 9.0
    number_format: str | None = None
    header: Expr | None = None     # a formula shown instead of the label (year columns)

    @property
    def header_formula(self) -> str | None:
        return self.header.excel() if self.header is not None else None


@dataclass(frozen=True)
class Block:
    """A table on a sheet, for the builder: headers, row labels and where the cells are.

    kind: "info" (label/value pairs), "grid" (rows x columns, first column STT, second label),
    "list" (numbered empty rows), "checklist" (x marks), "years" (document numbers per year).
    """

    kind: str
    top: int                       # first header row
    first_data_row: int
    rows: tuple[RowDef, ...]
    cols: tuple[ColDef, ...]
    first_col: int = 3             # first value column (A = STT, B = label)
    caption: str = ""              # a line above the table (Biểu 5 has four tables)
    header_rows: int = 2
    numbering: bool = True         # a row of (1) (2) ... under the headers
    sum_rows: tuple = ()           # list blocks: derived summary rows (label, cell name)

    @property
    def last_col(self) -> int:
        return self.first_col + len(self.cols) - 1


@dataclass
class SheetSpec:
    name: str
    title: str
    subtitle: str = ""
    form_no: str = ""               # "Biểu số 1" shown top right
    blocks: list[Block] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)
    label_width: float = 42.0
    landscape: bool = True
    ranges: dict[str, str] = field(default_factory=dict)  # extra names: name -> A1 range
    notes: tuple[str, ...] = ()    # footnotes under the last table
    footer_row: int = 0            # "NGƯỜI LẬP BIỂU" block, filled in by the layout helpers
    register: object = None        # spec.danh_sach.RegisterSpec: rows of members, no cell names

    @property
    def last_col(self) -> int:
        reg = [self.register.last_col] if self.register is not None else []
        return max([b.last_col for b in self.blocks] + [4] + reg)

    @property
    def last_row(self) -> int:
        reg = [self.register.last_row] if self.register is not None else []
        return max([c.row for c in self.cells] + [self.footer_row + 3] + reg)


@dataclass
class FormSet:
    """One workbook template: its id, version, sheets and every cell by name, and what kind of
    report it is. The checks, the merge and the written report ask the form set what it holds
    (`rates_units`, `has_opinions`, `period_names`), never which form set it is: a new form set
    declares these and every part follows."""

    id: str
    title: str
    version: str
    sheets: list[SheetSpec]
    rating_year_name: str = "TT_Nam"
    """The name holding the year whose quota applies (the XS share of the _meta sheet) and that
    names the written report: the rating year (TT_Nam) of the annual report, the last year of
    the reviewed period (TT_DenNam) of a review."""
    rates_units: bool = field(kw_only=True)
    """The form carries this year's ratings: the unit's own, its committee's and its leader's,
    with their QĐ 366 scores (R-DIEM), and the ratings its committee decides for its children —
    so the XS quota of the rows it decides is an error (R-QUOTA), and a summary lists each
    child's rating and marks the rows the parent fills itself and the children not yet decided.
    False for a review of the regulation (sơ kết), whose counts of past ratings are history:
    nothing in it is decided."""
    has_opinions: bool = field(kw_only=True)
    """Each unit marks its opinion of the regulation's provisions (phù hợp, chưa phù hợp, đề
    nghị sửa đổi) and lists its documents: a summary gathers the children's opinions and
    documents on sheets of their own (the parent's own marks stay on the forms) where a rated
    form's summary has the quota, the children's shortcomings and their explanations; the
    written report counts the opinions from them."""
    period_names: tuple[str, str] | None = field(kw_only=True)
    """The names of the first and last year of the period the form reports on (a review covers
    several years), or None for a form of one year. Files of different periods are not summed
    together."""

    def __post_init__(self):
        self.cells: dict[str, Cell] = {}
        for sh in self.sheets:
            for c in sh.cells:
                if c.name in self.cells:
                    raise ValueError(f"duplicate defined name {c.name}")
                self.cells[c.name] = c
        self.by_pos: dict[tuple[str, int, int], Cell] = {
            (c.sheet, c.row, c.col): c for c in self.cells.values()}

    @property
    def year_label(self) -> str:
        """What the form calls the year its files are merged by (TT_Nam), as a user reads it in
        a sentence: «năm đánh giá», «năm lập báo cáo» — the label of the cell itself."""
        label = self.cells["TT_Nam"].row_label
        return label[:1].lower() + label[1:]

    @property
    def sheet_names(self) -> list[str]:
        return [s.name for s in self.sheets]

    @property
    def register(self):
        """The member register of this form set (SPEC §8), or None."""
        return next((s.register for s in self.sheets if s.register is not None), None)

    def sheet(self, name: str) -> SheetSpec:
        for s in self.sheets:
            if s.name == name:
                return s
        raise KeyError(name)

    def inputs(self) -> list[Cell]:
        if not hasattr(self, "_inputs"):
            self._inputs = [c for c in self.cells.values() if c.is_input]
        return self._inputs

    def derived(self) -> list[Cell]:
        if not hasattr(self, "_derived"):
            self._derived = [c for c in self.cells.values() if c.kind == DERIVED]
        return self._derived

    def extent(self, sheet: str) -> tuple[int, int]:
        """(rows, cols) a reader must fetch to see every cell of a sheet."""
        sh = self.sheet(sheet)
        return sh.last_row, sh.last_col


def choice_lookup(choices: Sequence[Choice]) -> Mapping[str, str]:
    """Label or code, any case, surrounding spaces ignored -> code."""
    out = {}
    for ch in choices:
        out[ch.code.casefold()] = ch.code
        out[ch.label.casefold()] = ch.code
    return out
