"""Demo articles: the seed's Lianyungang 2023 notice (培训通知, scoped to 连云港市), the learner manual
(操作手册, with a PDF of it attached to both), a pinned welcome notice (平台公告) and the provincial
policy the notice cites (政策文件, only what the notice says about it).

Idempotent: an article is found by category and title; it is created once and only rewritten when
this module's text changed. The PDF is rendered once.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from django.core.files.base import ContentFile
from django.utils import timezone

from cecloud.registry.models import Region

from .models import Article, ArticleStatus, Category
from .sanitize import sanitize_html
from .services import article_save, attachment_add

MANUAL_TITLE = "江苏工勤人员继续教育云平台学员操作手册"
MANUAL_PDF_NAME = f"{MANUAL_TITLE}.pdf"
NOTICE_TITLE = "关于做好2023年度全市机关事业单位工勤人员继续教育培训工作的通知"
POLICY_TITLE = "省人社厅关于全省机关事业单位工勤人员继续教育培训工作实施方案的通知（苏人社发〔2018〕154号）"
WELCOME_TITLE = "欢迎使用江苏工勤人员继续教育云平台"
HOTLINE = "4000968823"


def manual_html() -> str:
    """The learner manual (second half of the seed) as structured HTML; screenshots described in words."""
    return f"""
<p class="lead">本手册介绍学员在“江苏工勤人员继续教育云平台”上完成年度继续教育的全部操作：登录、报名缴费、进班学习、课后测验和打印培训证明。</p>

<h2>一、培训流程</h2>
<ol class="flow">
  <li>登录</li>
  <li>报名缴费</li>
  <li>进班学习</li>
  <li>完成课后测验</li>
  <li>打印培训证明</li>
</ol>

<h2>二、学员登录/找回密码</h2>
<h3>（一）学员登录</h3>
<p>在门户首页登录框中输入身份证号和密码、验证码，点击<span class="label">登录</span>即可。</p>
<p class="figure-desc">图示：门户首页右侧为“学员登录”框，自上而下是“身份证号”“密码”“验证码”三个输入框和“登录”按钮，下方有“找回密码”链接。</p>
<p>登录成功后，可选择<span class="label">进入学员中心</span>或直接<span class="label">去报名</span>。</p>
<p class="figure-desc">图示：登录后的首页。页面中部为“培训流程 TRAINING PROCESS”：01 帐号登录、02 在线报名缴费、03 选择学习、04 在线考试、05 打印证明；页面下方为“友情链接 FRIENDLY LINKS”。</p>

<h3>（二）找回密码</h3>
<p>忘记密码可在首页自行找回：在登录框下方点击<span class="label">找回密码</span>。</p>
<p>进入找回密码页面后，按以下四步完成：</p>
<ol class="step-list">
  <li><strong>核认身份</strong>：输入姓名及身份证号进行验证，点击<span class="label">下一步</span>。</li>
  <li><strong>验证真实性</strong>：姓名和身份证号校验完成后，核对绑定的手机号，接收并填写短信验证码。</li>
  <li><strong>重置密码</strong>：设置新的登录密码。</li>
  <li><strong>完成</strong>：使用新密码登录。</li>
</ol>
<p class="figure-desc">图示：“学员找回密码”页面，顶部步骤条为“1 核认身份 2 验证真实性 3 重置密码 4 完成”，提示“请输入姓名和身份证号，确认身份后重置密码”，下方为“姓名”“登录帐号”两个必填项和“下一步”按钮。</p>
<p class="note">未绑定手机号或手机号有误，可联系客服：{HOTLINE}。</p>

<h2>三、报名缴费</h2>
<p>登录成功后，点击<span class="label">去报名</span>，或进入学员中心点击<span class="label">报名培训</span>，即可进入报班页面。报名分为四步：</p>
<ol class="flow">
  <li>确认报名年度</li>
  <li>确认报名信息</li>
  <li>付款成功</li>
  <li>报名成功</li>
</ol>
<ol class="step-list">
  <li><strong>确认报名年度</strong>：在“选择报名年度”中确认需要报名的年度（如 2023），点击<span class="label">下一步</span>。</li>
  <li><strong>确认报名信息</strong>：在订单页面确认班级信息、费用，填写发票信息，点击<span class="label">提交订单</span>。</li>
  <li><strong>确认订单并支付</strong>：在确认订单信息页面选择支付方式（支付宝），点击<span class="label">立即支付</span>。</li>
  <li><strong>缴费</strong>：进入缴费页面完成付款，缴费成功后开通班级。</li>
