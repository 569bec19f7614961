"""The CJK font for charts (matplotlib) and PDFs (WeasyPrint), found once and set explicitly.

Chinese labels need a font with CJK glyphs; without one matplotlib and Pango draw empty boxes
(豆腐块, "tofu") and the report is useless. The README's install command installs Debian's
``fonts-noto-cjk``, so we look for "Noto Sans CJK SC" first, then a few common CJK families.
matplotlib's font cache may predate the font's installation (it then claims the font does not
exist), so a miss triggers one cache rebuild before we give up with a :class:`FontMissing`
that says which package to install.
"""

from __future__ import annotations

from functools import lru_cache

from rbcity.errors import UserError

#: Families tried in order; the first one installed is used everywhere.
CJK_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
    "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Noto Serif CJK SC",
)

INSTALL_HINT = "sudo apt-get install fonts-noto-cjk（或运行 bash scripts/bootstrap.sh run）"


class FontMissing(UserError):
    """No CJK font is installed, so Chinese text cannot be drawn."""


def _installed_families() -> set[str]:
    from matplotlib import font_manager

    return {f.name for f in font_manager.fontManager.ttflist}


def _rebuild_cache() -> None:
    """Re-scan the system fonts (the cached list may be older than fonts-noto-cjk)."""
    from matplotlib import font_manager

    font_manager.fontManager = font_manager._load_fontmanager(try_read_cache=False)


@lru_cache(maxsize=1)
def cjk_family() -> str:
    """The name of the installed CJK font family matplotlib and WeasyPrint will use.

    Raises :class:`FontMissing` when none of :data:`CJK_FAMILIES` is installed.
    """
    have = _installed_families()
    for fam in CJK_FAMILIES:
        if fam in have:
            return fam
    _rebuild_cache()
    have = _installed_families()
    for fam in CJK_FAMILIES:
        if fam in have:
            return fam
    raise FontMissing(
        "未找到中文字体 no CJK font found (tried: " + ", ".join(CJK_FAMILIES) + "); "
        f"install one: {INSTALL_HINT}")


def use_cjk_font() -> str:
    """Set matplotlib's rcParams to draw Chinese with the CJK family; returns the family.

    Text in SVG output is drawn as paths, so the SVG shows the right glyphs on any machine.
    """
    import matplotlib

    fam = cjk_family()
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = [fam, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False
    matplotlib.rcParams["svg.fonttype"] = "path"
    matplotlib.rcParams["svg.hashsalt"] = "rbcity"  # deterministic ids in SVG output
    return fam


def css_font_stack() -> str:
    """The CSS ``font-family`` value for HTML and WeasyPrint (CJK family first)."""
    fam = cjk_family()
    rest = [f for f in CJK_FAMILIES if f != fam]
    return ", ".join(f'"{f}"' for f in [fam, *rest]) + ", sans-serif"
