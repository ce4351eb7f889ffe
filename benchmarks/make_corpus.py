"""Write a synthetic corpus of Henan-style department budgets (部门预算) in the text form.

Usage:
    python benchmarks/make_corpus.py N DIR [--seed S] [--errors RATE] [--codes PATH]

Writes N documents DIR/<index>_<sha256[:16]>.txt shaped like examples/000_d2b944fced3ace59.txt:
the title line `YYYY年度<department>部门预算说明`, the contents, 第一部分 (responsibilities,
divisions, units), 第二部分 (情况说明 with the example's wording, so the narrative parser
finds every figure), 第三部分 (名词解释), the date line, then the 13 tables with the example's
titles, meta lines, header rows (copied verbatim), continuation pages and notes; tables 9 and 10
are empty with their 本表无数据 note. Departments (region + agency), years (2024-2026),
function codes (7-digit 项) and economic codes (5-digit 部门 and 政府 款) vary; codes are drawn
from the observed code lists in ../shared/data/classification (or --codes PATH). Department-years
are all different up to N = 2331 (37 regions x 21 agencies x 3 years), so each document builds
to its own dump files.

Every amount is built bottom-up from integer cents (0.01 万元), so the identities of a correct
document hold exactly: 类/款/项 and table totals; 基本支出 = 人员经费 + 公用经费;
人员经费 = 工资福利支出 + 对个人和家庭的补助; 支出合计 = 基本支出 + 项目支出;
项目支出 = 其他运转类 + 特定目标类; income = expenditure; table 5 = the current-year
general-budget rows of table 3; table 6 = the basic expenditure of tables 3 and 5; the 三公
items of tables 6 and 8; Σ projects of table 11 = 项目支出; each project's 合计 = 本年拨款 +
上年结转; every project of table 11 in table 13 with the same amount. The narrative agrees with
the tables: totals, shares (% to 2 decimals, half up), changes and growth against last year
(last year = this year - change), 三公, 机关运转经费 (= 公用经费) and the project count. As in
the example, 收入合计 and 支出合计 in the narrative include 上年结转结余, and
一般公共预算收支预算 is the general budget including its carry-over (table 4).

--errors RATE (0..1): round(RATE * N) documents, chosen at random, get exactly one contradiction,
one of: amount (an amount changed by at least 1.00 万元), drop-row (a coded or project row removed),
swap-codes (the codes of two rows of different 类 exchanged), narrative (a figure of the 情况说明
changed), delete-project (a project removed from table 13). DIR/errors.csv has one line per
document: file, error, table, row, old, new, column (all but file empty when the document is
correct). The same N, seed and rate give byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import os
import random
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("BUDGETKG_SHARED", ROOT.parent / "shared"))
CODES = SHARED / "data" / "classification"

# ---------------------------------------------------------------------------------------------
# Printed layout, copied verbatim from the example document (these are what mappings/ recognise)
# ---------------------------------------------------------------------------------------------

T1 = (
    "收入\t\t支出\t",
    "项目\t金额\t项目\t金额",
)
T2 = (
    "部门代码\t部门名称\t总计\t本年收入\t\t\t\t\t\t\t\t\t\t上年结转结余\t\t\t\t\t\t",
    "\t\t\t合计\t一般公共预算\t\t政府性基金\t国有资本经营预算\t财政专户管理资金收入\t事业收入\t"
    "事业单位经营收入\t上级补助收入\t附属单位上缴收入\t其他收入\t合计\t一般公共预算\t政府性基金\t"
    "国有资本经营预算\t财政专户管理资金\t单位资金",
    "\t\t\t\t小计\t其中：财政拨款\t\t\t\t\t\t\t\t\t\t\t\t\t\t",
)
T3 = (
    "科目编码\t\t\t单位代码\t单位（科目名称）\t合计\t基本支出\t\t\t项目支出\t\t\t",
    "类\t款\t项\t\t\t\t小计\t人员经费\t\t公用经费\t小计\t其他运转类\t特定目标类",
    "\t\t\t\t\t\t\t工资福利支出\t对个人和家庭 的补助\t\t\t\t",
)
T4 = (
    "收入\t\t支出\t\t\t\t\t",
    "项目\t金额\t项目\t合计\t一般公共预算\t\t政府性基金\t国有资本经营预算",
    "\t\t\t\t小计\t其中：财政拨款\t\t",
)
T6 = (
    "部门预算支出经济分类科目\t\t政府预算支出经济分类科目编码\t\t本年一般公共预算基本支出\t\t",
    "科目编码\t科目名称\t科目编码\t科目名称\t合计\t人员经费\t公用经费",
)
T7 = (
    "部门预算经济分类\t\t\t政府预算经济分类\t\t\t总计\t一般公共预算\t\t政府性基金\t国有资本经营预算\t"
    "上年结转结余\t财政专户管理资金收入\t事业收入\t上级补助收入\t附属单位上缴收入\t事业单位经营收入\t"
    "其他收入",
    "科目编码\t\t科目名称\t科目编码\t\t科目名称\t\t小计\t其中：财政拨款\t\t\t\t\t\t\t\t\t",
    "类\t款\t\t类\t款\t\t\t\t\t\t\t\t\t\t\t\t\t",
)
T7_CONT = (
    "部门预算经济分类\t\t\t政府预算经济分类\t\t\t总计\t一般公共预算\t\t政府性 基金\t"
    "国有资本 经营预算\t上年结转 结余\t财政专户管 理资金收入\t事业 收入\t上级补助 收入\t"
    "附属单位 上缴收入\t事业单位 经营收入\t"
    "其他 收入\t",
    "科目编码\t\t科目名称\t科目编码\t\t科目名称\t\t小计\t其中：财 政拨款\t\t\t\t\t\t\t\t\t\t",
    "类\t款\t\t类\t款\t\t\t\t\t\t\t\t\t\t\t\t\t\t",
)
T8 = (
    "“三公”经费合计\t因公出国（境）费\t公务用车购置及运行费\t\t\t公务接待费",
    "\t\t小计\t公务用车购置费\t公务用车运行费\t",
)
T9 = (
    "科目编码\t\t\t单位代码\t单位（科目名称）\t合计\t基本支出\t\t\t项目支出\t\t\t",
    "类\t款\t项\t\t\t\t小计\t人员经费\t\t公用经费\t小计\t其他运转类\t特定目标类",
    "\t\t\t\t\t\t\t工资福利支出\t对个人和家庭的补助\t\t\t\t",
)
T11 = (
    "部门代码\t部门（项目）名称\t项目类型\t合计\t本年拨款\t\t\t上年结转结余\t\t\t财政专户管理资金\t"
    "单位资金",
    "\t\t\t\t一般公共预算\t政府性基金预算\t国有资本经营预算\t一般公共预算\t政府性基金预算\t"
    "国有资本经营预算\t\t",
)
T11_CONT = (
    "部门代码\t部门（项目）名称\t项目类型\t合计\t本年拨款\t\t\t上年结转结余\t\t\t"
    "财政专户管 理资金\t单位资金",
    "\t\t\t\t一般公共 预算\t政府性基金 预算\t国有资本经 营预算\t一般公共 预算\t政府性基金 预算\t"
    "国有资本经 营预算\t\t",
)
T12_INDICATOR_HEADER = "一级指标\t二级指标\t三级指标\t指标值\t指标值说明"
T13 = (
    "单位编码（项目编码）\t项目单位（项目名称）\t项目金额（万元）\t\t\t\t绩效目标\t\t\t\t\t\t\t",
    "\t\t\t\t\t\t成本指标\t\t产出指标\t\t效益指标\t\t满意度指标\t",
    "\t\t资金总额\t政府预算资金\t财政专户管理资金\t单位资金\t三级指标\t指标值\t三级指标\t指标值\t"
    "三级指标\t指标值\t三级指标\t指标值",
)
T1_INCOME = (
    "一、一般公共预算", "其中：财政拨款", "专项收入", "其他一般公共预算资金", "上级提前下达",
    "一般债券", "二、政府性基金预算拨款收入", "其中：政府性基金预算资金", "上级提前下达",
    "专项债券",
    "三、国有资本经营预算拨款收入", "四、财政专户管理资金收入", "五、事业收入",
    "六、事业单位经营收入",
    "七、上级补助收入", "八、附属单位上缴收入", "九、其他收入",
)
# The 类 rows of tables 1 and 4: the printed number N is 类 code 200 + N.
CLASS_CODES = (
    201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211, 212, 213, 214, 215, 216, 217, 219, 220,
    221, 222, 223, 224, 227, 229, 230, 231, 232, 233, 234,
)
T1_EXP = (
    "一、一般公共服务", "二、外交", "三、国防", "四、公共安全", "五、教育", "六、科学技术",
    "七、文化旅游体育与传媒", "八、社会保障和就业", "九、社会保险基金支出", "十、卫生健康",
    "十一、节能环保", "十二、城乡社区事务", "十三、农林水事务", "十四、交通运输",
    "十五、资源勘探信息等", "十六、商业服务业等", "十七、金融支出", "十九、援助其他地区支出",
    "二十、自然资源海洋气象等支出", "二十一、住房保障支出", "二十二、粮油物资储备支出",
    "二十三、国有资本经营预算", "二十四、灾害防治及应急管理", "二十七、预备费", "二十九、其他支出",
    "三十、转移性支出", "三十一、债务还本支出", "三十二、债务付息支出", "三十三、债务发行费用支出",
    "三十四、抗疫特别国债安排的支出",
)
T4_EXP = (
    "（一）一般公共服务支出", "（二）外交支出", "（三）国防支出", "（四）公共安全支出",
    "（五）教育支出",
    "（六）科学技术支出", "（七）文化体育旅游与传媒支出", "（八）社会保障和就业支出",
    "（九）医疗卫生与计划生育支出", "（十）卫生健康支出", "（十一）节能环保支出",
    "（十二）城乡社区事务支出", "（十三）农林水事务支出", "（十四）交通运输支出",
    "（十五）资源勘探信息等支出", "（十六）商业服务业等支出", "（十七）金融支出",
    "（十九）援助其他地区支出", "（二十）自然资源海洋气象等支出", "（二十一）住房保障支出",
    "（二十二）粮油物资储备支出", "（二十三）国有资本经营预算", "(二十四) 灾害防治及应急管理",
    "(二十七) 预备费", "(二十九) 其他支出", "(三十) 转移性支出", "(三十一) 债务还本支出",
    "(三十二) 债务付息支出", "(三十三) 债务发行费用支出", "(三十四) 抗疫特别国债安排的支出",
)
T4_INCOME = (
    "（一）一般公共预算拨款", "其中：财政拨款", "（二）政府性基金预算拨款",
    "（三）国有资本经营预算拨款",
    "二、上年结转", "（一）一般公共预算拨款", "（二）政府性基金预算拨款",
    "（三）国有资本经营预算拨款",
)
T4_FIRST_PAGE = 23  # body rows on the first page of table 4, as in the example
T12_INPUT = (
    "投入管理指标\t工作目标管理\t年度履职目标相关性\t相关\t",
    "\t\t工作任务科学性\t科学\t",
    "\t\t绩效指标合理性\t合理\t",
    "\t预算和财务管理\t预算编制完整性\t完整\t",
    "\t\t专项资金细化率\t≥90%\t",
    "\t\t预算执行率\t≥90%\t",
    "\t\t预算调整率\t≤30%\t",
    "\t\t结转结余率\t≤20%\t",
    "\t\t“三公经费”控制率\t≤100%\t",
    "\t\t政府采购执行率\t≥80%\t",
    "\t\t决算真实性\t真实\t",
    "\t\t资金使用合规性\t合规\t",
    "\t\t管理制度健全性\t健全\t",
    "\t\t预决算信息公开性\t公开\t",
    "\t\t资产管理规范性\t规范\t",
    "\t绩效管理\t绩效目标编制完成率\t100%\t",
    "\t\t绩效监控完成率\t100%\t",
    "\t\t绩效自评完成率\t100%\t",
    "\t\t部门绩效评价完成率\t100%\t",
    "\t\t评价结果应用率\t100%\t",
)
CONTENTS = (
    "一、部门收支总体情况表", "二、部门收入总体情况表", "三、部门支出总体情况表",
    "四、财政拨款收支总体情况表", "五、一般公共预算支出情况表", "六、一般公共预算基本支出表",
    "七、支出经济分类汇总表", "八、一般公共预算“三公”经费支出情况表",
    "九、政府性基金预算支出情况表",
    "十、国有资本经营预算支出情况表", "十一、项目支出表", "十二、部门（单位）整体绩效目标表",
    "十三、部门预算项目绩效目标汇总表",
)
GLOSSARY = (
    "一、财政拨款收入：是指市级财政当年拨付的资金。",
    "二、事业收入：是指事业单位开展专业活动及辅助活动所取得的收入。",
    "三、其他收入：是指部门取得的除“财政拨款”、“事业收入”、“事业单位经营收入”等以外的收入。",
    "四、用事业基金弥补收支差额：是指事业单位在当年的“财政拨款收入”、“事业收入”、“经营收入”和"
    "“其他收入”不足以安排当年支出的情况下，使用以前年度积累的事业基金（即事业单位以前各年度收支相抵后，"
    "按国家规定提取、用于弥补以后年度收支差额的基金）弥补当年收支缺口的资金。",
    "五、基本支出：是指为保障机构正常运转、完成日常工作任务所必需的开支，其内容包括人员经费和日常公用"
    "经费两部分。",
    "六、项目支出：是指在基本支出之外，为完成特定的行政工作任务或事业发展目标所发生的支出。",
    "七、“三公”经费：是指纳入市级财政预算管理，部门使用财政拨款安排的因公出国（境）费、公务用车购置及"
    "运行费和公务接待费。其中，因公出国（境）费反映单位公务出国（境）的住宿费、差旅费、伙食补助费、杂费、"
    "培训费等支出；公务用车购置及运行费反映单位公务用车购置费及租用费、燃料费、维修费、过路过桥费、保险费、"
    "安全奖励费用等支出；公务接待费反映单位按规定开支的各类公务接待（含外宾接待）支出。",
    "八、行政（事业）单位机关（机构）运转经费：是指为保障单位（包括行政单位和事业单位）运转用于购买货物和"
    "服务的各项资金，包括办公及印刷费、邮电费、差旅费、会议费、福利费、日常维修费及一般设备购置费、办公用房"
    "水电费、办公用房取暖费、办公用房物业管理费、公务用车运行维护费以及其他费用。",
)
NOTE = "注：报表金额单位转换时可能存在四舍五入尾数误差。"
T8_NOTE = (
    "2. 按照党中央、国务院有关规定及部门预算管理有关规定，“三公”经费包括因公出国（境）费、"
    "公务用车购置"
    "及运行费和公务接待费。（1）因公出国（境）费，指单位工作人员公务出国（境）的住宿费、旅费、伙食补助费、"
    "杂费、培训费等支出。（2）公务用车购置及运行费，指单位公务用车购置费及租用费、燃料费、维修费、过路过桥"
    "费、保险费、安全奖励费用等支出，公务用车指用于履行公务的机动车辆，包括领导干部专车、一般公务用车和执法"
    "执勤用车。（3）公务接待费，指单位按规定开支的各类公务接待（含外宾接待）支出。"
)

# ---------------------------------------------------------------------------------------------
# Departments
# ---------------------------------------------------------------------------------------------

REGIONS = (  # region and its 6-digit administrative code (the first digits of a project code)
    ("郑州市金水区", "410105"), ("郑州市中原区", "410102"), ("郑州市二七区", "410103"),
    ("郑州市管城回族区", "410104"), ("郑州市惠济区", "410108"), ("巩义市", "410181"),
    ("新郑市", "410184"), ("登封市", "410185"), ("开封市龙亭区", "410202"),
    ("开封市鼓楼区", "410204"), ("洛阳市老城区", "410302"), ("洛阳市西工区", "410303"),
    ("洛阳市涧西区", "410305"), ("洛阳市洛龙区", "410311"), ("平顶山市新华区", "410402"),
    ("平顶山市卫东区", "410403"), ("安阳市文峰区", "410502"), ("安阳市北关区", "410503"),
    ("鹤壁市淇滨区", "410611"), ("新乡市红旗区", "410702"), ("新乡市卫滨区", "410703"),
    ("焦作市解放区", "410802"), ("焦作市山阳区", "410811"), ("濮阳市华龙区", "410902"),
    ("许昌市魏都区", "411002"), ("漯河市源汇区", "411102"), ("漯河市郾城区", "411103"),
    ("三门峡市湖滨区", "411202"), ("南阳市宛城区", "411302"), ("南阳市卧龙区", "411303"),
    ("商丘市梁园区", "411402"), ("商丘市睢阳区", "411403"), ("信阳市浉河区", "411502"),
    ("信阳市平桥区", "411503"), ("周口市川汇区", "411602"), ("驻马店市驿城区", "411702"),
    ("济源产城融合示范区", "419001"),
)


@dataclass(frozen=True)
class Agency:
    name: str
    topic: str  # what the agency works on, for the narrative
    office: str  # 代字 office of the provincial funding decisions it receives (豫财X)
    admin: str  # 项 code of the 行政运行 row of the department itself
    inst: str  # 项 code of the basic expenditure of its institutions (事业单位)
    projects: tuple[str, ...]  # 项 codes of its project rows
    units: tuple[str, ...]  # subordinate institutions (prefixed with the region)
    items: tuple[str, ...]  # specific-target projects
    divisions: tuple[str, ...]


AGENCIES = (
    Agency("教育局", "教育", "教", "2010301", "2050203", ("2050203", "2059999"),
           ("教育事业发展中心", "教学研究室", "招生考试中心", "学生资助管理中心"),
           ("义务教育学校公用经费补助资金", "学前教育发展资金", "教师培训经费", "校舍维修改造资金",
            "学生资助补助资金", "课后服务保障经费"),
           ("基础教育科", "职业与成人教育科", "学前教育科", "教师工作科", "安全稳定科")),
    Agency("科学技术局", "科技创新", "科", "2010301", "2060503", ("2060503", "2060702"),
           ("科技创新服务中心", "科学技术情报研究所", "生产力促进中心"),
           ("科技创新引导资金", "科普示范基地建设经费", "科技特派员工作经费",
            "高新技术企业培育奖补资金", "重点实验室建设补助资金"),
           ("高新技术科", "成果转化科", "农村科技科", "科技合作科")),
    Agency("工业和信息化局", "工业和信息化", "企", "2010301", "2150899", ("2150899",),
           ("中小企业发展服务中心", "工业经济运行监测中心"),
           ("工业企业技术改造奖补资金", "中小企业公共服务平台建设资金", "专精特新企业培育奖励资金",
            "工业互联网应用示范资金", "节能监察工作经费"),
           ("运行监测协调科", "产业发展科", "信息化推进科", "中小企业科", "节能与综合利用科")),
    Agency("财政局", "财政管理", "预", "2010601", "2010601", ("2010602", "2010607", "2010608"),
           ("财政国库支付中心", "财政投资评审中心", "政府采购服务中心"),
           ("预算管理一体化系统运维经费", "财政投资评审委托业务费", "政府采购监管工作经费",
            "会计人员继续教育经费", "国有资产清查工作经费"),
           ("预算科", "国库科", "经济建设科", "社会保障科", "政府采购监督管理科")),
    Agency("商务局", "商务", "贸", "2011301", "2011350", ("2011302", "2011399", "2169999"),
           ("商务发展服务中心", "招商服务中心"),
           ("外贸发展专项资金", "电子商务进农村示范资金", "消费促进活动经费", "招商引资工作经费",
            "市场监测体系运行经费"),
           ("外贸科", "市场运行科", "流通业发展科", "投资促进科")),
    Agency("统计局", "统计", "行", "2010301", "2010350", ("2010506", "2010507"),
           ("统计普查中心", "社情民意调查中心"),
           ("经济普查工作经费", "统计调查业务经费", "统计执法检查经费", "统计数据质量核查经费"),
           ("综合统计科", "工业交通统计科", "农村统计科", "统计执法监督科")),
    Agency("市场监督管理局", "市场监管", "行", "2010301", "2010350", ("2013802",),
           ("市场监管综合执法大队", "检验检测中心", "消费者权益保护中心"),
           ("食品安全抽检经费", "特种设备安全监察经费", "知识产权保护专项资金",
            "计量检定设备更新资金", "投诉举报平台运维经费"),
           ("登记注册科", "食品安全监督管理科", "特种设备安全监察科", "价格监督检查科",
            "知识产权科")),
    Agency("司法局", "司法行政", "行", "2040601", "2040601",
           ("2040604", "2040605", "2040607", "2040613", "2040699"),
           ("公共法律服务中心", "社区矫正管理中心"),
           ("人民调解员补贴经费", "法治宣传教育经费", "法律援助经费", "社区矫正工作经费",
            "智慧司法平台建设资金"),
           ("法治督察科", "普法与依法治理科", "人民参与和促进法治科", "公共法律服务管理科",
            "社区矫正管理科")),
    Agency("应急管理局", "应急管理", "行", "2010301", "2010350", ("2240299", "2049999"),
           ("应急救援指挥中心", "安全生产执法监察大队"),
           ("安全生产专项整治经费", "应急物资储备资金", "森林防灭火工作经费",
            "应急救援队伍建设资金", "自然灾害风险普查经费"),
           ("安全生产综合协调科", "应急指挥科", "防灾减灾科", "危险化学品安全监督管理科")),
    Agency("文化广电和旅游局", "文化旅游", "文", "2070101", "2070104",
           ("2070108", "2070109", "2070111", "2070112", "2070113", "2070199", "2079903", "2070308"),
           ("图书馆", "文化馆", "文物保护中心", "全民健身服务中心"),
           ("公共文化服务体系建设资金", "文物保护修缮资金", "旅游宣传推介经费", "群众文化活动经费",
            "全民健身设施维护资金", "非物质文化遗产保护经费"),
           ("公共服务科", "文物科", "产业发展科", "市场管理科", "体育科")),
    Agency("人力资源和社会保障局", "人力资源和社会保障", "社", "2010301", "2010350",
           ("2080704", "2080705", "2089999"),
           ("就业服务中心", "社会保险中心", "劳动保障监察大队"),
           ("就业创业补贴资金", "公益性岗位补贴资金", "职业技能培训补贴资金",
            "劳动保障监察工作经费", "人才引进专项资金"),
           ("就业促进科", "职业能力建设科", "劳动关系科", "工资福利科", "养老保险科")),
    Agency("民政局", "民政", "社", "2010301", "2010350", ("2080801", "2082501", "2089999"),
           ("社会福利中心", "救助管理站", "殡葬管理所"),
           ("城市低保资金", "临时救助资金", "困难群众春节慰问经费", "养老服务体系建设资金",
            "优抚对象抚恤补助资金"),
           ("社会救助科", "养老服务科", "社会事务科", "区划地名科", "社会组织管理科")),
    Agency("卫生健康委员会", "卫生健康", "社", "2010301", "2100717", ("2100717", "2010302"),
           ("疾病预防控制中心", "卫生健康监督所", "妇幼保健计划生育服务中心"),
           ("基本公共卫生服务补助资金", "计划生育家庭奖励扶助资金", "重大传染病防控经费",
            "医疗卫生机构能力建设资金", "健康教育宣传经费"),
           ("医政医管科", "疾病预防控制科", "基层卫生健康科", "人口监测与家庭发展科",
            "老龄健康科")),
    Agency("城市管理局", "城市管理", "建", "2120101", "2120501",
           ("2120102", "2120104", "2120199", "2120501", "2120399"),
           ("环境卫生服务中心", "城市管理综合执法大队", "市政设施维护中心"),
           ("道路清扫保洁经费", "垃圾分类推进资金", "市政设施维修养护经费", "城市照明运行维护经费",
            "户外广告整治经费"),
           ("市容管理科", "环境卫生管理科", "市政公用科", "执法督察科")),
    Agency("住房和城乡建设局", "住房和城乡建设", "建", "2120101", "2120601",
           ("2120102", "2120201", "2120601", "2120399", "2210399", "2219899"),
           ("建设工程质量安全监督站", "住房保障服务中心", "房屋征收服务中心"),
           ("老旧小区改造资金", "建筑市场监管工作经费", "城镇保障性安居工程资金",
            "城市更新项目前期经费", "房屋安全鉴定经费"),
           ("建筑市场管理科", "城市建设科", "住房保障科", "房地产市场监管科", "质量安全科")),
    Agency("自然资源和规划局", "自然资源", "建", "2010301", "2200150", ("2200199", "2120201"),
           ("不动产登记中心", "土地储备中心", "自然资源调查监测中心"),
           ("国土空间规划编制经费", "不动产登记系统运维经费", "耕地保护补偿资金",
            "自然资源调查监测经费", "地质灾害防治资金"),
           ("国土空间规划科", "耕地保护监督科", "自然资源确权登记科", "执法监察科")),
    Agency("水利局", "水利", "农", "2010301", "2130306", ("2130306", "2010302"),
           ("水利工程管理所", "水土保持站", "河道管理所"),
           ("河湖长制工作经费", "小型水库维修养护资金", "农村饮水安全维修养护资金",
            "防汛抗旱物资储备资金", "水土保持治理资金"),
           ("水旱灾害防御科", "水资源管理科", "河湖管理科", "农村水利科")),
    Agency("人民政府办公室", "政务服务", "行", "2010301", "2010350", ("2010302", "2010399"),
           ("政务服务中心", "机关事务服务中心", "地方史志研究室"),
           ("政务服务平台运维经费", "政务公开工作经费", "机关办公区物业管理经费", "地方志编纂经费",
            "督查督办工作经费"),
           ("秘书科", "督查科", "政务公开科", "行政审批科")),
    Agency("社会工作部", "社会工作", "行", "2013901", "2013950", ("2013999", "2010302"),
           ("志愿服务指导中心", "社会工作服务中心"),
           ("志愿服务体系建设经费", "基层治理专项经费", "社会工作人才培养经费",
            "新兴领域党建工作经费"),
           ("基层治理科", "志愿服务科", "社会工作人才科", "行业党建科")),
    Agency("总工会", "工会", "行", "2010301", "2010350", ("2012902", "2010302"),
           ("职工服务中心", "工人文化宫"),
           ("困难职工帮扶资金", "职工技能竞赛经费", "劳模慰问经费", "工会阵地建设资金"),
           ("组织部", "权益保障部", "经济工作部", "女职工部")),
    Agency("红十字会", "红十字", "社", "2010301", "2010350", ("2081602", "2010302"),
           ("红十字救护培训中心",),
           ("应急救护培训经费", "人道救助资金", "无偿献血和遗体器官捐献宣传经费"),
           ("赈济救护部", "组织宣传部")),
)
GENERIC_DIVISIONS = ("办公室", "财务科", "人事科", "政策法规科", "党建工作科", "离退休干部科",
                     "行政审批服务科", "综合科")
OPERATION_ITEMS = (
    "信息系统运行维护经费", "专家评审费", "驻村帮扶工作经费", "春节慰问经费", "法律顾问服务经费",
    "档案整理数字化经费", "网络安全等级保护测评经费", "办公用房维修经费", "政务服务窗口运行经费",
    "业务培训工作经费", "安全生产检查工作经费", "党建工作经费", "信访维稳工作经费", "宣传工作经费",
    "第三方绩效评价经费",
)
# 项 codes for rows of carried-over projects when the agency's own are taken.
SPARE_FUNCTIONS = ("2010302", "2010399", "2129999", "2089999", "2169999", "2079999", "2049999",
                   "2219899")
# Basic expenditure that has its own function rows, whatever the agency.
# An administrative unit books 行政单位离退休 and 行政单位医疗, an institution the 事业单位 rows.
RETIREMENT = {True: "2080501", False: "2080502"}
MEDICAL = {True: "2101101", False: "2101102"}
ECON_FUNCTION = {"30108": "2080505", "30109": "2080506", "30113": "2210201"}

# 政府预算支出经济分类 names (the observed list has only a few; these complete it).
GOV_NAMES = {
    "501": "机关工资福利支出", "50101": "工资奖金津补贴", "50102": "社会保障缴费",
    "50103": "住房公积金", "50199": "其他工资福利支出", "502": "机关商品和服务支出",
    "50201": "办公经费", "50202": "会议费", "50203": "培训费", "50204": "专用材料购置费",
    "50205": "委托业务费", "50206": "公务接待费", "50207": "因公出国（境）费用",
    "50208": "公务用车运行维护费", "50209": "维修（护）费", "50299": "其他商品和服务支出",
    "503": "机关资本性支出（一）", "50301": "房屋建筑物购建", "50306": "设备购置",
    "50399": "其他资本性支出", "505": "对事业单位经常性补助", "50501": "工资福利支出",
    "50502": "商品和服务支出", "506": "对事业单位资本性补助", "50601": "资本性支出（一）",
    "509": "对个人和家庭的补助", "50901": "社会福利和救助", "50905": "离退休费",
    "50999": "其他对个人和家庭的补助",
}
# 部门 -> 政府 economic class of an administrative unit (行政单位); an institution (事业单位)
# books 301 as 50501, 302 as 50502 and 310 as 50601.
GOV_OF_DEPT = {
    "30101": "50101", "30102": "50101", "30103": "50101", "30107": "50101", "30108": "50102",
    "30109": "50102", "30110": "50102", "30112": "50102", "30113": "50103", "30199": "50199",
    "30201": "50201", "30205": "50201", "30206": "50201", "30207": "50201", "30211": "50201",
    "30239": "50201", "30215": "50202", "30216": "50203", "30218": "50204", "30226": "50205",
    "30227": "50205", "30217": "50206", "30212": "50207", "30231": "50208", "30213": "50209",
    "30228": "50299", "30229": "50299", "30299": "50299", "30301": "50905", "30302": "50905",
    "30305": "50901", "30309": "50999", "30399": "50999", "31001": "50301", "31002": "50306",
    "31003": "50306", "31007": "50306", "31099": "50399",
}
INSTITUTION_GOV = {"301": "50501", "302": "50502", "310": "50601"}
PROJECT_ECON = {
    "其他运转类": ("30227", "30226", "30299", "30211", "30215", "30216", "30213"),
    "特定目标类": ("30227", "30299", "30218", "31002", "31003", "31007", "31099", "30305",
                   "30399", "30226"),
}
OPERATION, SPECIFIC = "其他运转类", "特定目标类"
REASONS = (
    "本年度项目预算支出调整", "人员变动及基本支出标准调整", "本年度重点工作任务变化",
    "上年一次性项目本年不再安排", "本年度新增重点项目", "厉行节约，压缩一般性支出",
)

# ---------------------------------------------------------------------------------------------
# Code lists
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeLists:
    function: dict[str, str]
    dept: dict[str, str]
    gov: dict[str, str]


def load_codes(folder: Path) -> CodeLists:
    """The observed code lists (code -> name); every code the generator uses must be in them."""

    def read(name: str) -> dict[str, str]:
        path = folder / name
        if not path.exists():
            raise SystemExit(f"make_corpus: code list missing: {path} (set --codes or "
                             "BUDGETKG_SHARED)")
        with path.open(encoding="utf-8", newline="") as handle:
            return {row["code"]: row["name"] for row in csv.DictReader(handle)}

    lists = CodeLists(read("expenditure_function_observed.csv"),
                      read("dept_economic_observed.csv"),
                      {**GOV_NAMES, **read("gov_economic_observed.csv")})
    functions = {c for a in AGENCIES for c in (a.admin, a.inst, *a.projects)}
    functions |= {*SPARE_FUNCTIONS, *RETIREMENT.values(), *MEDICAL.values(),
                  *ECON_FUNCTION.values()}
    missing = sorted(c for c in functions if c not in lists.function)
    missing += sorted(c for c in GOV_OF_DEPT if c not in lists.dept)
    if missing:
        raise SystemExit(f"make_corpus: codes absent from {folder}: {', '.join(missing)}")
    return lists


# ---------------------------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------------------------

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def table_amount(cents: int) -> str:
    """As printed in a table: thousands separators, 2 decimals; an empty cell for no amount."""
    if cents == 0:
        return ""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100:,}.{cents % 100:02d}"


def percent(part: int, whole: int) -> Decimal:
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(CENT, ROUND_HALF_UP)


def between(rng: random.Random, low: float, high: float) -> int:
    """Random cents between two amounts in 万元."""
    return rng.randint(round(low * 100), round(high * 100))


# ---------------------------------------------------------------------------------------------
# The budget of one department
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    admin: bool


@dataclass(frozen=True)
class Item:
    """A basic-expenditure line: one unit's amount of one 部门/政府 economic class."""

    unit: int
    dept: str
    gov: str
    function: str
    cents: int