</ol>
<h4>报名信息</h4>
<p>订单页面的“报名信息”列出本次报名的内容：</p>
<table class="data-table">
  <thead><tr><th>培训内容</th><th class="num">学时</th><th class="num">金额(元)</th></tr></thead>
  <tbody><tr><td>年度: 2023 技术等级: 高级技师（按本人技术等级显示）</td><td class="num">40</td><td class="num">按年度标准</td></tr></tbody>
</table>
<h4>发票信息</h4>
<ul>
  <li>发票类型：增值税电子普通发票</li>
  <li>发票抬头类型：个人 / 单位</li>
  <li>发票抬头：选择“个人”时请填写真实姓名</li>
</ul>
<h4>确认订单信息</h4>
<p>提交订单后，页面显示订单号、订单状态（待支付）、订单类型（个人报名）、支付方式，以及本次报名的学时和支付金额。</p>
<p class="note">请您在 24 小时内完成支付，否则订单会被自动取消。</p>

<h2>四、学员中心</h2>
<p>登录成功后，点击<span class="label">进入学员中心</span>，学员中心左侧展示导航菜单：我的班级、发票下载、培训证明、信息中心、个人信息。</p>

<h3>（一）我的班级</h3>
<p>点击<span class="label">我的班级</span>，可看到已报名的所有班级。对应班级可点击<span class="label">立即学习</span>进行学习，合格后也可在此直接打印对应班级的培训证明。</p>

<h4>1. 班级首页</h4>
<p>班级首页可查看选课情况、课程学习进度、培训成果、培训须知等。</p>
<p class="figure-desc">图示：班级首页顶部为“选课”“课程学习”“培训成果”三个标签，未达到要求的标签旁标有“未达标”；其下三个信息框分别显示“还需选课 N 学时”（附“立即选课”按钮）、“已完成 X 学时/40 学时”和“完成考核要求即可获得40学时”；再下方是培训须知。</p>
<p class="note">培训须知：本次培训要求课程学习不低于 40 学时，学习进度 100% 并且通过课后测验的课程记录学习成果。</p>
<p>“课程学习”列表可按“全部”“未完成”“已完成”筛选。每门课程显示课程名称、分类（如“思想政治 &gt; 思政”）、讲师、学时、课程考核结果（合格/未合格，含课程进度和课后测验结果），以及<span class="label">课程学习</span>、<span class="label">课后测验</span>、<span class="label">我要评价</span>按钮。</p>

<h4>2. 在线选课</h4>
<p>课程需学员手动选择。点击<span class="label">立即选课</span>进入选课页面。</p>
<ol class="step-list">
  <li>选择课程分类（思政、通识、岗位提升），可展示该分类下不同课程提供方的课程；也可在搜索框“请输入课程名称进行搜索”中按名称查找，并按默认排序、学时、综合评价排序。</li>
  <li>点击课程下方的<span class="label">选择课程</span>，即可将课程加入候选；已选课程可点击<span class="label">取消选择</span>。</li>
  <li>选择课程后，页面下方显示已选学时数及根据考核要求还需选择的学时数；点击<span class="label">查看已选择课程</span>可展示已选课程清单，清单中的课程可<span class="label">移除</span>。</li>
  <li>点击<span class="label">确认选中的课程</span>，即可确认完成选课。未选满培训总选课要求的，可多次选课。</li>
</ol>
<p class="figure-desc">图示：选课页面顶部提示“选课提示：您还需选课 24 学时，课程选择成功后无法修改，请根据需要合理选择。”；其下为“课程分类”（思政、通识、岗位提升）和课程提供方（如江苏省机关事业单位技术工人等级考核培训单位联席会、南京福久教育信息咨询服务有限公司、苏州市民生职业培训中心）；课程卡片显示课程名称、综合评价、报名人数、讲师、年度和学时，以及“试听”“选择课程”按钮。</p>
<p class="figure-desc">图示：选课清单按分类列出已选课程及学时，如“思政（共6学时）”下的两门课程；清单下方显示“当前已选 6.0 学时，还需选学 34 学时（其中：思政 6.0 学时，通识 12.0 学时，岗位提升 16.0 学时）”。</p>
<p class="note">选课提示：课程选择成功后无法修改，请根据需要合理选择。</p>

