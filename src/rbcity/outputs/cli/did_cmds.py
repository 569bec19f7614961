"""``rbcity did``: difference-in-differences / event study on the store's panel.

Thin: reads the panel and registry, calls :func:`rbcity.plan.policy.run_did`, renders
with :mod:`rbcity.outputs.did_report`. Every convention is in the printed spec.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rbcity.errors import UserError
from rbcity.outputs.cli import app
from rbcity.outputs.cli.options import Db, Lang, check_lang, store


class DidInputError(UserError):
    """A DID request the data cannot answer (no post-period, unknown grouping, …)."""


def _window(text: str) -> tuple[int, int]:
    try:
        lo, hi = (int(x) for x in text.split(","))
    except ValueError as exc:
        raise DidInputError(f"--window 需要 'LO,HI' 如 -4,4 / expects 'LO,HI', got {text!r}") from exc
    if not lo < 0 <= hi:
        raise DidInputError(f"--window: LO < 0 <= HI required, got {text!r}")
    return lo, hi


@app.command("did")
def did(
    outcome: Annotated[str, typer.Argument(help="结果变量 indicator id, e.g. gdp_per_capita, tertiary_share")],
    treatment: Annotated[str, typer.Option(help="rbc2013 (2013名单) | exhausted (资源枯竭城市批次)")] = "exhausted",
    by: Annotated[str | None, typer.Option(help="分组 type | resource | province")] = None,
    controls: Annotated[str, typer.Option(help="控制变量 comma-separated indicator ids")] = "",
    event_study: Annotated[bool, typer.Option("--event-study", help="事件研究 also estimate event studies + pre-trend test")] = False,
    window: Annotated[str, typer.Option(help="事件窗口 LO,HI relative years, e.g. -4,4")] = "-4,4",
    county_choice: Annotated[str, typer.Option(help="县级成员 drop | parent")] = "drop",
    first_treated: Annotated[int, typer.Option(help="rbc2013 的首个处理年 first treated year")] = 2014,
    control_group: Annotated[str, typer.Option(help="对照组 all | non_rbc")] = "all",
    placebo: Annotated[int, typer.Option(help="安慰剂次数 placebo draws")] = 0,
    seed: Annotated[int, typer.Option(help="随机种子 seed")] = 0,
    out: Annotated[Path | None, typer.Option(help="输出目录 write estimates.csv, table.md, table.tex, sample.csv, event_study.png here")] = None,
    keep_contaminated: Annotated[bool, typer.Option("--keep-contaminated", help="保留含处理县的对照地级市 keep control prefectures holding a treated county")] = False,
    cs_control: Annotated[str | None, typer.Option(help="CS 对照组 notyet | never (default: config)")] = None,
    report: Annotated[bool, typer.Option("--report", help="报告 write report.html and report.pdf to --out (default ./did_report)")] = False,
    lang: Lang = "zh", db: Db = None,
) -> None:
    """双重差分 Difference-in-differences on the 2013 list or the resource-exhausted batches."""
    from rbcity.data.cities import unit_names
    from rbcity.data.panel import load_engine_panel
    from rbcity.outputs import did_report
    from rbcity.plan.policy import run_did
    from rbcity.registry.load import load_registry

    check_lang(lang)
    engine = store(db)
    from rbcity.data.bundled import ensure_bundled

    ensure_bundled(engine)
    ctrl = tuple(c.strip() for c in controls.split(",") if c.strip())
    panel, held = load_engine_panel(engine)  # values flagged by the plausibility checks stay out
    used = held[held["indicator_id"].isin([outcome, *ctrl])]
    if len(used):
        typer.echo(f"暂不使用 held out: {len(used)} 个 {outcome}/控制变量数值被合理性检查标记 (rbcity checks)"
                    if lang == "zh" else f"held out: {len(used)} values of {outcome}/controls flagged by the "
                    "plausibility checks (rbcity checks)")
    try:
        res = run_did(panel, load_registry(), outcome, treatment=treatment, by=by, controls=ctrl,
                      event_study=event_study, window=_window(window), county_choice=county_choice,
                      first_treated_2013=first_treated, n_placebo=placebo, seed=seed,
                      control_group=control_group, unit_names=unit_names(engine),
                      drop_contaminated_controls=not keep_contaminated, cs_control=cs_control)
    except (ValueError, KeyError) as exc:
        raise DidInputError(f"did {outcome}: {exc}") from exc
    typer.echo(did_report.sample_text(res))
    typer.echo("")
    typer.echo(did_report.markdown_table(res))
    if out:
        out.mkdir(parents=True, exist_ok=True)
        res.estimates.to_csv(out / "estimates.csv", index=False)
        res.sample.to_csv(out / "sample.csv", index=False)
        res.sample_log.to_csv(out / "sample_log.csv", index=False)
        (out / "table.md").write_text(did_report.markdown_table(res), encoding="utf-8")
        (out / "table.tex").write_text(did_report.latex_table(res), encoding="utf-8")
        if event_study:
            did_report.plot_event_study(res, out / "event_study.png")
        typer.echo(f"\n→ {out}")
    if report:
        for p in did_report.write_report(res, out or Path("did_report"), lang=lang):
            typer.echo(f"→ {p}")


@app.command("did-synth")
def did_synth(
    city: Annotated[str, typer.Argument(help="处理城市 treated city, name or code, e.g. 枣庄市")],
    outcome: Annotated[str, typer.Argument(help="结果变量 indicator id, e.g. tertiary_share")],
    treatment: Annotated[str, typer.Option(help="rbc2013 | exhausted")] = "exhausted",
    keep_contaminated: Annotated[bool, typer.Option("--keep-contaminated", help="保留含处理县的对照地级市")] = False,
    control_group: Annotated[str, typer.Option(help="对照组 all | non_rbc (donors without resource cities)")] = "all",
    out: Annotated[Path | None, typer.Option(help="输出目录 write synth.png, synth_placebo.csv, synth_path.csv")] = None,
    lang: Lang = "zh", db: Db = None,
) -> None:
    """合成控制 Synthetic control for one treated city, with placebo-in-space inference."""
    from rbcity.data.bundled import ensure_bundled
    from rbcity.data.cities import unit_names
    from rbcity.data.panel import load_panel
    from rbcity.outputs import did_report
    from rbcity.plan.policy.synth import run_synth
    from rbcity.registry.load import load_registry

    check_lang(lang)
    engine = store(db)
    ensure_bundled(engine)
    try:
        sc, spec = run_synth(load_panel(engine), load_registry(), outcome, city, treatment=treatment,
                             drop_contaminated_controls=not keep_contaminated,
                             control_group=control_group, unit_names=unit_names(engine))
    except (ValueError, KeyError) as exc:
        raise DidInputError(f"did-synth {city} {outcome}: {exc}") from exc
    typer.echo(did_report.synth_text(sc, spec))
    if out:
        out.mkdir(parents=True, exist_ok=True)
        sc.path.to_csv(out / "synth_path.csv", index=False)
        sc.weights.to_csv(out / "synth_weights.csv", index=False)
        sc.placebo.to_csv(out / "synth_placebo.csv", index=False)
        did_report.plot_synth(sc, spec, out / "synth.png", lang=lang)
        typer.echo(f"\n→ {out}")