@dataclass
class Project:
    unit: int
    name: str
    ptype: str
    cents: int
    carry: bool  # funded by 上年结转结余 (else by this year's general budget)
    function: str
    dept: str
    gov: str
    code: str = ""
    indicators: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


@dataclass
class Budget:
    year: int
    region: str
    region_code: str
    agency: Agency
    name: str
    code: str
    units: list[Unit]
    items: list[Item]
    projects: list[Project]
    overseas: int
    vehicle_purchase: int
    vehicle_operation: int
    reception: int
    vehicles: tuple[int, int, int]
    divisions: list[str]

    def basic(self, prefix: str = "3") -> int:
        return sum(i.cents for i in self.items if i.dept.startswith(prefix))

    def project_total(self, carry: bool | None = None) -> int:
        return sum(p.cents for p in self.projects if carry is None or p.carry == carry)

    @property
    def total(self) -> int:
        return self.basic() + self.project_total()

    @property
    def carry(self) -> int:
        return self.project_total(True)

    @property
    def general(self) -> int:
        return self.total - self.carry

    @property
    def three_public(self) -> int:
        return self.overseas + self.vehicle_purchase + self.vehicle_operation + self.reception


def _econ_items(rng: random.Random, unit: int, admin: bool, agency: Agency, staff: int,
                retirees: int) -> list[Item]:
    """Basic expenditure of one unit, by economic class, each with its function row."""
    wages: dict[str, int] = {
        "30101": staff * between(rng, 3.0, 4.6),
        "30102": staff * between(rng, 1.2, 3.4),
    }
    if admin or rng.random() < 0.5:
        wages["30103"] = staff * between(rng, 0.3, 1.2)
    if not admin or rng.random() < 0.4:
        wages["30107"] = staff * between(rng, 0.8, 2.6)
    base = sum(wages.values())
    wages["30108"] = base * 16 // 100 + rng.randint(0, 99)
    if rng.random() < 0.7:
        wages["30109"] = base * 8 // 100 + rng.randint(0, 99)
    wages["30110"] = base * 7 // 100 + rng.randint(0, 99)
    wages["30112"] = base // 100 + rng.randint(0, 99)
    wages["30113"] = base * 12 // 100 + rng.randint(0, 99)
    if rng.random() < 0.5:
        wages["30199"] = staff * between(rng, 0.1, 1.5)
    household: dict[str, int] = {}
    if retirees:
        household["30302"] = retirees * between(rng, 3.5, 7.0)
        if rng.random() < 0.5:
            household["30305"] = retirees * between(rng, 0.1, 0.6)
    if rng.random() < 0.3:
        household["30399"] = between(rng, 1, 40)
    if rng.random() < 0.15:
        household["30309"] = between(rng, 1, 20)
    public: dict[str, int] = {
        "30201": staff * between(rng, 0.2, 0.8),
        "30228": base * 2 // 100,
        "30229": staff * between(rng, 0.05, 0.3),
    }
    for code, chance, low, high in (("30205", 0.4, 0.01, 0.05), ("30206", 0.5, 0.03, 0.12),
                                    ("30207", 0.5, 0.02, 0.08), ("30211", 0.7, 0.05, 0.3),
                                    ("30215", 0.2, 0.02, 0.1), ("30216", 0.3, 0.02, 0.15),
                                    ("30213", 0.3, 0.05, 0.2), ("30299", 0.6, 0.05, 0.5)):
        if rng.random() < chance:
            public[code] = staff * between(rng, low, high)
    if admin:
        public["30239"] = staff * between(rng, 0.8, 1.6)
    out = []
    for group in (wages, household, public):
        for dept, cents in group.items():
            if cents <= 0:
                continue
            if dept in ECON_FUNCTION:
                function = ECON_FUNCTION[dept]
            elif dept == "30110":
                function = MEDICAL[admin]
            elif dept in ("30301", "30302"):
                function = RETIREMENT[admin]
            else:
                function = agency.admin if admin else agency.inst
            out.append(Item(unit, dept, gov_code(dept, admin), function, cents))
    return out


