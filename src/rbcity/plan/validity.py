"""Validity cards: what an engine's result was checked against, the figure, the baseline that
figure must beat, and a verdict in words — so no result is read as a decision unless it earned it.

Every engine run stores its card in the run summary under ``"validity"`` (a plain dict,
:meth:`ValidityCard.to_dict`); :func:`card_of` reads it back from a stored run
(``rbcity.plan.runs.latest_run``).  Outputs render cards and call
:func:`decision_wording_allowed` before wording a result as a decision (已调整, 奖励/退出 …).

Verdicts:

* ``valid`` — checked against something independent and beats its baseline: may be worded as a
  finding/decision (still with its card beside it);
* ``indicative`` — computed and informative, but not checked well enough (or below its bar):
  shown as 仅供参考, never as a decision;
* ``not_valid`` — checked and fails (e.g. a classifier that does not beat calling every city the
  majority type): not for this use.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

VERDICTS = ("valid", "indicative", "not_valid")

#: verdict labels (zh, en)
VERDICT_LABELS = {
    "valid": ("有效", "valid"),
    "indicative": ("仅供参考", "indicative only"),
    "not_valid": ("不适用于此用途", "not valid for this use"),
}


def _pair(x) -> tuple[str, str]:
    """(zh, en) from a pair, a one-element list or a single string (used for both)."""
    if isinstance(x, str):
        return (x, x)
    x = list(x)
    if len(x) == 1:
        return (str(x[0]), str(x[0]))
    return (str(x[0]), str(x[1]))


@dataclass
class ValidityCard:
    """One engine run's validity card (see the module docstring).

    ``figure`` and ``baseline`` are in the same unit as ``metric`` says (a share 0–1 for
    accuracies); ``baseline`` may be NaN/None where no baseline applies (then ``baseline_name``
    says why).  Text fields are (zh, en) pairs.
    """

    engine: str
    verdict: str
    checked_against: tuple[str, str]
    metric: tuple[str, str]
    figure: float | None
    baseline: float | None
    baseline_name: tuple[str, str]
    n: int
    text: tuple[str, str]
    details: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")
        self.checked_against = _pair(self.checked_against)
        self.metric = _pair(self.metric)
        self.baseline_name = _pair(self.baseline_name)
        self.text = _pair(self.text)
        self.figure = _num(self.figure)
        self.baseline = _num(self.baseline)
        self.n = int(self.n)

    def to_dict(self) -> dict:
        """Plain JSON-able dict (lists for the pairs)."""
        d = asdict(self)
        for k in ("checked_against", "metric", "baseline_name", "text"):
            d[k] = list(d[k])
        return d

    @classmethod
    def from_dict(cls, d: dict) -> ValidityCard:
        return cls(engine=d["engine"], verdict=d["verdict"],
                   checked_against=d["checked_against"], metric=d["metric"],
                   figure=d.get("figure"), baseline=d.get("baseline"),
                   baseline_name=d.get("baseline_name") or ("—", "—"), n=d.get("n") or 0,
                   text=d["text"], details=dict(d.get("details") or {}))

    def label(self, lang: str = "zh") -> str:
        """The verdict label in ``lang`` (zh | en)."""
        return verdict_label(self.verdict, lang)

    def lines(self, lang: str = "zh") -> list[str]:
        """The card as short text lines (terminal/report)."""
        i = 0 if lang == "zh" else 1
        fig = "n/a" if self.figure is None else _fmt(self.figure, self.details)
        base = "n/a" if self.baseline is None else _fmt(self.baseline, self.details)
        head = ("有效性" if lang == "zh" else "validity") + f": {self.label(lang)}"
        return [head,
                ("  检验依据: " if lang == "zh" else "  checked against: ") + self.checked_against[i],
                f"  {self.metric[i]} {fig} vs {self.baseline_name[i]} {base} (n={self.n})",
                "  " + self.text[i]]


def _num(x) -> float | None:
    if x is None:
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return None if f != f or f in (float("inf"), float("-inf")) else f


def _fmt(x: float, details: dict) -> str:
    if details.get("unit") == "share":
        return f"{100 * x:.1f}%"
    return f"{x:.3g}"


def verdict_label(verdict: str, lang: str = "zh") -> str:
    """有效 / 仅供参考 / 不适用于此用途 (zh) or valid / indicative only / not valid for this use."""
    zh, en = VERDICT_LABELS[verdict]
    return zh if lang == "zh" else en


def card_of(run: dict | None) -> ValidityCard | None:
    """The card stored in a run row (``runs.latest_run``) or a summary dict; None if absent."""
    if not run:
        return None
    summary = run.get("summary", run) if isinstance(run, dict) else None
    if not isinstance(summary, dict):
        return None
    d = summary.get("validity")
    return ValidityCard.from_dict(d) if isinstance(d, dict) else None


def decision_wording_allowed(card: ValidityCard | dict | None) -> bool:
    """True only for a ``valid`` card: results may then be worded as decisions (已调整,
    奖励/退出, …).  No card means no: a result that was never checked is not a decision."""
    if card is None:
        return False
    if isinstance(card, dict):
        card = card_of({"summary": {"validity": card}}) if "verdict" in card else card_of(card)
    return card is not None and card.verdict == "valid"


def verdict_by_rules(figure: float | None, baseline: float | None, rules: dict) -> str:
    """Verdict from a figure vs its baseline and the spec's ``validity`` rules:

    ``valid`` when ``figure - baseline >= rules['valid_margin']`` (and, if given,
    ``figure >= rules['valid_min']``); ``not_valid`` when ``figure < baseline`` (or below
    ``rules['not_valid_below']``); ``indicative`` otherwise or when the figure is missing.
    """
    f, b = _num(figure), _num(baseline)
    if f is None:
        return "indicative"
    if b is not None and f < b:
        return "not_valid"
    if "not_valid_below" in rules and f < float(rules["not_valid_below"]):
        return "not_valid"
    margin = float(rules.get("valid_margin", 0.0))
    if (b is None or f - b >= margin) and f >= float(rules.get("valid_min", float("-inf"))):
        return "valid" if rules.get("can_be_valid", True) else "indicative"
    return "indicative"


def unchecked_card(engine: str, n: int = 0) -> ValidityCard:
    """The card of a run that carries none of its own: indicative, nothing checked."""
    return ValidityCard(
        engine=engine, verdict="indicative",
        checked_against=("未与独立依据核对", "not checked against anything independent"),
        metric=("—", "—"), figure=None, baseline=None,
        baseline_name=("无基准", "no baseline"), n=n,
        text=("本结果未经检验，仅供参考，不能作为决定依据。",
              "This result was not checked; indicative only, not a basis for decisions."))
