"""Static charts (matplotlib → SVG text) for the report and papers, with Chinese labels.

Each function takes already-computed numbers (from the engines' results or the registry) and
returns an SVG string whose text is drawn as paths in the CJK font (see :mod:`.fonts`), so
it renders the same in a browser, in WeasyPrint and on a machine without the font; with
``output='png'`` it returns PNG bytes instead (used for the PDF).
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from rbcity.outputs.fonts import use_cjk_font

GREY = "#555555"


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    use_cjk_font()
    fig = Figure(figsize=(width, height))
    return fig, fig.add_subplot(1, 1, 1)


def _svg(fig, output: str = "svg") -> str | bytes:
    """SVG text (inline-able: no XML prolog) or, with ``fmt='png'``, PNG bytes at 150 dpi.

    The PDF report embeds PNGs: WeasyPrint lays out glyph-path SVGs several times slower.
    """
    fig.tight_layout()
    buf = io.BytesIO()
    if output == "png":
        fig.savefig(buf, format="png", dpi=150)
        return buf.getvalue()
    fig.savefig(buf, format="svg")
    text = buf.getvalue().decode("utf-8")
    return text[text.index("<svg"):]  # drop the XML prolog/doctype so it can be inlined in HTML


def _style(ax, title: str | None) -> None:
    if title:
        ax.set_title(title, fontsize=11)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=8)


def bar_chart(labels: Sequence[str], values: Sequence[float], title: str | None = None,
              colors: Sequence[str] | None = None, horizontal: bool = False, xlabel: str = "",
              width: float = 6.0, height: float = 3.0, fmt: str = "{:g}", output: str = "svg") -> str | bytes:
    """Bars with their value written at the end of each bar."""
    fig, ax = _figure(width, height)
    pos = list(range(len(labels)))
    colors = list(colors) if colors else ["#3b7dd8"] * len(labels)
    if horizontal:
        bars = ax.barh(pos, values, color=colors)
        ax.set_yticks(pos, labels)
        ax.invert_yaxis()
        ax.set_xlabel(xlabel, fontsize=8)
    else:
        bars = ax.bar(pos, values, color=colors)
        ax.set_xticks(pos, labels, rotation=0 if len(labels) <= 8 else 60,
                      ha="center" if len(labels) <= 8 else "right")
        ax.set_ylabel(xlabel, fontsize=8)
    ax.bar_label(bars, labels=[fmt.format(v) for v in values], fontsize=7, padding=2, color=GREY)
    ax.margins(**({"x": 0.12} if horizontal else {"y": 0.12}))  # room for the value labels
    _style(ax, title)
    return _svg(fig, output)


def stacked_bar_chart(categories: Sequence[str], stacks: dict[str, Sequence[float]],
                      colors: dict[str, str], title: str | None = None, width: float = 6.0,
                      height: float = 3.0, output: str = "svg") -> str | bytes:
    """One bar per category, stacked by ``stacks`` (label → values), legend on the right."""
    fig, ax = _figure(width, height)
    bottom = [0.0] * len(categories)
    pos = list(range(len(categories)))
    for lab, vals in stacks.items():
        ax.bar(pos, vals, bottom=bottom, color=colors.get(lab, "#999999"), label=lab)
        bottom = [b + v for b, v in zip(bottom, vals, strict=True)]
    for p, tot in zip(pos, bottom, strict=True):
        ax.text(p, tot, f"{tot:g}", ha="center", va="bottom", fontsize=7, color=GREY)
    ax.set_xticks(pos, categories)
    if bottom and max(bottom) > 0:
        ax.set_ylim(0, max(bottom) * 1.12)  # room for the totals above the bars
    ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    _style(ax, title)
    return _svg(fig, output)


def line_chart(series: dict[str, tuple[Sequence[int], Sequence[float]]], title: str | None = None,
               ylabel: str = "", width: float = 6.0, height: float = 2.6,
               styles: dict[str, dict] | None = None, output: str = "svg") -> str | bytes:
    """Lines over years (label → (years, values)); missing values break the line."""
    fig, ax = _figure(width, height)
    all_x = []
    for lab, (xs, ys) in series.items():
        all_x += list(xs)
        ax.plot(list(xs), [float("nan") if y is None else y for y in ys], marker="o", markersize=3,
                label=lab, **(styles or {}).get(lab, {}))
    ax.set_ylabel(ylabel, fontsize=8)
    if all_x:
        lo, hi = min(all_x), max(all_x)
        ax.set_xlim(lo - 0.5, hi + 0.5) if hi - lo < 2 else None  # one year: no 1950–2100 axis
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(fontsize=7, frameon=False)
    _style(ax, title)
    return _svg(fig, output)


def progress_chart(rows: Sequence[tuple[str, float | None, float | None, float | None, str]],
                   title: str | None = None, labels: tuple[str, str, str] = ("基期", "现值", "目标"),
                   width: float = 6.0, output: str = "svg") -> str | bytes:
    """Target progress: per indicator a line from baseline to the current value and a target mark.

    ``rows`` are (label, baseline, value, target, colour); values are drawn as % of the way
    from baseline to target, so indicators with different units share one axis.
    """
    fig, ax = _figure(width, 0.5 + 0.45 * max(1, len(rows)))
    for i, (_lab, base, val, tgt, col) in enumerate(rows):
        if base is None or tgt is None or val is None or tgt == base:
            ax.text(0, i, "—", va="center", fontsize=8, color=GREY)
            continue
        pct = 100 * (val - base) / (tgt - base)
        ax.plot([0, pct], [i, i], color=col, linewidth=4, solid_capstyle="butt")
        ax.plot([pct], [i], "o", color=col, markersize=5)
        ax.text(max(pct, 0) + 3, i, f"{pct:.0f}%", va="center", fontsize=7, color=GREY)
    ax.axvline(0, color="#999999", linewidth=0.8)
    ax.axvline(100, color="#333333", linewidth=1, linestyle="--")
    ax.set_yticks(range(len(rows)), [r[0] for r in rows])
    ax.invert_yaxis()
    ax.set_xlabel(f"{labels[0]}=0%，{labels[2]}=100%" if labels[0] == "基期" else
                  f"{labels[0]} = 0%, {labels[2]} = 100%", fontsize=8)
    _style(ax, title)
    return _svg(fig, output)


def sweep_chart(sweep: Sequence[dict], chosen: float | None = None, title: str | None = None,
                xlabel: str = "阈值", output: str = "svg") -> str | bytes:
    """Precision / recall / F1 against the identification threshold."""
    fig, ax = _figure(6.0, 2.6)
    xs = [p["threshold"] for p in sweep]
    for key, col in (("precision", "#1f77b4"), ("recall", "#2ca02c"), ("f1", "#d62728")):
        ax.plot(xs, [p[key] for p in sweep], marker="o", markersize=3, color=col, label=key)
    if chosen is not None:
        ax.axvline(chosen, color="#333333", linestyle="--", linewidth=0.8)
    ax.set_xlabel(xlabel, fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=7, frameon=False)
    _style(ax, title)
    return _svg(fig, output)