<h4>3. 在线学习</h4>
<p>在班级首页的课程学习页面，可按分类显示已完成选课的课程。点击课程右侧的<span class="label">课程学习</span>，进入课程播放页面；在右侧章节目录中点击不同章节，可播放不同章节的视频。</p>
<p class="figure-desc">图示：课程播放页面左侧为视频播放区，右侧为章节目录，章节目录右侧有“课后测验”入口。</p>

<h4>4. 课后测验</h4>
<p>需课程观看完成后（课程进度达 100%），才可进行课后测验。在班级页面点击课程右侧的<span class="label">课后测验</span>，或在课程学习页面点击章节目录右侧的<span class="label">课后测验</span>进入。</p>
<ol class="step-list">
  <li>系统将自动出题。页面显示考试人员、总分 100分、及格 60分。</li>
  <li>作答所有题目后，点击页面右侧答题卡的<span class="label">我要交卷</span>，系统将自动打分。</li>
  <li>系统打分后将显示得分、是否合格，以及每道题的正确答案、我的答案和题析供学员学习；可点击<span class="label">只看错题</span>。</li>
  <li>可选择<span class="label">继续测验</span>重新作答，直到达到测验合格分 60 分，即完成课后测验考核。</li>
</ol>
<p class="figure-desc">图示：测验页面左侧为题目（如“【单选题】……[20分]”及 A–D 选项），右侧为答题卡（如“答题卡(5/5)”，按单选题、多选题列出题号）和“我要交卷”按钮；交卷后右侧显示得分和“合格/未合格”，底部有“继续测验”“返回”按钮。</p>
<p>课后测验合格后，整门课程考核合格，获得对应学时；课程列表中该课程的考核结果显示为“合格（课程进度100%）”。</p>

<h3>（二）培训证明</h3>
<p class="note">班级合格后，才可以看到班级培训证明。</p>
<p>点击左侧菜单<span class="label">培训证明</span>，可看到学员考核通过的班级（如“2023年度培训证明 高级技师 学时 40”），点击右侧<span class="label">打印培训证明</span>即可。</p>

<h3>（三）发票下载</h3>
<p>在学员中心左侧菜单点击<span class="label">发票下载</span>，进入订单页面。学员可在此查询历史订单，点击右侧的订单详情即可查看、下载该笔订单的发票。</p>

<h3>（四）信息中心</h3>
<p>在学员中心左侧菜单点击<span class="label">信息中心</span>，可根据分类（平台公告、操作手册、培训通知、政策文件）查看已发布的信息。</p>

<h3>（五）个人信息</h3>
<p>在学员中心左侧菜单点击<span class="label">个人信息</span>，可查看账号的信息。请仔细核对个人信息是否有误，若信息有误请联系工考办进行修改。</p>
<p>点击上方<span class="label">修改密码</span>，可修改账号的登录密码。</p>
"""


def notice_html(*, manual_url: str) -> str:
    """连人社函〔2023〕74号 (first half of the seed) as an article; the hours as a table."""
    return f"""
<div class="doc-header">
  <p><strong>连云港市人力资源和社会保障局</strong></p>
  <p class="doc-number">连人社函〔2023〕74号</p>
</div>
<p>各县区（功能板块）人力资源和社会保障局，市各有关单位：</p>
<p>为认真贯彻落实《省人社厅关于全省机关事业单位工勤人员继续教育培训工作实施方案的通知》（苏人社发〔2018〕154号）精神，根据省人社厅统一部署，结合我市实际，决定开展2023年机关事业单位工勤人员继续教育培训工作，现将有关事项通知如下：</p>

<h3>一、培训对象</h3>
<p>全市机关事业单位及省属驻连机关事业单位在岗工勤人员。</p>

<h3>二、培训内容</h3>
<p>全市机关事业单位工勤人员继续教育内容由思政、通识、岗位技能提升三大类课程组成。</p>

