"""The Jinja2 environment and assets shared by every report: filters, labels, the inlined
ECharts script, the CJK font stack. Undefined template variables are errors (StrictUndefined),
so a report never ships with an unresolved placeholder."""

from __future__ import annotations

import base64
import json
from functools import lru_cache

import jinja2
import markupsafe

from rbcity.outputs.geo import CAPTION, prefecture_geojson_text, static_file
from rbcity.outputs.palette import TARGET_STATUS
from rbcity.outputs.report.results import ENGINES
from rbcity.outputs.terms import term

ACTIONS = {"reward": ("奖励", "reward"), "keep": ("保持", "keep"),
           "exit_watch": ("退出预警", "exit watch"), "exit": ("退出", "exit")}


def fmt_num(v, digits: int = 2) -> str:
    """A number for a table; '—' for a missing one (never 0)."""
    if v is None:
        return "—"
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    if f != f:
        return "—"
    return f"{f:,.{digits}f}"


def fmt_pct(v, digits: int = 0) -> str:
    """A share 0–1 as a percentage; '—' for a missing one."""
    if v is None:
        return "—"
    f = float(v)
    return "—" if f != f else f"{100 * f:.{digits}f}%"


def css_string(text) -> markupsafe.Markup:
    """Text for a CSS string in a <style> element (``content: "…"``): no HTML entities there,
    so quotes and backslashes are CSS-escaped and '<' written as a CSS escape."""
    s = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ").replace("\n", " ")
    return markupsafe.Markup(s)


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("rbcity.outputs", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = fmt_num
    env.filters["pct"] = fmt_pct
    env.filters["css_string"] = css_string
    return env


@lru_cache(maxsize=1)
def echarts_js() -> str:
    """The vendored echarts.min.js (Apache-2.0), for inlining; '</script' cannot occur in it."""
    js = static_file("vendor/echarts/echarts.min.js").read_text(encoding="utf-8")
    return js.replace("</script", "<\\/script")


@lru_cache(maxsize=1)
def rbcity_js() -> str:
    return static_file("js/rbcity-charts.js").read_text(encoding="utf-8")


def png_b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def common_globals(lang: str, mode: str, indicator_names: dict[str, str] | None = None) -> dict:
    """Template globals every report uses (t(), labels, caption, font stack, scripts)."""
    from rbcity.outputs.fonts import css_font_stack

    i = 0 if lang == "zh" else 1
    status = {k: (zh, en) for k, zh, en, _ in TARGET_STATUS}
    from rbcity.registry.labels import TYPES

    def group_label(key: str) -> str:
        kind, _, val = key.partition(":")
        if kind == "type":
            return ("类型：" if i == 0 else "type: ") + TYPES.get(val, (val, val))[i]
        if kind == "province":
            from rbcity.registry.labels import province_label

            return ("省份：" if i == 0 else "province: ") + province_label(val, lang)
        return key

    names = indicator_names or {}
    g = {
        "lang": lang, "mode": mode, "with_scripts": mode == "html",
        "t": (lambda zh, en: zh) if i == 0 else (lambda zh, en: en),
        "status_label": lambda k: status.get(k, (k, k))[i],
        "action_label": lambda k: ACTIONS.get(k, (k, k))[i] if k else "—",
        "engine_title": lambda k: ENGINES.get(k, (k, k))[i],
        "group_label": group_label,
        "indicator_name": lambda k: names.get(k, k),
        "term": lambda x: term(x, lang),
        "caption": CAPTION[lang],
        "font_stack": css_font_stack(),
        "echarts_js": "", "rbcity_js": "", "geojson": "null", "map_options": "{}",
    }
    if mode == "html":
        g.update(echarts_js=echarts_js(), rbcity_js=rbcity_js(), geojson=prefecture_geojson_text())
    return g


def json_for_script(obj) -> str:
    """JSON safe to place inside a <script> element."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
