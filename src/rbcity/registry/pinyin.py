"""English (Hanyu Pinyin) names of cities and places, for ``--lang en`` and pinyin search.

Official romanisations that plain pinyin gets wrong or that differ by convention (Mongolian
names such as 鄂尔多斯 Ordos, polyphones such as 长治 Changzhi) are fixed in :data:`OVERRIDES`;
the rest is ``pypinyin`` (MIT) with tone marks dropped, 'ü' kept, and an apostrophe before a
syllable that starts with a vowel (六安 Lu'an). The administrative suffix becomes an English
word (县 County, 地区 Prefecture, 盟 League …); 市 (city) is dropped as in common usage.
"""

from __future__ import annotations

import re
from functools import lru_cache

#: Short names (suffix stripped) whose accepted English name is not plain pinyin.
OVERRIDES: dict[str, str] = {
    "长治": "Changzhi", "长春": "Changchun", "长沙": "Changsha", "鄂尔多斯": "Ordos",
    "呼伦贝尔": "Hulunbuir", "锡林郭勒": "Xilingol", "阿拉善": "Alxa", "巴彦淖尔": "Bayannur",
    "乌兰察布": "Ulanqab", "兴安": "Hinggan", "大兴安岭": "Da Hinggan Ling", "包头": "Baotou",
    "吕梁": "Lüliang", "六安": "Lu'an", "六盘水": "Liupanshui", "蚌埠": "Bengbu",
    "乌鲁木齐": "Urumqi", "克拉玛依": "Karamay", "哈密": "Hami", "阿勒泰": "Altay",
    "巴音郭楞": "Bayingolin", "伊犁": "Ili", "喀什": "Kashgar", "和田": "Hotan",
    "阿克苏": "Aksu", "塔城": "Tacheng", "昌吉": "Changji", "博尔塔拉": "Bortala",
    "克孜勒苏": "Kizilsu", "吐鲁番": "Turpan", "海西": "Haixi", "西藏": "Tibet",
    "内蒙古": "Inner Mongolia", "陕西": "Shaanxi", "重庆": "Chongqing", "厦门": "Xiamen",
    "单县": "Shan County", "莘县": "Shen County", "蔚县": "Yu County", "铅山": "Yanshan",
    "乐平": "Leping", "乐山": "Leshan", "朝阳": "Chaoyang", "东营": "Dongying",
}

#: Suffix → English word, longest first (checked on the full name).
SUFFIX_EN: tuple[tuple[str, str], ...] = (
    ("经济技术开发区", " Economic and Technological Development Zone"), ("开发区", " Development Zone"),
    ("管理区", " Administrative Zone"), ("自治区", ""), ("自治州", " Prefecture"), ("自治县", " County"), ("自治旗", " Banner"), ("地区", " Prefecture"),
    ("林区", " Forestry District"), ("矿区", " Mining District"), ("特区", " Special District"),
    ("市", ""), ("县", " County"), ("区", " District"), ("盟", " League"), ("旗", " Banner"),
    ("省", ""),
)

_ETHNIC = re.compile(r"(?:(?:藏|羌|布依|苗|朝鲜|蒙古|回|维吾尔|壮|彝|哈尼|傣|景颇|白|土家|侗|黎|傈僳|哈萨克|柯尔克孜"
                     r"|土|撒拉|满|瑶|畲|水|仡佬|纳西|拉祜|佤|普米|独龙|怒|鄂伦春|达斡尔|锡伯|裕固|东乡|保安)族)+$")


def _romanise(han: str) -> str:
    from pypinyin import Style, lazy_pinyin

    syl = lazy_pinyin(han, style=Style.NORMAL, v_to_u=True, errors="default")
    out = ""
    for i, s in enumerate(syl):
        if i and s[:1] in "aoe" and out[-1:].isalpha():
            out += "'"
        out += s
    return out[:1].upper() + out[1:]


@lru_cache(maxsize=4096)
def name_en(name: str) -> str:
    """English name of a Chinese place name: 鹤岗市 → Hegang, 单县 → Shan County,
    阿坝藏族羌族自治州 → Aba Prefecture; a name without Chinese characters is returned as is."""
    if not name or not any("\u4e00" <= ch <= "\u9fff" for ch in name):
        return name
    if name in OVERRIDES:
        return OVERRIDES[name]
    stem, word = name, ""
    for suf, en in SUFFIX_EN:
        if name.endswith(suf) and len(name) > len(suf):
            stem, word = name[: -len(suf)], en
            break
    if word.endswith("Prefecture") or word.endswith("County") or word.endswith("Banner"):
        stripped = _ETHNIC.sub("", stem)
        stem = stripped if len(stripped) >= 2 else stem
    if stem in OVERRIDES:
        return OVERRIDES[stem] + ("" if OVERRIDES[stem].endswith(word.strip()) and word else word)
    return _romanise(stem) + word


def search_key(text: str) -> str:
    """Lower-case letters only: 'He-gang', 'hegang' and 鹤岗's 'Hegang' compare equal."""
    return re.sub(r"[^a-zü]", "", text.lower())


__all__ = ["OVERRIDES", "name_en", "search_key"]
