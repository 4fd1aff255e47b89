"""The standard tables of the annual report (../shared/SCHEMA.md): row and column keys and their printed labels.

Labels here are what the templates print; `ingest/tables.py` matches real, messy labels against them.
"""
from __future__ import annotations

BLANK_MARKS = {"", "/", "／", "—", "——", "-", "－", "–", "\\", "、", "无", "空"}   # what a report prints for "nothing"

FORMAT_2021 = "2021"
FORMAT_2019 = "2019"

# 表二 (2021 format): row key -> (label, column keys). A row with one value uses the column "value".
TABLE2_ROWS: dict[str, tuple[str, tuple[str, ...]]] = {
    "regulations": ("规章", ("issued", "repealed", "in_force")),
    "normative_documents": ("行政规范性文件", ("issued", "repealed", "in_force")),
    "administrative_license": ("行政许可", ("value",)),
    "administrative_penalty": ("行政处罚", ("value",)),
    "administrative_coercion": ("行政强制", ("value",)),
    "administrative_fees": ("行政事业性收费", ("value",)),
}
TABLE2_COLUMN_LABELS = {"issued": "本年制发件数", "repealed": "本年废止件数", "in_force": "现行有效件数",
                        "value": "本年处理决定数量"}
TABLE2_FEES_LABEL = "本年收费金额（万元）"

# 表二 (2019 trial format): its own rows and columns (RULES.md a.3).
TABLE2_2019_ROWS: dict[str, tuple[str, tuple[str, ...]]] = {
    "regulations": ("规章", ("new_made", "new_published", "total_published")),
    "normative_documents": ("规范性文件", ("new_made", "new_published", "total_published")),
    "administrative_license": ("行政许可", ("prev_items", "delta", "decisions")),
    "other_services": ("其他对外管理服务事项", ("prev_items", "delta", "decisions")),
    "administrative_penalty": ("行政处罚", ("prev_items", "delta", "decisions")),
    "administrative_coercion": ("行政强制", ("prev_items", "delta", "decisions")),
    "administrative_fees": ("行政事业性收费", ("prev_items", "delta")),
    "government_procurement": ("政府集中采购", ("proc_items", "proc_amount")),
}

TABLE3_COLUMNS: tuple[str, ...] = ("natural_person", "commercial", "research", "social_welfare",
                                   "legal_service", "other_org", "total")
TABLE3_COLUMN_LABELS = {"natural_person": "自然人", "commercial": "商业企业", "research": "科研机构",
                        "social_welfare": "社会公益组织", "legal_service": "法律服务机构", "other_org": "其他",
                        "total": "总计"}

# 表三 rows in printed order: key -> label (as in the template).
TABLE3_ROWS: dict[str, str] = {
    "new_received": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "granted": "（一）予以公开",
    "partially_granted": "（二）部分公开",
    "denied_state_secret": "（三）1.属于国家秘密",
    "denied_prohibited_by_law": "（三）2.其他法律行政法规禁止公开",
    "denied_three_securities_one_stability": "（三）3.危及“三安全一稳定”",
    "denied_third_party_rights": "（三）4.保护第三方合法权益",
    "denied_internal_affairs": "（三）5.属于三类内部事务信息",
    "denied_process_info": "（三）6.属于四类过程性信息",
    "denied_enforcement_files": "（三）7.属于行政执法案卷",
    "denied_admin_query": "（三）8.属于行政查询事项",
    "unavailable_not_held": "（四）1.本机关不掌握相关政府信息",
    "unavailable_needs_creation": "（四）2.没有现成信息需要另行制作",
    "unavailable_unclear": "（四）3.补正后申请内容仍不明确",
    "not_processed_complaint": "（五）1.信访举报投诉类申请",
    "not_processed_repeated": "（五）2.重复申请",
    "not_processed_publication": "（五）3.要求提供公开出版物",
    "not_processed_excessive": "（五）4.无正当理由大量反复申请",
    "not_processed_confirmation": "（五）5.要求行政机关确认或重新出具已获取信息",
    "other_overdue_correction": "（六）1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "other_overdue_fee": "（六）2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "other_other": "（六）3.其他",
    "other_processing": "（六）其他处理",
    "total_processed": "（七）总计",
    "carried_forward": "四、结转下年度继续办理",
}
TABLE3_OTHER_SPLIT = ("other_overdue_correction", "other_overdue_fee", "other_other")
TABLE3_DENIED = tuple(k for k in TABLE3_ROWS if k.startswith("denied_"))
TABLE3_UNAVAILABLE = tuple(k for k in TABLE3_ROWS if k.startswith("unavailable_"))
TABLE3_NOT_PROCESSED = tuple(k for k in TABLE3_ROWS if k.startswith("not_processed_"))

TABLE4_GROUPS: dict[str, str] = {
    "review": "行政复议",
    "litigation_direct": "行政诉讼（未经复议直接起诉）",
    "litigation_after_review": "行政诉讼（复议后起诉）",
}
TABLE4_COLUMNS: tuple[str, ...] = ("upheld", "corrected", "other", "pending", "total")
TABLE4_COLUMN_LABELS = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果",
                        "pending": "尚未审结", "total": "总计"}

# 信息处理费 table (section 六 in many reports; RULES.md a.1 s6_other, S-FEE): one row, three columns.
FEES_ROW = "information_processing_fee"
FEES_COLUMNS: tuple[str, ...] = ("notices", "notice_amount", "collected_amount")
FEES_COLUMN_LABELS = {"notices": "通知收取件数", "notice_amount": "通知收取金额",
                      "collected_amount": "实际收取金额"}

TABLE_TITLES = {
    "table2": "表二 主动公开政府信息情况",
    "table3": "表三 收到和处理政府信息公开申请情况",
    "table4": "表四 政府信息公开行政复议、行政诉讼情况",
    "fees": "信息处理费收取情况",
}

# The six sections (RULES.md a.1): key -> canonical heading.
SECTIONS: dict[str, str] = {
    "s1_overview": "一、总体情况",
    "s2_proactive": "二、主动公开政府信息情况",
    "s3_requests": "三、收到和处理政府信息公开申请情况",
    "s4_review_litigation": "四、政府信息公开行政复议、行政诉讼情况",
    "s5_problems": "五、存在的主要问题及改进情况",
    "s6_other": "六、其他需要报告的事项",
}


def row_label(table: str, row: str) -> str:
    """The printed label of a row, for messages and citations."""
    if table == "table2":
        return TABLE2_ROWS.get(row, TABLE2_2019_ROWS.get(row, (row,)))[0]
    if table == "table3":
        return TABLE3_ROWS.get(row, row)
    if table == "table4":
        return TABLE4_GROUPS.get(row, row)
    if table == "fees":
        return "信息处理费"
    return row


def column_label(table: str, row: str, col: str) -> str:
    if table == "table2":
        if row == "administrative_fees" and col == "value":
            return TABLE2_FEES_LABEL
        return TABLE2_COLUMN_LABELS.get(col, col)
    if table == "table3":
        return TABLE3_COLUMN_LABELS.get(col, col)
    if table == "table4":
        return TABLE4_COLUMN_LABELS.get(col, col)
    if table == "fees":
        return FEES_COLUMN_LABELS.get(col, col)
    return col
