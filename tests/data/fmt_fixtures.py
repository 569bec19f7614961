"""Files in the layouts analysts hold (issue 13), made here: CSMAR CRE tables with DES files,
Stata/SPSS panels with Chinese labels or names, yearbook tables (two-level headers, units row,
title and notes rows). Values are chosen so tests can check conversions by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

#: (Ctnm_id, Ctnm, Prvcnm) of three registry prefectures
CITIES = [("140200", "大同市", "山西省"), ("210300", "鞍山市", "辽宁省"), ("150200", "包头市", "内蒙古自治区")]

DES_TEXT = """CRE_Gdpct 地区生产总值
Sgnyea [统计年度] -
Ctnm_id [城市代码] -
Gdpct01 [国内生产总值] - 单位：亿元
Gdpct04 [第三产业占GDP比重] - 单位：%
Gdpct99 [某项新指标] - 单位：万元
Fict03 [外商实际投资额] - 单位：万美元
"""


def csmar_frame() -> pd.DataFrame:
    rows = []
    for k, (code, name, prov) in enumerate(CITIES):
        for y in (2015, 2016):
            rows.append({"Sgnyea": y, "Ctnm": name, "Ctnm_id": code, "Cttyp": "地级市",
                         "Prvcnm_id": code[:2] + "0000", "Prvcnm": prov,
                         "Gdpct01": 1000.5 + 100 * k + (y - 2015), "Gdpct04": 40.0 + k,
                         "Gdpct99": 7.0, "Fict03": 5000.0 + k})
    return pd.DataFrame(rows)


def write_csmar(folder: Path, fmt: str = "csv", des: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    df = csmar_frame()
    path = folder / f"CRE_Gdpct.{fmt}"
    if fmt == "csv":
        df.to_csv(path, index=False, encoding="utf-8-sig")
    else:  # CSMAR XLSX downloads: code row, Chinese label row, unit row
        labels = {"Sgnyea": "统计年度", "Ctnm": "城市名称", "Ctnm_id": "城市代码", "Cttyp": "城市类型",
                  "Prvcnm_id": "省份代码", "Prvcnm": "省份名称", "Gdpct01": "国内生产总值",
                  "Gdpct04": "第三产业占GDP比重", "Gdpct99": "某项新指标", "Fict03": "外商实际投资额"}
        units = {c: "" for c in df.columns} | {"Gdpct01": "亿元", "Gdpct04": "%", "Fict03": "万美元"}
        pd.concat([pd.DataFrame([labels, units]), df.astype(object)], ignore_index=True).to_excel(path, index=False)
    if des:
        (folder / f"CRE_Gdpct[DES][{fmt}].txt").write_text(DES_TEXT, encoding="utf-8")
    return path


def write_stata_labels(path: Path) -> Path:
    """English variable names, Chinese variable labels with units in brackets."""
    import pyreadstat

    df = pd.DataFrame({"year": [2015.0, 2015.0, 2016.0], "citycode": [140200.0, 210300.0, 140200.0],
                       "v_gdp": [1.5e7, 2.5e7, 1.6e7], "v_pop": [340.0, 350.0, 341.0], "v_odd": [1.0, 2.0, 3.0]})
    labels = ["年份", "城市代码", "地区生产总值（万元）", "年末户籍人口（万人）", "某未知指标"]
    pyreadstat.write_dta(df, str(path), column_labels=labels)
    return path


def write_stata_names(path: Path, sav: bool = False) -> Path:
    """Chinese variable names with the unit glued at the end, no labels."""
    import pyreadstat

    df = pd.DataFrame({"年份": [2015.0, 2016.0], "城市": ["鞍山市", "鞍山市"],
                       "地区生产总值亿元": [2500.0, 2600.0], "年末户籍人口万人": [350.0, 349.0]})
    (pyreadstat.write_sav if sav else pyreadstat.write_dta)(df, str(path))
    return path


def write_yearbook_xlsx(path: Path) -> Path:
    """Title, 单位 line, two-level merged header (indicator over 全市/市辖区), notes rows."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "2-1"
    ws.append(["2016年 地区生产总值和人口"])
    ws.append(["单位：万元"])
    ws.append(["城市", "地区生产总值", None, "年末总人口（万人）", None])
    ws.append([None, "全市", "市辖区", "全市", "市辖区"])
    ws.merge_cells("B3:C3")
    ws.merge_cells("D3:E3")
    ws.append(["大  同", 11000000, 6000000, 340, 180])
    ws.append(["鞍山市", 24000000, 15000000, 350, 150])
    ws.append(["注：市辖区不含县。"])
    ws.append(["资料来源：中国城市统计年鉴2017。"])
    wb.save(path)
    return path


def write_yearbook_txt(path: Path) -> Path:
    """Tab-separated with a title line and a units row."""
    lines = ["2014年 环境", "城市\t工业废水排放量\t工业二氧化硫排放量", "\t万吨\t吨",
             "大同市\t5000\t120000", "包头市\t6000\t150000", "注：摘自年鉴。"]
    path.write_text("\n".join(lines) + "\n", encoding="gbk")
    return path


def write_yearbook_csv(path: Path) -> Path:
    """CSV with title lines above the header and a year column."""
    lines = ["表 3 财政", "单位：万元", "年份,城市,地方一般公共预算收入,地方一般公共预算支出",
             "2015,大同市,1000000,2000000", "2015,鞍山市,1500000,2500000"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_simulated_gdp_pc(path: Path, units: pd.DataFrame, seed: int = 7) -> pd.DataFrame:
    """A realistic 2004–2020 prefecture panel of GDP per capita as a Stata file (variable label
    ``人均地区生产总值（元/人）``): city levels, a common trend, noise, and a small post-2014 drop
    for the 2013 resource-based prefectures. ``units``: unit_id, in_registry."""
    import pyreadstat

    rng = np.random.default_rng(seed)
    rows = []
    for uid, rbc in units[["unit_id", "in_registry"]].itertuples(index=False):
        level = rng.lognormal(np.log(20000), 0.4)
        for y in range(2004, 2021):
            v = level * 1.09 ** (y - 2004) * np.exp(rng.normal(0, 0.05)) * (0.97 if rbc and y >= 2014 else 1.0)
            rows.append((float(y), str(uid), round(float(v), 1)))
    df = pd.DataFrame(rows, columns=["year", "unit_id", "gdppc"])
    pyreadstat.write_dta(df, str(path), column_labels=["年份", "单位代码", "人均地区生产总值（元/人）"])
    return df
