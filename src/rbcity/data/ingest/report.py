"""What an import tells its user: reason codes with labels, reject records, the report."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

#: reason code → (中文, English) label
REASONS: dict[str, tuple[str, str]] = {
    "unknown_city": ("未知城市", "unknown city"),
    "ambiguous_city": ("城市有歧义", "ambiguous city"),
    "city_keys_disagree": ("城市字段互相矛盾", "city keys disagree"),
    "city_not_in_year": ("该年份不存在此城市名", "name not in use that year"),
    "unknown_indicator": ("未知指标", "unknown indicator"),
    "scope_mismatch": ("口径无对应指标", "no catalogue indicator for this 口径/price basis"),
    "unit_missing": ("未注明单位", "unit missing"),
    "unit_incompatible": ("单位不兼容", "unit incompatible"),
    "not_a_number": ("不是数值", "not a number"),
    "uncached_formula": ("公式无缓存值", "formula without a cached value"),
    "out_of_range": ("超出有效范围", "outside the valid range"),
    "duplicate_conflict": ("文件内重复且数值不同", "duplicate key with different values"),
    "newer_revision_kept": ("保留较新的修订", "a newer revision is kept"),
    "bad_year": ("年份无效", "not a year"),
    "year_out_of_range": ("年份超出范围", "year out of range"),
    "broken_file": ("文件损坏", "broken file"),
    "empty_file": ("文件为空", "empty file"),
    "wrong_sheet": ("工作表错误", "wrong sheet"),
    "bad_layout": ("无法识别表格结构", "layout not recognised"),
    "unsupported_format": ("不支持的格式", "unsupported format"),
    "too_large": ("文件超出限制", "file over a limit"),
    "store_busy": ("数据库忙", "store busy"),
    "bad_field": ("字段无效", "invalid field"),
}


def label(code: str, lang: str = "zh") -> str:
    """The label of a reason code (the code itself when unknown)."""
    return REASONS.get(code, (code, code))[0 if lang == "zh" else 1]


@dataclass
class Reject:
    """One rejected cell or row, where it was and why."""

    file: str
    sheet: str
    row: int | None
    column: str
    raw_value: str
    reason_code: str
    reason: str


@dataclass
class ImportReport:
    """What an import did. ``n_rows`` counts data rows of the file, ``n_accepted`` accepted
    values (= new + revised + unchanged), ``n_rejected`` reject records. ``n_kept_newer``:
    values of this file that a newer revision from another file outranks (kept, reported as
    ``newer_revision_kept``; ``restore_older=True`` restores them)."""

    batch_id: int | None
    status: str  # committed | no-op | failed | dry-run
    n_rows: int = 0
    n_accepted: int = 0
    n_new: int = 0
    n_revised: int = 0
    n_rejected: int = 0
    rejects: list[Reject] = field(default_factory=list)
    accepted: pd.DataFrame = field(default_factory=pd.DataFrame)
    file: str = ""
    sheet: str = ""
    source: str = ""
    n_unchanged: int = 0
    n_blank: int = 0
    n_duplicate: int = 0
    message: str = ""
    n_kept_newer: int = 0
    #: wide layouts: one dict per value column (column, label, indicator, unit, scope,
    #: price_basis, matched_by, note) — the mapping ``rbcity import`` prints (issue 13)
    mapping: list = field(default_factory=list)
    #: the format reader that read the file ('' = plain table) and what it skipped/inferred
    kind: str = ""
    notes: list = field(default_factory=list)

    def reasons(self) -> dict[str, int]:
        """Reject counts by reason code."""
        out: dict[str, int] = {}
        for r in self.rejects:
            out[r.reason_code] = out.get(r.reason_code, 0) + 1
        return out