<h3>三、课时安排</h3>
<p>工勤人员每年度须参加继续教育的培训。各等级课时要求为：技师、高级技师40课时/每年，其中思政12课时、通识12课时、岗位技能提升16课时；等级工24课时/每年，其中思政7课时、通识7课时、岗位技能提升10课时。</p>
<table class="data-table">
  <caption>各等级年度课时要求（课时/每年）</caption>
  <thead><tr><th>技术等级</th><th class="num">合计</th><th class="num">思政</th><th class="num">通识</th><th class="num">岗位技能提升</th></tr></thead>
  <tbody>
    <tr><td>技师、高级技师</td><td class="num">40</td><td class="num">12</td><td class="num">12</td><td class="num">16</td></tr>
    <tr><td>等级工</td><td class="num">24</td><td class="num">7</td><td class="num">7</td><td class="num">10</td></tr>
  </tbody>
</table>

<h3>四、时间安排</h3>
<table class="data-table">
  <tbody>
    <tr><th scope="row">报名缴费</th><td>2023年9月10日—10月20日</td></tr>
    <tr><th scope="row">学习考试</th><td>2023年9月10日—10月25日</td></tr>
  </tbody>
</table>
<p>所有学员须按规定时间登录云平台报名缴费并完成学习考试，逾期平台将关闭（平台设置2018-2023学习年度，如之前没有学习的年份可以补学）。</p>

<h3>五、组织形式</h3>
<p>为缓解工学矛盾，本轮继续教育培训我市继续采用网上教学的形式开展，全市工勤人员可登录“江苏工勤人员继续教育云平台”（以下简称“云平台”）完成报名、缴费、选课、学习、考试、打印证明（江苏工勤人员继续教育云平台学员操作手册见附件）。</p>
<p>具体操作如下：</p>
<ol>
  <li><strong>平台登录。</strong>工勤人员通过身份证件及身份证后六位（默认密码）登录 www.jsgkpx.com。登录时需进行人员库比对，非在库人员无法登录，非在库人员在云平台首页下载、填写信息模板发送到邮箱 124286455@qq.com。在库人员登录后，于个人中心查看核对账号信息，若账号信息有误在云平台首页下载修改信息模板，填写身份信息及修改内容发送到邮箱 124286455@qq.com。</li>
  <li><strong>报名缴费。</strong>工勤人员登录平台后可根据年度进行报名缴费，缴费过程中可填写开票信息，系统将根据工勤人员开票信息自动开票，工勤人员可在发票入口下载电子发票。</li>
  <li><strong>选择课程。</strong>缴费成功后，工勤人员根据自身等级进行选课，需同时满足思政、通识、岗位提升三个类别的课程结构化要求。</li>
  <li><strong>在线学习。</strong>选课成功后，工勤人员进行课程学习，“云平台”在学习过程中设置相应措施确保工勤人员的学习时间及质量。</li>
  <li><strong>在线考试。</strong>每一课程学习完成后，工勤人员完成课后测试视为获得该门课程学时。</li>
  <li><strong>证明打印。</strong>所有课程学习并考核合格后，“云平台”自动生成培训证明。工勤人员考试合格后应在“云平台”培训证明栏目下载打印培训证明，并及时交给各单位组织人事部门进行登记并保存。</li>
  <li><strong>课程评价。</strong>工勤人员可对所学课程的课件内容、教师授课质量进行评分。</li>
  <li><strong>信息中心。</strong>“云平台”设置信息中心模块，操作手册、培训通知、政策文件等通过信息中心展示。</li>
  <li><strong>移动端学习。</strong>“云平台”配套提供移动端学习，工勤人员可通过移动端进行报名缴费、选课、学习、考试、课程评价等。</li>
</ol>

<h3>六、培训费用</h3>
<p>工勤人员继续教育培训考核经费，应从各单位教育培训经费中列支，由工勤人员所在单位负责解决。</p>

<h3>七、相关要求</h3>
<p>（一）各单位要高度重视工勤人员继续教育工作，将该项工作作为工勤人员年度考核的一项内容，加强宣传，精心组织，合理安排工勤人员参训，切实保障工勤人员接受继续教育的权益。</p>
<p>（二）各机关事业单位要定期对工勤人员接受继续教育情况进行核查考核，将工勤人员每年参加继续教育作为等级晋升、岗位聘任、技能竞赛、技能人才评选等活动的重要条件。</p>
<p>报名学习过程中如有疑问联系云平台客服，联系方式：陈老师：13338431560　4000968823。</p>