def gov_code(dept: str, admin: bool) -> str:
    if not admin and dept[:3] in INSTITUTION_GOV:
        return INSTITUTION_GOV[dept[:3]]
    return GOV_OF_DEPT[dept]


def make_budget(rng: random.Random, region: tuple[str, str], agency: Agency, year: int) -> Budget:
    region_name, region_code = region
    name = region_name + agency.name
    code = f"{rng.randint(1, 199):03d}"
    subunits = rng.sample(agency.units, rng.randint(0, min(3, len(agency.units))))
    units = [Unit(code + "001", name, True)]
    units += [Unit(f"{code}{i:03d}", region_name + u, False) for i, u in enumerate(subunits, 2)]
    items: list[Item] = []
    for index, unit in enumerate(units):
        staff = rng.randint(18, 90) if unit.admin else rng.randint(4, 40)
        retirees = rng.randint(0, staff // 2)
        items += _econ_items(rng, index, unit.admin, agency, staff, retirees)
    # The 三公 items are booked in the department's own public expenditure (table 6).
    reception = between(rng, 0.5, 12)
    vehicles_general = rng.choice((0, 1, 1, 2, 2, 3, 4))
    operation = vehicles_general * between(rng, 1.5, 4.5)
    overseas = between(rng, 2, 15) if rng.random() < 0.15 else 0
    for dept, cents in (("30217", reception), ("30231", operation), ("30212", overseas)):
        if cents:
            items.append(Item(0, dept, GOV_OF_DEPT[dept], agency.admin, cents))
    vehicles = (vehicles_general, rng.choice((0, 0, 0, 1, 2)), rng.choice((0, 0, 0, 1)))
    projects = _projects(rng, agency, units, items, year, region_code)
    divisions = rng.sample(GENERIC_DIVISIONS, rng.randint(2, 5))
    divisions += rng.sample(agency.divisions, rng.randint(1, len(agency.divisions)))
    return Budget(year, region_name, region_code, agency, name, code, units, items, projects,
                  overseas, 0, operation, reception, vehicles, divisions)


def _projects(rng: random.Random, agency: Agency, units: list[Unit], items: list[Item],
              year: int, region_code: str) -> list[Project]:
    operations = rng.sample(OPERATION_ITEMS, rng.randint(2, 6))
    specifics = rng.sample(agency.items, rng.randint(1, len(agency.items)))
    carried = specifics.pop() if len(specifics) > 1 and rng.random() < 0.6 else ""
    out = []
    for item in operations:
        name = f"{agency.topic}业务工作经费-{item}"
        out.append(Project(0, name, OPERATION, between(rng, 2, 60), False,
                           rng.choice(agency.projects), "", ""))
    for item in specifics:
        unit = rng.randrange(len(units))
        out.append(Project(unit, item, SPECIFIC, round(10 ** rng.uniform(3.0, 5.5)), False,
                           rng.choice(agency.projects), "", ""))
    if carried:
        used = {i.function for i in items} | {p.function for p in out}
        free = [c for c in (*agency.projects, *SPARE_FUNCTIONS) if c not in used]
        number = rng.randint(8, 320)
        name = (f"豫财{agency.office}{year - 1}-{number}号{year - 1}年{carried}（结转）")
        out.append(Project(0, name, SPECIFIC, round(10 ** rng.uniform(2.5, 5.0)), True,
                           free[0], "", ""))
    rng.shuffle(out)
    codes: set[str] = set()
    for project in out:
        project.dept = rng.choice(PROJECT_ECON[project.ptype])
        project.gov = gov_code(project.dept, units[project.unit].admin)
        while True:
            started = year - 1 if project.carry else rng.choice((year - 2, year - 1, year))
            serial = rng.randint(1, 99999) + rng.choice((0, 10**7, 10**8))
            candidate = f"{region_code}{started % 100:02d}{serial:013d}"
            if candidate not in codes:
                codes.add(candidate)
                project.code = candidate
                break
        project.indicators = _indicators(rng, project)
    return out


def _trim(cents: int) -> str:
    value = Decimal(cents) / HUNDRED
    return f"{value.normalize():f}"


def _indicators(rng: random.Random, project: Project) -> dict[str, list[tuple[str, str]]]:
    cost = [("投入成本", f"≤{_trim(project.cents)}万元")]
    cost += rng.sample((("社会成本", "无"), ("生态环境成本", "无"), ("成本控制率", "≤100%")),
                       rng.randint(0, 2))
    output = rng.sample((
        ("完成及时率", "100%"), ("验收合格率", "≥95%"),
        ("服务对象覆盖数量", f"≥{rng.randint(2, 300)}个"),
        ("开展工作次数", f"≥{rng.randint(2, 50)}次"), ("资金发放准确率", "100%"),
        ("任务完成率", "≥95%"), ("年底前完成", "完成"),
    ), rng.randint(1, 4))
    benefit = rng.sample((("社会效益", "提升"), ("经济效益", "促进"), ("生态效益", "无"),
                          ("可持续影响", "长期"), ("公共服务水平", "有效提升")), rng.randint(1, 3))
    satisfaction = [(rng.choice(("服务对象满意度", "群众满意度", "受益对象满意度")),
                     rng.choice(("≥90%", "≥95%", "100%")))]
    return {"成本指标": cost, "产出指标": output, "效益指标": benefit, "满意度指标": satisfaction}


# ---------------------------------------------------------------------------------------------
# The printed document
# ---------------------------------------------------------------------------------------------


@dataclass
class Fig:
    """A figure of the narrative: what it states and its printed text (without the unit)."""

    label: str
    text: str
    kind: str  # amount | share | growth | count
    target: bool = True  # an error may change it (a change is detectable)


Line = list[str | Fig]


@dataclass
class Table:
    number: int
    title: str
    header: tuple[str, ...]
    rows: list[list[str]]
    notes: list[list[str]] = field(default_factory=list)
    meta: tuple[str, ...] = ()
    continuation: tuple[str, ...] = ()
    first_page: int = 0  # body rows on the first page (0: one page)
    page_rows: int = 30
    label_column: int = 0
    amount_columns: tuple[int, ...] = ()
    droppable: list[int] = field(default_factory=list)  # rows an error may remove
    project_rows: dict[str, list[int]] = field(default_factory=dict)  # name -> its rows (13)

    def lines(self, department: str) -> list[str]:
        out = [self.title, ""]
        for meta in (*self.meta, f"部门名称：{department}", "单位：万元"):
            if meta:
                out += [meta, ""]
        out += self.header
        for i, row in enumerate(self.rows):
            if self.first_page and i >= self.first_page and (
                    (i - self.first_page) % self.page_rows == 0):
                out.append("")
                out += self.continuation
            out.append("\t".join(row))
        out.append("")
        for group in self.notes:
            out += [*group, ""]
        return out


@dataclass
class Document:
    budget: Budget
    head: list[str]
    narrative: list[Line]
    tail: list[str]
    tables: list[Table]

    def text(self) -> str:
        lines = ["", "", *self.head]
        for line in self.narrative:
            lines += ["".join(p if isinstance(p, str) else p.text for p in line), ""]
        lines += self.tail
        for table in self.tables:  # table 12 states its department in its rows
            lines += _performance_lines(table) if table.number == 12 else table.lines(
                self.budget.name)
        return "\n".join(lines).rstrip("\n") + "\n"

    def figures(self) -> list[Fig]:
        return [p for line in self.narrative for p in line if isinstance(p, Fig)]


def _performance_lines(table: Table) -> list[str]:
    """Table 12: no 部门名称/单位 meta (they are in its rows), a page break after its header."""
    out = [table.title, ""]
    for meta in table.meta:
        out += [meta, ""]
    for i, row in enumerate(table.rows):
        if i == table.first_page:
            out.append("")
        out.append("\t".join(row))
    return [*out, ""]


class Writer:
    """Builds the narrative and the tables of one budget."""

    def __init__(self, budget: Budget, codes: CodeLists, rng: random.Random):
        self.b = budget
        self.codes = codes
        self.rng = rng
        self.trim = rng.random() < 0.5  # print 201万元 / 5840.5万元 as the example sometimes does

    # -- narrative -----------------------------------------------------------------------------

    def amount(self, label: str, cents: int) -> Fig:
        if self.trim or cents == 0:
            return Fig(label, _trim(cents), "amount")
        return Fig(label, f"{cents // 100}.{cents % 100:02d}", "amount")

    def share(self, label: str, part: int, whole: int) -> Fig:
        return Fig(label, str(percent(part, whole)), "share")

    def change(self, label: str, this: int, last: int, *, reason: bool = True,
               prefix: str = "") -> Line:
        """`增加X万元，增长Y%` against last year (last > 0), or `与上年持平，无增减变动`."""
        y = self.b.year - 1
        if this == last:
            return [f"{prefix}与{y}年持平，无增减变动"]
        delta = this - last
        up = delta > 0
        growth = (Decimal(abs(delta)) * HUNDRED / Decimal(last)).quantize(CENT, ROUND_HALF_UP)
        line: Line = [f"{prefix}比{y}年{'增加' if up else '减少'}", self.amount(label, abs(delta)),
                      f"万元，{'增长' if up else '下降'}", Fig(label, str(growth), "growth"), "%"]
        if reason:
            line.append(f"，主要原因：{self.rng.choice(REASONS)}")
        return line

    def last_year(self, this: int, low: float = 0.6, high: float = 1.4) -> int:
        last = round(this * self.rng.uniform(low, high))
        return last if last != this else last + 1

    def narrative(self) -> list[Line]:
        b, y, d = self.b, self.b.year, self.b.name
        ly = y - 1
        total, general, carry = b.total, b.general, b.carry
        basic, project = b.basic(), b.project_total()
        project_general = b.project_total(False)
        personnel, public = b.basic("301") + b.basic("303"), b.basic("302")
        lines: list[Line] = []
        add = lines.append
        add([f"第二部分 {d}{y}年度部门预算情况说明"])
        add(["一、收入支出预算总体情况说明"])
        last_total = self.last_year(total)
        delta = total - last_total
        up = delta > 0
        add([f"{d}部门{y}年收入总计", self.amount("收入总计", total), "万元，支出总计",
             self.amount("支出总计", total), f"万元，与{ly}年相比，收、支总计各"
             f"{'增加' if up else '减少'}", self.amount("收支总计增减", abs(delta)),
             f"万元，{'增长' if up else '下降'}",
             Fig("收支总计增幅", str(percent(abs(delta), last_total)), "growth"),
             f"%，主要原因：{self.rng.choice(REASONS)}。"])
        add(["二、收入预算总体情况说明"])
        add([f"{d}部门{y}年收入合计", self.amount("收入合计", total),
             "万元，其中：一般公共预算收入",
             self.amount("一般公共预算收入", general), "万元；上年结转结余",
             self.amount("上年结转结余", carry), "万元。"])
        add(["三、支出预算总体情况说明"])
        add([f"{d}部门{y}年支出合计", self.amount("支出合计", total), "万元，其中：基本支出",
             self.amount("基本支出", basic), "万元，占", self.share("基本支出占比", basic, total),
             "%；项目支出", self.amount("项目支出", project), "万元，占",
             self.share("项目支出占比", project, total), "%。"])
        add(["四、财政拨款收入支出总体情况说明"])
        fund_last = 0 if self.rng.random() < 0.7 else between(self.rng, 1, 50)
        if fund_last * 2 >= last_total:
            fund_last = 0
        general_last = last_total - fund_last
        g_delta = total - general_last
        g_up = g_delta > 0
        fund: Line
        if fund_last:
            # any amount agrees with 下降100%: not a target of a narrative error
            drop = self.amount("政府性基金预算收支预算增减", fund_last)
            drop.target = False
            fund = [f"与{ly}年相比，政府性基金预算收支预算减少", drop,
                    "万元，下降100%，主要原因：本年未安排政府性基金预算收支预算；"]
        else:
            fund = [f"与{ly}年相比，政府性基金预算收支预算与上年持平，无增减变动；"]
        line: Line = [f"{d}部门{y}年一般公共预算收支预算",
                      self.amount("一般公共预算收支预算", total),
                      "万元，政府性基金预算收支预算0万元，国有资本经营预算收支预算0万元。"]
        if g_delta:
            line += [f"与{ly}年相比，一般公共预算收支预算{'增加' if g_up else '减少'}",
                     self.amount("一般公共预算收支预算增减", abs(g_delta)),
                     f"万元，{'增长' if g_up else '下降'}",
                     Fig("一般公共预算收支预算增幅", str(percent(abs(g_delta), general_last)),
                         "growth"),
                     f"%，主要原因：{self.rng.choice(REASONS)}；"]
        else:
            line += [f"与{ly}年相比，一般公共预算收支预算与上年持平，无增减变动；"]
        line += [*fund, f"与{ly}年相比，国有资本经营预算收支预算与上年持平，无增减变动。"]
        add(line)
        add(["五、一般公共预算支出预算情况说明"])
        add([f"{d}部门{y}年一般公共预算支出年初预算为", self.amount("一般公共预算支出", general),
             "万元。其中：基本支出", self.amount("一般公共预算基本支出", basic), "万元，占",
             self.share("一般公共预算基本支出占比", basic, general), "%；项目支出",
             self.amount("一般公共预算项目支出", project_general), "万元，占",
             self.share("一般公共预算项目支出占比", project_general, general), "%。"])
        add(["六、一般公共预算基本支出情况说明"])
        add([f"{d}部门{y}年一般公共预算基本支出年初预算为",
             self.amount("一般公共预算基本支出", basic),
             "万元。其中：人员经费支出", self.amount("人员经费", personnel), "万元，占",
             self.share("人员经费占比", personnel, basic), "%；公用经费支出",
             self.amount("公用经费", public), "万元，占", self.share("公用经费占比", public, basic),
             "%。"])
        lines += self.three_public()
        add(["八、政府性基金预算支出预算情况说明"])
        add([f"{d}部门{y}年政府性基金预算支出0万元。"])
        add(["九、国有资本经营预算支出预算情况说明"])
        add([f"{d}部门{y}年国有资本经营预算支出0万元。"])
        lines += self.other_matters(public, project)
        return lines

    def three_public(self) -> list[Line]:
        b, y, d, ly = self.b, self.b.year, self.b.name, self.b.year - 1
        rng = self.rng
        reception_last = b.reception if rng.random() < 0.5 else self.last_year(b.reception, .7, 1.3)
        operation_last = b.vehicle_operation
        if b.vehicle_operation and rng.random() < 0.5:
            operation_last = self.last_year(b.vehicle_operation, 0.7, 1.3)
        total_last = b.overseas + b.vehicle_purchase + operation_last + reception_last
        total: Line = [f"{d}部门{y}年“三公”经费支出预算为",
                       self.amount("“三公”经费", b.three_public), "万元。"]
        if total_last == b.three_public:
            total.append(f"{y}年“三公”经费预算数与{ly}年持平，无增减变动。")
        else:
            total += self.change("“三公”经费增减", b.three_public, total_last,
                                 prefix=f"{y}年“三公”经费预算数", reason=False)
            total.append("。")
        unchanged = f"预算数与{ly}年持平，无增减变动。"
        reception: Line = ["（二）公务接待费 ", self.amount("公务接待费", b.reception),
                           "万元，主要用于日常公务接待。"]
        if reception_last == b.reception:
            reception.append(unchanged)
        else:
            reception += [*self.change("公务接待费增减", b.reception, reception_last,
                                       reason=False), "。"]
        vehicles: Line = ["（三）公务用车购置及运行费 ",
                          self.amount("公务用车购置及运行费",
                                      b.vehicle_purchase + b.vehicle_operation),
                          "万元。其中，公务用车购置费 ",
                          self.amount("公务用车购置费", b.vehicle_purchase),
                          f"万元。与{ly}年持平，无增减变动。公务用车运行维护费 ",
                          self.amount("公务用车运行维护费", b.vehicle_operation),
                          "万元，主要用于燃油费、车船税、保险费、过路过桥费等，"]
        vehicles += [*self.change("公务用车运行维护费增减", b.vehicle_operation, operation_last,
                                  reason=False), "。"]
        return [
            ["七、“三公”经费支出预算情况说明"],
            total,
            ["具体支出情况如下："],
            ["（一）因公出国（境）费 ", self.amount("因公出国（境）费", b.overseas),
             "万元。" + unchanged],
            reception,
            vehicles,
        ]

    def other_matters(self, public: int, project: int) -> list[Line]:
        b, y, d, ly = self.b, self.b.year, self.b.name, self.b.year - 1
        rng = self.rng
        last = self.last_year(public, 0.8, 1.2)
        operating: Line = [f"{d}{y}年机关（机构）运转经费支出预算",
                           self.amount("机关运转经费", public),
                           "万元，主要保障机构正常运转及正常履职需要所需支出，包含公用经费、公务用车运行"
                           "维护费、公务交通补贴、工会经费、职工福利费等。"]
        operating += [*self.change("机关运转经费增减", public, last), "。"]
        goods = between(rng, 0, 80) if rng.random() < 0.6 else 0
        works = between(rng, 0, 300) if rng.random() < 0.2 else 0
        services = between(rng, 0, 150) if rng.random() < 0.5 else 0
        procurement = goods + works + services

        def fixed(cents: int) -> str:
            return f"{cents // 100}.{cents % 100:02d}"

        general_v, enforcement, other = b.vehicles
        return [
            ["十、其他重要事项情况说明"],
            ["（一）行政（事业）单位机关（机构）运转经费"],
            operating,
            ["（二）政府采购支出预算情况"],
            [f"{y}年政府采购预算安排{fixed(procurement)}万元，其中：政府采购货物预算{fixed(goods)}万元、"
             f"政府采购工程预算{fixed(works)}万元、政府采购服务预算{fixed(services)}万元。"],
            ["（三）预算绩效情况说明"],
            [f"{y}年{d}部门预算项目均按要求编制了绩效目标，从成本、产出、效益、满意度等方面设置了绩效目标，"
             "综合反映项目支出预期达到的产出和效果以及相应的成本控制要求。对项目支出全面实施绩效目标管理，"
             "涉及预算拨款", self.amount("绩效项目金额", project), "万元，共",
             Fig("绩效项目个数", str(len(b.projects)), "count"),
             f"个项目。根据以前年度绩效评价结果，优化项目支出{y}年预算安排，并进一步改进管理、完善政策。"],
            ["（四）重点项目绩效评价情况"],
            [f"{y}年度我部门无项目纳入重点项目绩效评价，故本年度未开展相关工作。"],
            ["（五）国有资产占用情况"],
            [f"{ly}年期末，{d}部门共有车辆{general_v + enforcement + other}辆，其中：一般公务用车"
             f"{general_v}辆、一般执法执勤用车{enforcement}辆、其他用车{other}辆；单价50万元以上通用设备"
             f"{rng.choice((0, 0, 1, 2))}台（套），单位价值100万元以上专用设备"
             f"{rng.choice((0, 0, 1))}台（套）。"],
            ["（六）专项转移支付项目情况"],
            [f"我部门{y}年无负责管理的专项转移支付项目。"],
        ]

    def head(self) -> list[str]:
        b, y, d = self.b, self.b.year, self.b.name
        out = [f"{y}年度{d}部门预算说明", "", "目 录", "", f"第一部分 {d}部门概况", "",
               "- 一、主要职责", "- 二、机构设置及预算单位构成", "",
               f"第二部分 {d}{y}年度部门预算情况说明", "", "第三部分 名词解释", "",
               f"附件： {d}{y}年度部门预算表", ""]
        out += [f"- {c}" for c in CONTENTS]
        out += ["", f"第一部分 {d}部门概况", ""]
        topic = b.agency.topic
        duties = [  # longer than a section heading (30 characters), as printed items are
            f"贯彻执行党和国家关于{topic}工作的方针政策和法律法规，拟订本地区{topic}发展规划和年度"
            "计划并组织实施",
            f"负责本地区{topic}领域的行业管理和监督检查，研究解决{topic}工作中的重大问题并提出"
            "政策建议",
            f"负责本部门预算资金的管理和使用，组织实施{topic}项目资金的绩效管理和监督检查工作",
            f"组织开展{topic}领域的统计分析、信息发布和政策宣传工作，推进{topic}信息化建设",
            f"指导所属单位做好{topic}公共服务工作，加强干部队伍建设和党风廉政建设",
        ]
        duties = self.rng.sample(duties, self.rng.randint(3, len(duties)))
        duties.append("完成上级党委、政府交办的其他任务，配合做好相关部门的协调联动和服务保障工作")
        numerals = "一二三四五六七八九十"
        paras = [f"一、{d}主要职责", f"{d}部门的主要职责是："]
        paras += [f"（{numerals[i]}）{text}{'。' if i == len(duties) - 1 else '；'}"
                  for i, text in enumerate(duties)]
        paras.append("二、机构设置及预算单位构成")
        subunits = [u.name for u in b.units[1:]]
        owner = "局" if b.agency.name.endswith("局") else "所"
        text = (f"{d}部门内设机构{len(b.divisions)}个，包括{'、'.join(b.divisions)}。")
        if subunits:
            text += (f"另设有{len(subunits)}个{owner}属单位，分别是{'、'.join(subunits)}。")
            paras += [text,
                      f"本预算为汇总预算，包括机关本级预算和{len(subunits)}个{owner}属单位预算。",
                      f"{owner}属单位包括："]
            paras += [f"{i}. {name}。" for i, name in enumerate(subunits, 1)]
        else:
            paras += [text, f"本预算为{d}本级预算，无下属预算单位。"]
        for para in paras:
            out += [para, ""]
        return out

    def tail(self) -> list[str]:
        b = self.b
        out = ["第三部分 名词解释", ""]
        for para in GLOSSARY:
            out += [para, ""]
        out += [f"附件：{b.name}{b.year}年度部门预算表", "",
                f"{b.year}年{self.rng.randint(1, 4)}月{self.rng.randint(1, 28)}日", ""]
        return out

    # -- tables --------------------------------------------------------------------------------

    def function_rows(self) -> dict[str, list[int]]:
        """Per 项 code: 工资福利, 对个人和家庭, 公用, 其他运转类, 特定目标类, carried-over."""
        rows: dict[str, list[int]] = {}
        for item in self.b.items:
            row = rows.setdefault(item.function, [0] * 6)
            row[{"301": 0, "303": 1, "302": 2}[item.dept[:3]]] += item.cents
        for p in self.b.projects:
            row = rows.setdefault(p.function, [0] * 6)
            row[3 if p.ptype == OPERATION else 4] += p.cents
            row[5] += p.cents if p.carry else 0
        return dict(sorted(rows.items()))

    @staticmethod
    def expenditure_cells(v: Sequence[int]) -> list[str]:
        wages, household, public, operation, specific = v[:5]
        basic, project = wages + household + public, operation + specific
        return [table_amount(x) for x in (basic + project, basic, wages, household, public,
                                          project, operation, specific)]

    def tables(self) -> list[Table]:
        b, y = self.b, self.b.year
        functions = self.function_rows()
        classes: dict[int, int] = {}
        for code, v in functions.items():
            classes[int(code[:3])] = classes.get(int(code[:3]), 0) + sum(v[:5])
        total, general, carry = b.total, b.general, b.carry
        return [
            self.table1(classes), self.table2(), self.table3(functions), self.table4(classes),
            self.table5(functions), self.table6(), self.table7(), self.table8(),
            self.empty_table(9, f"{y}年政府性基金预算支出情况表", NOTE,
                             f" 本部门{y}年度没有政府性基金预算支出，故本表无数据。"),
            self.empty_table(10, f"{y}年国有资本经营预算支出情况表",
                             "注：若合计数与分项数不一致是因四舍五入的原因引起的。",
                             f" 本部门{y}年度没有国有资本经营预算支出，故本表无数据。"),
            self.table11(), self.table12(total, general + carry), self.table13(),
        ]

    def table1(self, classes: dict[int, int]) -> Table:
        b = self.b
        income = {0: b.general}
        rows = []
        for i, label in enumerate(T1_EXP):
            left = ["", ""]
            if i < len(T1_INCOME):
                left = [T1_INCOME[i], table_amount(income.get(i, 0))]
            rows.append([*left, label, table_amount(classes.get(CLASS_CODES[i], 0))])
        rows += [["本年收入合计", table_amount(b.general), "本年支出合计", table_amount(b.total)],
                 ["上年结转结余", table_amount(b.carry), "上年结转结余", ""],
                 ["收入总计", table_amount(b.total), "支出总计", table_amount(b.total)]]
        return Table(1, f"{b.year}年部门收支总体情况表", T1, rows, [[NOTE]], label_column=2,
                     amount_columns=(1, 3))

    def table2(self) -> Table:
        b = self.b

        def cells(general: int, carry: int) -> list[str]:
            g, c = table_amount(general), table_amount(carry)
            return [table_amount(general + carry), g, g, g, *[""] * 8, c, c, "", "", "", ""]

        per_unit = []
        for index, unit in enumerate(b.units):
            basic = sum(i.cents for i in b.items if i.unit == index)
            current = sum(p.cents for p in b.projects if p.unit == index and not p.carry)
            carry = sum(p.cents for p in b.projects if p.unit == index and p.carry)
            per_unit.append([unit.code, unit.name, *cells(basic + current, carry)])
        rows = [["", "合计", *cells(b.general, b.carry)],
                [b.code, b.name, *cells(b.general, b.carry)], *per_unit]
        return Table(2, f"{b.year}年部门收入总体情况表", T2, rows, [[NOTE]], label_column=1,
                     amount_columns=tuple(range(2, 20)))

    def _function_table(self, number: int, title: str, functions: dict[str, list[int]],
                        with_department: bool) -> Table:
        b = self.b
        totals = [sum(v[i] for v in functions.values()) for i in range(5)]
        rows = [["", "", "", "", "合计", *self.expenditure_cells(totals)]]
        if with_department:
            rows.append(["", "", "", b.code, b.name, *self.expenditure_cells(totals)])
        first = len(rows)
        for code, v in functions.items():
            rows.append([code[:3], code[3:5], code[5:], "", self.codes.function[code],
                         *self.expenditure_cells(v)])
        notes = [[NOTE, "本表仅含当年财政拨款安排的支出。"]] if number == 5 else [[NOTE]]
        return Table(number, title, T3, rows, notes, label_column=4,
                     amount_columns=tuple(range(5, 13)), droppable=list(range(first, len(rows))))

    def table3(self, functions: dict[str, list[int]]) -> Table:
        return self._function_table(3, f"{self.b.year}年部门支出总体情况表", functions, True)

    def table5(self, functions: dict[str, list[int]]) -> Table:
        current = {c: v for c, v in functions.items() if v[5] == 0}
        return self._function_table(5, f"{self.b.year}年一般公共预算支出情况表", current, False)

    def table4(self, classes: dict[int, int]) -> Table:
        b = self.b
        t, g, c = (table_amount(x) for x in (b.total, b.general, b.carry))
        incomes = (g, g, "", "", c, c, "", "")
        rows = [["一、本年收入", g, "一、本年支出", t, t, t, "", ""]]
        for i, label in enumerate(T4_EXP):
            left = [T4_INCOME[i], incomes[i]] if i < len(T4_INCOME) else ["", ""]
            amount = table_amount(classes.get(CLASS_CODES[i], 0))
            rows.append([*left, label, amount, amount, amount, "", ""])
        rows += [["", "", "二、年终结转结余", "", "", "", "", ""],
                 ["收入合计", t, "支出合计", t, t, t, "", ""]]
        return Table(4, f"{b.year}年财政拨款收支总体情况表", T4, rows, [[NOTE]], continuation=T4,
                     first_page=T4_FIRST_PAGE, page_rows=1000, label_column=2,
                     amount_columns=(1, 3, 4, 5))

    def table6(self) -> Table:
        b = self.b
        pairs: dict[tuple[str, str], int] = {}
        for item in b.items:
            pairs[(item.dept, item.gov)] = pairs.get((item.dept, item.gov), 0) + item.cents
        personnel, public = b.basic("301") + b.basic("303"), b.basic("302")
        rows = [["", "", "", "合计", *map(table_amount, (b.basic(), personnel, public))]]
        droppable = []
        for cls in ("301", "302", "303"):
            members = sorted((k, v) for k, v in pairs.items() if k[0].startswith(cls))
            if not members:
                continue
            subtotal = sum(v for _, v in members)
            is_public = cls == "302"

            def split(cents: int, is_public: bool = is_public) -> list[str]:
                return [table_amount(cents), "" if is_public else table_amount(cents),
                        table_amount(cents) if is_public else ""]

            rows.append([cls, self.codes.dept[cls], "", "", *split(subtotal)])
            for (dept, gov), cents in members:
                droppable.append(len(rows))
                rows.append([dept, self.codes.dept[dept], gov, self.codes.gov[gov], *split(cents)])
        return Table(6, "一般公共预算基本支出表", T6, rows, [[NOTE]], continuation=T6,
                     first_page=24, page_rows=30, label_column=1, amount_columns=(4, 5, 6),
                     droppable=droppable)

    def table7(self) -> Table:
        b = self.b
        pairs: dict[tuple[str, str], list[int]] = {}
        for item in b.items:
            pairs.setdefault((item.dept, item.gov), [0, 0])[0] += item.cents
        for p in b.projects:
            pairs.setdefault((p.dept, p.gov), [0, 0])[1 if p.carry else 0] += p.cents

        def cells(general: int, carry: int) -> list[str]:
            g = table_amount(general)
            return [table_amount(general + carry), g, g, "", "", table_amount(carry), *[""] * 6]

        rows = [["", "", "", "", "", "合计", *cells(b.general, b.carry)],
                [b.code, "", b.name, "", "", "", *cells(b.general, b.carry)]]
        for (dept, gov), (general, carry) in sorted(pairs.items()):
            rows.append([dept[:3], dept[3:], self.codes.dept[dept], gov[:3], gov[3:],
                         self.codes.gov[gov], *cells(general, carry)])
        return Table(7, f"{b.year}年支出经济分类汇总表", T7, rows, [[NOTE]], continuation=T7_CONT,
                     first_page=20, page_rows=28, label_column=2,
                     amount_columns=tuple(range(6, 18)), droppable=list(range(2, len(rows))))

    def table8(self) -> Table:
        b = self.b
        vehicles = b.vehicle_purchase + b.vehicle_operation
        row = [table_amount(x) for x in (b.three_public, b.overseas, vehicles, b.vehicle_purchase,
                                         b.vehicle_operation, b.reception)]
        return Table(8, f"{b.year}年一般公共预算“三公”经费支出情况表", T8, [row],
                     [["注：1. 报表金额单位转换时可能存在四舍五入尾数误差。"], [T8_NOTE]],
                     label_column=-1, amount_columns=tuple(range(6)))

    def empty_table(self, number: int, title: str, note: str, empty: str) -> Table:
        return Table(number, title, T9, [["", "", "", "", "合计", *[""] * 8]], [[note, empty]])

    def table11(self) -> Table:
        b = self.b

        def cells(current: int, carry: int) -> list[str]:
            return [table_amount(current + carry), table_amount(current), "", "",
                    table_amount(carry), "", "", "", ""]

        project_general, carry = b.project_total(False), b.project_total(True)
        rows = [["", "", "合计", *cells(project_general, carry)],
                [b.code, b.name, "", *cells(project_general, carry)]]
        droppable = []
        for index, unit in enumerate(b.units):
            own = [p for p in b.projects if p.unit == index]
            if not own:
                continue
            current = sum(p.cents for p in own if not p.carry)
            rows.append([unit.code, unit.name, "", *cells(current, sum(p.cents for p in own) -
                                                             current)])
            for p in own:
                droppable.append(len(rows))
                rows.append([unit.code, p.name, p.ptype,
                             *cells(0 if p.carry else p.cents, p.cents if p.carry else 0)])
        return Table(11, "项目支出表", T11, rows, [[NOTE]], continuation=T11_CONT, first_page=14,
                     page_rows=30, label_column=1, amount_columns=tuple(range(3, 12)),
                     droppable=droppable)

    def table12(self, total: int, funds: int) -> Table:
        b = self.b
        a = b.agency
        tasks = self.rng.sample((
            (f"推进{a.topic}重点工作落实",
             f"<p>围绕年度目标，细化{a.topic}重点工作任务清单，压实责任，确保各项任务按期完成。</p>"),
            (f"提升{a.topic}公共服务水平",
             f"<p>优化{a.topic}服务流程，推进线上线下融合，提高群众办事便利度和满意度。</p>"),
            ("加强预算绩效管理",
             "<p>全面实施预算绩效管理，强化绩效目标、绩效监控和绩效评价结果应用。</p>"),
            ("加强干部队伍建设", "<p>深化作风建设，加强业务培训，提升干部队伍履职能力。</p>"),
            (f"防范化解{a.topic}领域风险",
             f"<p>健全风险排查和应急处置机制，守牢{a.topic}领域安全底线。</p>"),
        ), self.rng.randint(2, 5))
        goal = (f"<p>{b.year}年，{b.name}坚持以习近平新时代中国特色社会主义思想为指导，"
                f"全面贯彻落实上级决策部署，围绕{a.topic}中心工作，依法履职尽责，推动各项事业高质量发展。</p>")
        basic, project = b.basic(), b.project_total()
        rows = [[f"部门名称：{b.name}", "", "", "", ""], ["年度履职目标", goal, "", "", ""],
                ["年度主要任务", "任务名称", "主要内容", "", ""]]
        rows += [["", name, content, "", ""] for name, content in tasks]
        rows += [["", "预算情况", "部门预算总额（万元）", "", table_amount(total)],
                 ["1、资金来源：", "", "（1）政府预算资金", table_amount(funds), ""],
                 ["", "", "（2）财政专户管理资金", "", ""],
                 ["", "", "（3）单位资金", "", ""],
                 ["2、资金结构：", "", "（1）基本支出", table_amount(basic), ""],
                 ["", "（2）项目支出", table_amount(project), "", ""],
                 T12_INDICATOR_HEADER.split("\t")]
        first_page = len(rows)
        rows += [line.split("\t") for line in T12_INPUT]
        outputs = [(f"完成{name}", "按期完成") for name, _ in tasks]
        outputs.append(("项目实施数量", f"{len(b.projects)}个"))
        for i, (name, value) in enumerate(outputs):
            rows.append(["产出指标" if i == 0 else "", "重点工作任务完成" if i == 0 else "", name,
                         value, ""])
        rows += [["效益指标", "履职效益", "社会效益", "提升", ""],
                 ["", "", f"{a.topic}工作质量", "提高", ""],
                 ["满意度", "服务对象满意度", "服务对象满意度", "≥90%", ""]]
        return Table(12, "部门（单位）整体绩效目标表", (), rows, meta=(f"（{b.year}年度）",),
                     first_page=first_page)

    def table13(self) -> Table:
        b = self.b
        groups = ("成本指标", "产出指标", "效益指标", "满意度指标")
        total = b.project_total()
        rows = [[b.code, b.name, table_amount(total), table_amount(total), *[""] * 10]]
        project_rows: dict[str, list[int]] = {}
        for index, unit in enumerate(b.units):
            own = sorted((p for p in b.projects if p.unit == index), key=lambda p: p.code)
            if not own:
                continue
            subtotal = table_amount(sum(p.cents for p in own))
            rows.append([unit.code, unit.name, subtotal, subtotal, *[""] * 10])
            for p in own:
                start = len(rows)
                depth = max(len(p.indicators[g]) for g in groups)
                for i in range(depth):
                    head = ([p.code, p.name, table_amount(p.cents), table_amount(p.cents), "", ""]
                            if i == 0 else [""] * 6)
                    for g in groups:
                        pairs = p.indicators[g]
                        head += list(pairs[i]) if i < len(pairs) else ["", ""]
                    rows.append(head)
                project_rows[p.name] = list(range(start, len(rows)))
        return Table(13, f"{b.year}年部门预算项目绩效目标汇总表", T13, rows, label_column=1,
                     amount_columns=(2, 3), project_rows=project_rows)

    def document(self) -> Document:
        return Document(self.b, self.head(), self.narrative(), self.tail(), self.tables())


# ---------------------------------------------------------------------------------------------
# Injected contradictions
# ---------------------------------------------------------------------------------------------

ERROR_KINDS = ("amount", "drop-row", "swap-codes", "narrative", "delete-project")


@dataclass(frozen=True)
class Injected:
    kind: str
    table: str
    row: str
    old: str
    new: str
    column: str = ""


def _parse_cents(text: str) -> int:
    whole, _, frac = text.replace(",", "").partition(".")
    return int(whole) * 100 + int((frac + "00")[:2])


def _shifted(rng: random.Random, cents: int) -> int:
    """A different amount, off by at least 1.00 万元 (far beyond rounding), never negative."""
    delta = max(100, round(cents * rng.uniform(0.05, 0.3)))
    return cents - delta if cents - delta > 0 and rng.random() < 0.5 else cents + delta


def _row_label(table: Table, row: list[str], column: int = -1) -> str:
    """The row as an auditor finds it: code and label; tables 1 and 4 have two sides."""
    if table.label_column < 0:
        return "（单行）"
    if table.number in (1, 4) and 0 <= column < 2:
        return row[0]
    code = "".join(row[:3]) if table.number in (3, 5) else ""
    if table.number == 7:
        code = "".join(row[:2])
    if table.number in (6, 13):
        code = row[0]
    label = row[table.label_column]
    return f"{code} {label}".strip()


def _header_of(table: Table, column: int) -> str:
    """The header path of a column; a spanning cell prints only above its first column."""
    lines = [line.split("\t") for line in table.header]
    parts = []
    for depth, cells in enumerate(lines):
        cell = cells[column] if column < len(cells) else ""
        below = any(column < len(lower) and lower[column].strip() for lower in lines[depth + 1:])
        if not cell.strip() and below:
            left = [c for c in cells[:column] if c.strip()]
            cell = left[-1] if left else ""
        if cell.strip():
            parts.append(cell.replace(" ", ""))
    return "/".join(parts)


def inject(doc: Document, rng: random.Random) -> Injected:
    """One contradiction, of a kind drawn at random; the document is changed in place."""
    by_number = {t.number: t for t in doc.tables}
    kinds = list(ERROR_KINDS)
    rng.shuffle(kinds)
    for kind in kinds:
        if kind == "amount":
            table = by_number[rng.choice((1, 2, 3, 4, 5, 6, 7, 8, 11, 13))]
            # not an 其中 (of which) cell: a smaller one would still be consistent
            columns = [c for c in table.amount_columns if "其中" not in _header_of(table, c)]
            cells = [(r, c) for r, row in enumerate(table.rows) for c in columns
                     if row[c] and not _row_label(table, row, c).startswith("其中")]
            r, c = rng.choice(cells)
            old = table.rows[r][c]
            new = table_amount(_shifted(rng, _parse_cents(old)))
            table.rows[r][c] = new
            return Injected(kind, table.title, _row_label(table, table.rows[r], c), old, new,
                            _header_of(table, c))
        if kind == "drop-row":
            table = by_number[rng.choice((3, 5, 6, 7, 11))]
            if not table.droppable:
                continue
            r = rng.choice(table.droppable)
            row = table.rows.pop(r)
            return Injected(kind, table.title, _row_label(table, row),
                            " | ".join(c for c in row if c), "")
        if kind == "swap-codes":
            table = by_number[rng.choice((3, 5, 6))]
            rows = [r for r in table.droppable]
            width = 1 if table.number == 6 else 3
            pairs = [(a, b) for i, a in enumerate(rows) for b in rows[i + 1:]
                     if table.rows[a][0][:3] != table.rows[b][0][:3]
                     and table.rows[a][table.amount_columns[0]]
                     != table.rows[b][table.amount_columns[0]]]
            if not pairs:
                continue
            a, b = rng.choice(pairs)
            row_a, row_b = table.rows[a], table.rows[b]
            old = f"{''.join(row_a[:width])} / {''.join(row_b[:width])}"
            row_a[:width], row_b[:width] = row_b[:width], row_a[:width]
            new = f"{''.join(row_a[:width])} / {''.join(row_b[:width])}"
            label = f"{row_a[table.label_column]} / {row_b[table.label_column]}"
            return Injected(kind, table.title, label, old, new, "科目编码")
        if kind == "narrative":
            fig = rng.choice([f for f in doc.figures() if f.target])
            old = fig.text
            if fig.kind == "count":
                fig.text = str(int(old) + rng.randint(1, 3))
            elif fig.kind in ("share", "growth"):
                value = Decimal(old)
                step = Decimal(rng.randint(100, 900)) / HUNDRED
                fig.text = str(value - step if value - step > 0 else value + step)
            else:
                cents = _shifted(rng, _parse_cents(old))
                fig.text = f"{cents // 100}.{cents % 100:02d}"
            return Injected(kind, "情况说明", fig.label, old, fig.text)
        if kind == "delete-project":
            table = by_number[13]
            name = rng.choice(sorted(table.project_rows))
            rows = table.project_rows[name]
            old = table.rows[rows[0]][2]
            for r in reversed(rows):
                table.rows.pop(r)
            return Injected(kind, table.title, name, old, "", "资金总额")
    raise AssertionError("no error could be injected")  # amount and narrative always can


# ---------------------------------------------------------------------------------------------
# The corpus
# ---------------------------------------------------------------------------------------------

YEARS = (2024, 2025, 2026)


def departments(rng: random.Random, n: int) -> list[tuple[tuple[str, str], Agency, int]]:
    """N (region, agency, year), all different while there are enough of them."""
    space = len(REGIONS) * len(AGENCIES) * len(YEARS)
    picks = rng.sample(range(space), n) if n <= space else [rng.randrange(space) for _ in range(n)]
    out = []
    for pick in picks:
        region, rest = divmod(pick, len(AGENCIES) * len(YEARS))
        agency, year = divmod(rest, len(YEARS))
        out.append((REGIONS[region], AGENCIES[agency], YEARS[year]))
    return out


def generate(n: int, folder: Path, seed: int = 0, errors: float = 0.0,
             codes: Path = CODES) -> list[Path]:
    """Write the corpus and DIR/errors.csv; return the document paths in order."""
    if n < 0:
        raise ValueError("N must be >= 0")
    if not 0.0 <= errors <= 1.0:
        raise ValueError("--errors must be between 0 and 1")
    lists = load_codes(codes)
    master = random.Random(seed)
    picked = departments(master, n)
    wrong = set(master.sample(range(n), round(errors * n)))
    folder.mkdir(parents=True, exist_ok=True)
    width = max(3, len(str(n - 1)))
    paths: list[Path] = []
    report = io.StringIO()
    writer = csv.writer(report, lineterminator="\n")
    writer.writerow(("file", "error", "table", "row", "old", "new", "column"))
    for index, (region, agency, year) in enumerate(picked):
        rng = random.Random(f"{seed}:{index}")
        budget = make_budget(rng, region, agency, year)
        doc = Writer(budget, lists, rng).document()
        injected = inject(doc, rng) if index in wrong else None
        text = doc.text()
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
        path = folder / f"{index:0{width}d}_{digest}.txt"
        path.write_text(text, encoding="utf-8", newline="\n")
        paths.append(path)
        if injected is None:
            writer.writerow((path.name, "", "", "", "", "", ""))
        else:
            writer.writerow((path.name, injected.kind, injected.table, injected.row, injected.old,
                             injected.new, injected.column))
    (folder / "errors.csv").write_text(report.getvalue(), encoding="utf-8", newline="\n")
    return paths


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, metavar="N", help="number of documents")
    parser.add_argument("dir", type=Path, metavar="DIR", help="output folder")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--errors", type=float, default=0.0, metavar="RATE",
                        help="fraction of documents with one injected contradiction (0..1)")
    parser.add_argument("--codes", type=Path, default=CODES,
                        help="folder of the observed code lists (*_observed.csv)")
    args = parser.parse_args(None if argv is None else list(argv))
    start = time.perf_counter()
    try:
        paths = generate(args.n, args.dir, args.seed, args.errors, args.codes)
    except ValueError as exc:
        parser.error(str(exc))
    print(f"wrote {len(paths)} documents and errors.csv to {args.dir} "
          f"in {time.perf_counter() - start:.2f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
