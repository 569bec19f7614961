"""Chinese and English labels for the registry's categories.

Chinese is the primary label everywhere (users search for the Chinese term); the English
label sits beside it and is used with ``--lang en``.
"""

from __future__ import annotations

TYPES: dict[str, tuple[str, str]] = {
    "growth": ("成长型", "growth"),
    "mature": ("成熟型", "mature"),
    "declining": ("衰退型", "declining"),
    "regenerating": ("再生型", "regenerating"),
}

LEVELS: dict[str, tuple[str, str]] = {
    "prefecture": ("地级行政区", "prefecture-level unit"),
    "county_city": ("县级市", "county-level city"),
    "county": ("县", "county"),
    "district": ("市辖区", "urban district / zone"),
}

VERIFICATION: dict[str, tuple[str, str]] = {
    "A": ("A 有来源（名单与类型）", "A sourced (membership and type)"),
    "B": ("B 有来源（名单），类型重建", "B sourced membership, type reconstructed"),
    "C": ("C 据回忆重建，待核对", "C reconstructed from recall, unverified"),
}

PROVINCES_EN: dict[str, str] = {
    "北京市": "Beijing", "天津市": "Tianjin", "河北省": "Hebei", "山西省": "Shanxi",
    "内蒙古自治区": "Inner Mongolia", "辽宁省": "Liaoning", "吉林省": "Jilin",
    "黑龙江省": "Heilongjiang", "上海市": "Shanghai", "江苏省": "Jiangsu", "浙江省": "Zhejiang",
    "安徽省": "Anhui", "福建省": "Fujian", "江西省": "Jiangxi", "山东省": "Shandong",
    "河南省": "Henan", "湖北省": "Hubei", "湖南省": "Hunan", "广东省": "Guangdong",
    "广西壮族自治区": "Guangxi", "海南省": "Hainan", "重庆市": "Chongqing", "四川省": "Sichuan",
    "贵州省": "Guizhou", "云南省": "Yunnan", "西藏自治区": "Tibet", "陕西省": "Shaanxi",
    "甘肃省": "Gansu", "青海省": "Qinghai", "宁夏回族自治区": "Ningxia",
    "新疆维吾尔自治区": "Xinjiang",
}

#: Admin-unit suffixes, longest first, stripped to make a short name (鹤岗市 → 鹤岗).
SUFFIXES: tuple[str, ...] = (
    "经济技术开发区", "经济开发区", "自治县", "自治州", "开发区", "管理区", "林区", "矿区",
    "特区", "地区", "市", "县", "区", "盟", "旗",
)


def label(table: dict[str, tuple[str, str]], key: str | None, lang: str = "zh") -> str:
    """The label of ``key`` in ``table`` for ``lang`` ('zh' or 'en'); '' for a missing key."""
    if key is None or key == "" or key not in table:
        return "" if key is None else str(key)
    return table[key][0 if lang == "zh" else 1]


def province_label(name: str, lang: str = "zh") -> str:
    """A province's name in Chinese (as stored) or English."""
    return name if lang == "zh" else PROVINCES_EN.get(name, name)


def short_name(name: str) -> str:
    """Strip one administrative suffix: 鹤岗市 → 鹤岗, 香格里拉县 → 香格里拉.

    Names of two characters or fewer are kept whole (e.g. 义县 stays 义县, since 义 alone
    is no usable name), as are names that are nothing but a suffix.
    """
    for suf in SUFFIXES:
        if name.endswith(suf) and len(name) - len(suf) >= 2:
            return name[: -len(suf)]
    return name