<p>附件：<a href="{manual_url}">江苏工勤人员继续教育云平台学员操作手册</a></p>
<p class="doc-meta">（此件主动公开）<br>（联系单位：职业能力建设处）</p>
"""


def policy_html() -> str:
    """Only what 连人社函〔2023〕74号 says about 苏人社发〔2018〕154号 — no invented policy text."""
    return """
<table class="data-table">
  <tbody>
    <tr><th scope="row">文件名称</th><td>《省人社厅关于全省机关事业单位工勤人员继续教育培训工作实施方案的通知》</td></tr>
    <tr><th scope="row">文号</th><td>苏人社发〔2018〕154号</td></tr>
    <tr><th scope="row">发文机关</th><td>省人社厅（江苏省人力资源和社会保障厅）</td></tr>
  </tbody>
</table>
<h2>与年度培训工作的关系</h2>
<p>连云港市人力资源和社会保障局《关于做好2023年度全市机关事业单位工勤人员继续教育培训工作的通知》（连人社函〔2023〕74号）写明：为认真贯彻落实本文件精神，根据省人社厅统一部署，结合本市实际，开展2023年机关事业单位工勤人员继续教育培训工作。</p>
<p>该通知据此对培训对象、培训内容、课时安排、时间安排、组织形式、培训费用和相关要求作出安排：培训内容由思政、通识、岗位技能提升三大类课程组成；技师、高级技师每年40课时，等级工每年24课时；培训通过“江苏工勤人员继续教育云平台”以网上教学的形式开展。</p>
<p class="note">本页仅摘录年度培训通知中引用本文件的内容，文件全文以发文机关公布的文本为准。</p>
"""


def welcome_html(*, manual_url: str) -> str:
    return f"""
<p class="lead">欢迎使用江苏工勤人员继续教育云平台。机关事业单位工勤人员可在本平台完成年度继续教育的报名缴费、选课、学习、考试和打印培训证明。</p>
<h2>培训流程</h2>
<ol class="flow">
  <li>帐号登录</li>
  <li>在线报名缴费</li>
  <li>选择学习</li>
  <li>在线考试</li>
  <li>打印证明</li>
</ol>
<h2>首次登录</h2>
<ul>
  <li>在首页登录框输入身份证号、密码和验证码。默认密码为身份证号后六位，首次登录后请按提示设置新密码。</li>
  <li>登录时需进行人员库比对，非在库人员无法登录：可在首页下载信息模板，或在线填写入库申请。</li>
  <li>登录后请在学员中心“个人信息”中核对帐号信息。</li>
