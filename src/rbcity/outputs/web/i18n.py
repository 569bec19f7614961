"""The dashboard's words: Chinese first, English beside (``?lang=en``)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode

from rbcity.outputs import palette as _palette

T: dict[str, tuple[str, str]] = {
    "app": ("资源型城市可持续发展规划系统", "Resource-based cities plan"),
    "overview": ("总览", "Overview"),
    "cities": ("城市名单", "Cities"),
    "transitions": ("类型调整", "Type transitions"),
    "targets": ("目标评估", "Targets"),
    "warnings": ("预警", "Warnings"),
    "exhausted": ("枯竭城市考核", "Exhausted-city ranking"),
    "coverage": ("数据覆盖", "Data coverage"),
    "import": ("数据导入", "Import data"),
    "audit": ("审计日志", "Audit log"),
    "login": ("登录", "Sign in"),
    "logout": ("退出", "Sign out"),
    "username": ("用户名", "User name"),
    "password": ("密码", "Password"),
    "switch": ("English", "中文"),
    "map_title": ("262个资源型城市分布", "The 262 resource-based cities"),
    "colour_by": ("着色", "Colour by"),
    "by_type": ("类型（2013）", "type (2013)"),
    "by_class": ("类型（最新评估）", "type (latest assessment)"),
    "by_warning": ("预警等级", "warning level"),
    "by_grade": ("协调等级", "coordination grade"),
    "no_coords": ("无坐标，未画出", "without coordinates, not drawn"),
    "total": ("合计", "total"),
    "count": ("数量", "count"),
    "by_type_counts": ("按类型", "by type"),
    "by_level_counts": ("按级别", "by level"),
    "exhausted_cities": ("资源枯竭城市", "resource-exhausted cities"),
    "search": ("搜索", "Search"),
    "search_ph": ("名称、省份、今名称…", "name, province, today's name…"),
    "all": ("全部", "all"),
    "province": ("省份", "province"),
    "level": ("级别", "level"),
    "type": ("类型", "type"),
    "exhausted_f": ("资源枯竭", "exhausted"),
    "yes": ("是", "yes"), "no": ("否", "no"),
    "filter": ("筛选", "Filter"),
    "n_cities": ("个城市", "cities"),
    "download_csv": ("下载 CSV", "Download CSV"),
    "download_json": ("下载 JSON", "Download JSON"),
    "code_history": ("代码沿革", "Code history"),
    "facts": ("基本信息", "Facts"),
    "trends": ("指标趋势", "Indicator trends"),
    "no_obs": ("尚无观测数据。请先导入统计数据。", "No observations yet. Import statistics first."),
    "type_why": ("类型及依据", "Type and why"),
    "warning": ("预警", "Warning"),
    "coordination": ("协调发展", "Coordination"),
    "assessment": ("年度考核", "Annual assessment"),
    "no_run": ("尚无运行结果。登录后可在“重新评估”中运行，或在命令行运行评估。",
               "No results yet. Sign in and re-run, or run the assessment from the command line."),
    "no_result_city": ("本城市尚无此项结果（尚未运行，或缺数据）。", "No result for this city yet (not run, or data missing)."),
    "year": ("年份", "year"),
    "since_2013": ("2013年以来各评估年份", "Every assessed year since 2013"),
    "classified": ("已分类城市", "cities classified"),
    "profile_pdf": ("城市概况报告 PDF", "City profile (PDF)"),
    "profile_html": ("城市概况报告 HTML", "City profile (HTML)"),
    "g_national": ("全国", "national"), "g_type": ("按类型", "by type"),
    "g_province": ("按省份", "by province"), "g_city": ("按城市", "by city"),
    "latest": ("最新", "latest"),
    "from_to": ("由 → 至", "from → to"),
    "moved": ("与2013年类型不同的城市", "Cities whose type differs from 2013"),
    "reason": ("依据", "reason"),
    "matrix": ("类型转移矩阵（行：2013年，列：评估）", "Transition matrix (rows: 2013, columns: assessed)"),
    "agreement": ("与2013年一致率", "agreement with 2013"),
    "indicator": ("指标", "indicator"),
    "value": ("现值", "value"),
    "baseline": ("基期值", "baseline"),
    "target": ("目标值", "target"),
    "status": ("状态", "status"),
    "share_covered": ("覆盖率", "covered"),
    "scope": ("范围", "scope"),
    "level_counts": ("各级预警城市数", "Cities per warning level"),
    "safety_score": ("安全得分", "safety score"),
    "reasons": ("原因", "reasons"),
    "obstacles": ("主要障碍因子", "top obstacles"),
    "rank": ("名次", "rank"),
    "score": ("得分", "score"),
    "grade": ("等级", "grade"),
    "action": ("处理", "action"),
    "city": ("城市", "city"),
    "n_with_value": ("有数据城市数", "cities with a value"),
    "no_coverage": ("尚无观测数据。", "No observations yet."),
    "upload": ("上传并校验", "Upload and validate"),
    "file": ("文件", "file"),
    "source": ("来源", "source"),
    "source_ph": ("如：中国城市统计年鉴2019", "e.g. China City Statistical Yearbook 2019"),
    "validation": ("校验结果", "Validation result"),
    "accepted_rows": ("可导入", "accepted"),
    "rejected_rows": ("被拒行", "rejected rows"),
    "sheet": ("工作表", "sheet"), "row": ("行", "row"), "column": ("列", "column"),
    "raw_value": ("原值", "raw value"),
    "confirm": ("确认导入", "Confirm import"),
    "cancel": ("放弃，重新上传", "Discard and upload another"),
    "imported": ("已导入", "Imported"),
    "batch": ("批次", "batch"),
    "need_login": ("导入数据需要登录。", "Importing needs a signed-in user."),
    "no_write": ("此账户为只读，不能导入数据。", "This account is read-only: it cannot import."),
    "bad_login": ("用户名或密码错误", "Wrong user name or password"),
    "signed_in_as": ("已登录", "Signed in as"),
    "rerun": ("重新评估", "Re-run assessment"),
    "run": ("运行", "run"),
    "error": ("错误", "Error"),
    "not_found": ("未找到", "Not found"),
    "at": ("时间", "when"), "who": ("用户", "who"), "what": ("操作", "what"), "detail": ("详情", "detail"),
    "prev": ("上一页", "previous"), "next": ("下一页", "next"),
    "no_rejects": ("没有被拒的行。", "No rejected rows."),
    "api": ("接口", "API"),
    "sign_in_required": ("需要登录 sign in required", "Sign in required"),
    "resource_score": ("资源保障得分", "resource score"), "development_score": ("发展水平得分", "development score"),
    "job_queued": ("排队中", "Queued"), "job_running": ("正在校验/导入", "Validating / importing"),
    "job_failed": ("导入失败", "Import failed"), "job_reload": ("刷新查看结果", "reload for the result"),
    "rerun_queued": ("排队中", "Queued"), "rerun_running": ("正在计算", "Running the engines"),
    "rerun_failed": ("重新评估失败", "Re-run failed"), "runs_stored": ("已存储的运行", "Runs stored"),
    "validity": ("检验结论", "Validity"), "checked_against": ("检验依据", "checked against"),
    "baseline_to_beat": ("需超过的基准", "baseline to beat"), "not_computed": ("未能计算", "not computed"),
    "engine": ("引擎", "engine"), "indicative_note": ("仅供参考，不作为决定依据", "indicative only, not a basis for decisions"),
    # the statistics reporting system (统计报表) and the plan's programmes
    "forms": ("统计报表", "Forms"),
    "programmes": ("规划专项", "Programmes"),
    "forms_title": ("统计报表完成情况", "Completion of the annual forms"),
    "reporting_year": ("报告年份", "reporting year"),
    "deadline": ("截止日期", "deadline"),
    "your_scope": ("您的权限范围", "Your scope"),
    "all_cities": ("全部城市", "all cities"),
    "no_reporting_role": ("此账户没有报表角色（填报员、省级或国家级审核员、管理员），看不到任何报表。",
                          "This account has no reporting role (reporter, province or national reviewer, admin): it sees no forms."),
    "by_province": ("按省份", "By province"),
    "by_city": ("按城市", "By city"),
    "n_city_col": ("城市数", "cities"),
    "overdue": ("逾期", "overdue"),
    "version": ("版本", "version"),
    "last_change": ("最近修改", "last change"),
    "form": ("报表", "form"),
    "open_form": ("查看", "open"),
    "form_of": ("报表", "Form"),
    "download_xlsx": ("下载报表（Excel，已入库数值锁定）", "Download the form (Excel; stored values locked)"),
    "upload_form": ("上传填好的报表", "Upload the filled form"),
    "upload_btn": ("上传（存为草稿）", "Upload (saved as a draft)"),
    "upload_note": ("上传后为草稿：通过校验的数值暂存，被拒的单元格逐格列出；提交前可再次上传。",
                    "An upload becomes the draft: values that pass the checks are kept, every rejected cell is listed; upload again before submitting."),
    "actions_now": ("可执行的操作", "What you can do now"),
    "no_actions": ("您当前不能对此报表执行任何操作。", "There is nothing you can do on this form now."),
    "act_submit": ("提交审核", "Submit for review"),
    "act_return": ("退回修改", "Return with comments"),
    "act_accept": ("审核通过", "Accept"),
    "act_publish": ("发布（数值入库）", "Publish (values enter the store)"),
    "return_note": ("退回须至少填写一条意见：在下表“填写退回意见”列逐格填写，或填写整表意见。",
                    "A return needs at least one comment: per cell in the “your return comment” column below, or for the whole form."),
    "whole_form": ("整表意见", "whole form"),
    "return_comment": ("退回意见", "return comment"),
    "values": ("数值", "Values"),
    "definition": ("口径", "definition"),
    "unit": ("单位", "unit"),
    "state": ("状态", "state"),
    "v_stored": ("已入库（锁定）", "stored (locked)"),
    "v_reported": ("本次填报", "reported"),
    "v_rejected": ("被拒", "rejected"),
    "v_blank": ("待填", "to fill"),
    "n_blank": ("个指标待填（下载报表填写）", "items still blank (fill them in the downloaded form)"),
    "rejects_title": ("上次上传被拒的单元格", "Rejected cells of the last upload"),
    "cell": ("单元格", "cell"),
    "comments_title": ("退回意见", "Comments from the return"),
    "history_title": ("流转记录", "History"),
    "notes_title": ("说明", "Notes"),
    "no_form_yet": ("尚未上传报表。", "No form uploaded yet."),
    "no_history": ("尚无记录。", "Nothing yet."),
    "stale": ("此报表在您打开后已有改动：您看到的是第 {seen} 版，现在是第 {now} 版（{status}）。请查看下方最新状态后重试。",
              "This form changed after you opened it: you saw version {seen}, it is now version {now} ({status}). Check its current state below and try again."),
    "wrong_state": ("报表当前状态为“{status}”，不能执行“{action}”。", "The form is {status}: “{action}” is not possible now."),
    "done_upload": ("已上传，存为草稿（第 {v} 版）。", "Uploaded as a draft (version {v})."),
    "done_submit": ("已提交审核（第 {v} 版）。", "Submitted for review (version {v})."),
    "done_return": ("已退回修改（第 {v} 版）。", "Returned with comments (version {v})."),
    "done_accept": ("已审核通过（第 {v} 版）。", "Accepted (version {v})."),
    "done_publish": ("已发布，数值已入库（第 {v} 版）。", "Published: the values are in the store (version {v})."),
    "batch_link": ("入库批次", "import batch"),
    "prog_title": ("规划专项进展", "Progress of the plan's programmes"),
    "prog_intro": ("《全国资源型城市可持续发展规划（2013—2020年）》经逐字核对的16项专项目标，进展来自规划评估（目标评估）引擎的最新运行；只有已发布的报表数值进入引擎。无人填报的目标显示“无数据”，不作零计。",
                   "The 16 programme targets checked word for word in the 2013–2020 plan; progress comes from the latest run of the targets engine, which sees published form values only. A target nobody reported shows “no data”, never zero."),
    "prog_scope": ("范围", "Scope"),
    "national_all": ("全国", "national"),
    "programme": ("专项", "programme"),
    "plan_target": ("规划目标（原文）", "target (plan text)"),
    "target_type": ("类型", "type"),
    "target_year": ("目标年", "target year"),
    "progress": ("进展", "progress"),
    "of_target": ("占目标", "of target"),
    "of_national": ("占全国目标", "of the national target"),
    "cities_reporting": ("填报城市", "cities reporting"),
    "contributions": ("各城市填报（计入全国目标）", "What each city reported (counts toward the national targets)"),
    "by_province_reporting": ("各省填报情况", "Reporting by province"),
    "n_reporting_cities": ("有填报的城市", "cities that reported"),
    "n_values_reported": ("填报的专项数值", "programme values reported"),
    "baseline_facts": ("规划背景（基期事实，仅作参照）", "The plan's baseline facts (context only)"),
    "not_evaluated": ("不评估", "not evaluated"),
    "contrib_note": ("累计型和计数型目标只设全国目标：省和城市显示其累计/合计数及占全国目标的比例，状态为“已填报（计入全国）”。",
                     "Cumulative and count targets are national only: a province or city shows its running total and its share of the national target, with the status “reported (counts toward the national target)”."),
    "no_reports_here": ("此范围内尚无任何专项数值。", "Nothing reported in this scope yet."),
    "city_ph": ("城市名称", "city name"),
    "show": ("查看", "Show"),
    "no_data": ("无数据", "no data"),
    "n_values_word": ("个数值", "values"), "n_rejected_word": ("处被拒", "rejected"),
    "n_comments_word": ("条意见", "comments"),
    "filter_all": ("全部", "all"), "showing": ("显示", "showing"),
    "national_share_tag": ("全国", "national"),
    "comments_col": ("已有意见", "comments"), "your_comment": ("填写退回意见", "your return comment"),
}

#: a form's status (``report_form.status``; ``missing``: no form yet)
FORM_STATUSES: dict[str, tuple[str, str]] = {
    "missing": ("未开始", "not started"), "draft": ("草稿", "draft"), "submitted": ("已提交", "submitted"),
    "returned": ("已退回", "returned"), "accepted": ("省级已审核", "accepted"), "published": ("已发布", "published"),
}

#: account roles (``app_user.role``) in words
ROLES: dict[str, tuple[str, str]] = {
    "reporter": ("填报员", "reporter"), "province_reviewer": ("省级审核员", "province reviewer"),
    "national_reviewer": ("国家级审核员", "national reviewer"), "admin": ("管理员", "administrator"),
    "analyst": ("分析员", "analyst"), "viewer": ("只读用户", "viewer"),
}

#: programme target types (``config/programmes.yaml`` ``type``)
TARGET_TYPES: dict[str, tuple[str, str]] = {
    "level": ("达到水平", "level"), "change": ("提高幅度", "change"), "cumulative": ("累计", "cumulative"),
    "count": ("计数", "count"), "duration": ("时长", "duration"),
}

#: the plan's programme headings (``config/programmes.yaml`` ``programme``) in English
PROGRAMMES_EN: dict[str, str] = {
    "规划目标·资源保障有力": "Plan goal: secure resource supply",
    "规划目标·经济活力迸发": "Plan goal: economic vitality",
    "加大矿产资源勘查力度": "More mineral exploration",
    "统筹重要资源开发与保护": "Balance use and protection of key resources",
    "积极发展吸纳就业能力强的产业": "Industries that create many jobs",
    "合理引导产业集聚发展": "Guide industrial clustering",
    "促进就业和再就业": "Employment and re-employment",
    "加快棚户区改造": "Faster shantytown renovation",
    "强化重点污染物防治": "Control of key pollutants",
    "大力推进节能减排": "Energy saving and emission cuts",
    "规划背景": "Background of the plan",
}

#: the audit log's actions in words
AUDIT_ACTIONS: dict[str, tuple[str, str]] = {
    "login": ("登录", "sign-in"), "logout": ("退出", "sign-out"), "login_failed": ("登录失败", "failed sign-in"),
    "login_throttled": ("登录限速", "sign-in throttled"), "import": ("导入", "import"), "rerun": ("重新评估", "re-run"),
    "user_disable": ("停用用户", "account disabled"), "user_enable": ("启用用户", "account enabled"),
    "user_passwd": ("修改密码", "password changed"),
    "form_upload": ("上传报表", "form uploaded"), "form_submit": ("提交报表", "form submitted"),
    "form_return": ("退回报表", "form returned"), "form_accept": ("审核通过报表", "form accepted"),
    "form_publish": ("发布报表", "form published"), "scope_violation": ("越权访问（已拒绝）", "out-of-scope request (refused)"),
}

#: an import batch's status (``import_batch.status`` / the report's ``status``) in words
BATCH_STATUSES: dict[str, tuple[str, str]] = {
    "dry-run": ("仅校验（未导入）", "validated only (not imported)"), "committed": ("已导入", "imported"),
    "no-op": ("无变化（已导入过）", "no change (imported before)"), "failed": ("失败", "failed"),
}

#: the import report's counts, in the order shown
IMPORT_FIELDS: dict[str, tuple[str, str]] = {
    "status": ("状态", "status"), "batch_id": ("批次", "batch"), "n_rows": ("数据行", "rows"),
    "n_accepted": ("可导入值", "accepted values"), "n_new": ("新增", "new"), "n_revised": ("修订", "revised"),
    "n_unchanged": ("未变", "unchanged"), "n_blank": ("空白", "blank"), "n_rejected": ("被拒", "rejected"),
    "message": ("说明", "message"),
}

# category words and colours come from the report's palette, so the web, the report and the
# maps say and show the same thing
WARNING_LEVELS = {zh: en for _, zh, en, _ in _palette.WARNING_LEVELS}
COORD_GRADES = {zh: en for zh, en, _ in _palette.COORDINATION_GRADES}
EXHAUSTED_GRADES = {zh: en for zh, en, _ in _palette.EXHAUSTED_GRADES}
ACTIONS = {"reward": ("奖励", "reward"), "keep": ("保持", "keep"),
           "exit_watch": ("退出观察", "exit watch"), "exit": ("退出", "exit")}
STATUSES = {key: (zh, en) for key, zh, en, _ in _palette.TARGET_STATUS}
COLOURS = dict(_palette.WARNING_COLOR_NAMES)
LEVEL_COLOURS = [c for *_, c in _palette.WARNING_LEVELS]


def tr(key: str, lang: str) -> str:
    pair = T.get(key)
    if pair is None:
        return key
    return pair[0] if lang == "zh" else pair[1]


def zh_en(word: str, table: dict[str, str], lang: str) -> str:
    """A Chinese category word as is, or its English equivalent."""
    return word if lang == "zh" or not word else table.get(word, word)


def pair(key: str, table: dict[str, tuple[str, str]], lang: str) -> str:
    if key in table:
        return table[key][0 if lang == "zh" else 1]
    return key or ""


def half(message: str, lang: str) -> str:
    """The ``lang`` half of a "中文 english" message (as job progress says it): the Chinese part
    ends where the first word of Latin letters begins; a message with no such split is kept whole."""
    parts = re.split(r"\s(?=[A-Za-z])", message or "", maxsplit=1)
    if len(parts) < 2 or not re.search(r"[\u4e00-\u9fff]", parts[0]):
        return message or ""
    return parts[0] if lang == "zh" else parts[1]


def with_lang(path: str, query: str, lang: str) -> str:
    """``path?query`` with ``lang`` set to ``lang`` (dropped for Chinese, the default)."""
    params = [(k, v) for k, v in parse_qsl(query, keep_blank_values=False) if k != "lang"]
    if lang == "en":
        params.append(("lang", "en"))
    q = urlencode(params)
    return f"{path}?{q}" if q else path