</ul>
<h2>操作帮助</h2>
<p>详细操作步骤请阅读<a href="{manual_url}">《江苏工勤人员继续教育云平台学员操作手册》</a>。各地培训通知、政策文件在“信息中心”发布，登录后可查看本地区的通知。</p>
<p class="note">报名学习过程中如有疑问，请联系云平台客服：{HOTLINE}。</p>
"""


def _upsert(
    *, category: str, title: str, summary: str, body: str, region=None, pinned=False, age: dt.timedelta
) -> Article:
    article = Article.objects.filter(category=category, title=title).first()
    if article is None:
        article = Article(
            category=category,
            title=title,
            status=ArticleStatus.PUBLISHED,
            published_at=timezone.now() - age,
        )
    elif (article.body, article.summary, article.region_id, article.pinned) == (
        sanitize_html(body),
        summary,
        region.pk if region else None,
        pinned,
    ):
        return article  # unchanged: nothing to write
    article.body = body
    article.summary = summary
    article.region = region
    article.pinned = pinned
    return article_save(article=article)


def _render_manual_pdf(manual: Article) -> bytes:
    from weasyprint import HTML

    font_face = ""
    try:
        import pylopdf_fonts_zh_cn

        font = Path(pylopdf_fonts_zh_cn.__file__).with_name("NotoSansSC-Regular.otf")
        if font.exists():
            font_face = f"@font-face {{ font-family: 'CJK'; src: url('{font.as_uri()}'); }}"
    except ImportError:
        pass
    css = f"""
    {font_face}
    @page {{ size: A4; margin: 18mm 16mm; @bottom-center {{ content: counter(page) " / " counter(pages); font-size: 9pt; color: #777; }} }}
    body {{ font-family: 'CJK', 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif; font-size: 10.5pt; line-height: 1.7; color: #222; }}
    h1 {{ text-align: center; font-size: 18pt; margin: 0 0 12pt; }}
    h2 {{ font-size: 13pt; border-left: 4pt solid #1559a8; padding-left: 6pt; margin: 16pt 0 6pt; }}
    h3 {{ font-size: 11.5pt; color: #0d3f7a; margin: 12pt 0 4pt; }}
    h4 {{ font-size: 10.5pt; margin: 10pt 0 4pt; }}
    table {{ border-collapse: collapse; width: 100%; margin: 4pt 0 8pt; }}
    th, td {{ border: 0.6pt solid #999; padding: 3pt 6pt; }}
    thead th {{ background: #eef3f9; }}
    .note {{ background: #fff8e6; border: 0.6pt solid #e6cf8a; padding: 4pt 8pt; }}
    .figure-desc {{ background: #f4f7fb; border: 0.6pt dashed #9fb4cc; padding: 4pt 8pt; color: #444; }}
    .label {{ border: 0.6pt solid #bbb; padding: 0 3pt; border-radius: 2pt; }}
    ol.flow {{ list-style: none; padding: 0; }}
    ol.flow li {{ display: inline-block; background: #e8f0fa; padding: 1pt 8pt; margin: 0 4pt 4pt 0; border-radius: 8pt; }}
    """
    document = f"<html><head><meta charset='utf-8'><style>{css}</style></head><body><h1>{MANUAL_TITLE}</h1>{manual.body}</body></html>"
    progress = logging.getLogger("weasyprint.progress")
    level = progress.level
    progress.setLevel(logging.WARNING)  # keep `load_demo` output to the summary lines
    try:
        return HTML(string=document).write_pdf()
    finally:
        progress.setLevel(level)


def load(stdout=None) -> list[Article]:
    now_offsets = {  # creation order gives a natural list: welcome (pinned) on top, then newest first
        "policy": dt.timedelta(days=6),
        "manual": dt.timedelta(days=5),
        "notice": dt.timedelta(days=4),
        "welcome": dt.timedelta(days=1),
    }
    lianyungang = Region.objects.get(code="320700")
    policy = _upsert(
        category=Category.POLICY,
        title=POLICY_TITLE,
        summary="连人社函〔2023〕74号所依据的省级文件。本页摘录该通知中引用本文件的内容。",
        body=policy_html(),
        age=now_offsets["policy"],
    )
    manual = _upsert(
        category=Category.MANUAL,
        title=MANUAL_TITLE,
        summary="登录、找回密码、报名缴费、选课学习、课后测验、培训证明、发票下载、信息中心和个人信息的操作步骤，附 PDF 版下载。",
        body=manual_html(),
        age=now_offsets["manual"],
    )
    manual_url = manual.get_absolute_url()
    notice = _upsert(
        category=Category.NOTICE,
        title=NOTICE_TITLE,
        summary="连人社函〔2023〕74号：培训对象、内容、课时安排，报名缴费2023年9月10日—10月20日，学习考试2023年9月10日—10月25日。",
        body=notice_html(manual_url=manual_url),
        region=lianyungang,
        age=now_offsets["notice"],
    )
    welcome = _upsert(
        category=Category.ANNOUNCEMENT,
        title=WELCOME_TITLE,
        summary="培训流程、首次登录须知和操作帮助。报名学习过程中如有疑问，请联系云平台客服 4000968823。",
        body=welcome_html(manual_url=manual_url),
        pinned=True,
        age=now_offsets["welcome"],
    )
    if not manual.attachments.filter(name=MANUAL_PDF_NAME).exists():
        pdf = _render_manual_pdf(manual)
        attachment_add(article=manual, file=ContentFile(pdf, name="manual.pdf"), name=MANUAL_PDF_NAME)
        attachment_add(article=notice, file=ContentFile(pdf, name="manual.pdf"), name=MANUAL_PDF_NAME)
    articles = [welcome, notice, manual, policy]
    if stdout:
        stdout.write(f"信息中心：{len(articles)} 篇（连云港市培训通知、学员操作手册、平台公告、政策文件）")
    return articles
