"""Demo catalog: the manual's three providers, lecturers, tags and 36 courses offered for 2018–2023.

Hours mix 0.5/1/2/3/4 so both grade structures (技师 12/12/16, 等级工 7/7/10) can be met
exactly or exceeded. Every chapter reuses one of four short committed MP4 files (3–6 s), copied
into the media storage once, so the learning flow can be walked in minutes and no ffmpeg is needed.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from cecloud.training.models import HourCategory, TrainingYear

from .media import mp4_duration
from .models import Chapter, Course, CourseLecturer, Lecturer, Provider, SubjectTag
from .selectors import catalog_changed

# The four committed demo videos (demo-1.mp4 … demo-4.mp4); the test factories reuse them.
DEMO_MEDIA = Path(__file__).resolve().parent / "demo_media"

DEMO_YEARS = [2018, 2019, 2020, 2021, 2022, 2023]

PROVIDERS = [
    ("江苏省机关事业单位技术工人等级考核培训单位联席会", "联席会"),
    ("南京福久教育信息咨询服务有限公司", "福久教育"),
    ("苏州市民生职业培训中心", "民生培训"),
]

LECTURERS = [
    ("宋承敏", "研究员，经济学家"),
    ("王小广", "教授，研究室主任"),
    ("徐洪才", "经济学家，研究员"),
    ("李红梅", "副教授"),
    ("陈建国", "高级讲师"),
    ("刘晓燕", "副教授"),
    ("周文斌", "高级工程师"),
    ("赵立新", "高级技师"),
    ("孙丽华", "主任医师"),
    ("吴国平", "律师"),
    ("郑海涛", "高级工程师"),
    ("黄雅琴", "讲师"),
]

TAGS = [
    "中共党史",
    "党的理论",
    "时事政策",
    "法律法规",
    "经济形势",
    "公文写作",
    "职业道德",
    "安全生产",
    "健康养生",
    "信息技术",
    "后勤服务",
    "技能实务",
]

IDEO, G, S = HourCategory.IDEOLOGY, HourCategory.GENERAL, HourCategory.SKILL

# (category, title, hours, tag, provider index, lecturer names, chapter titles)
COURSES = [
    (
        IDEO,
        "《党的十九届六中全会精神总体解读》",
        "4",
        "中共党史",
        0,
        ["宋承敏"],
        ["全会召开的重大意义", "百年奋斗的重大成就", "历史经验与启示"],
    ),
    (
        IDEO,
        "《党的十九届五中全会精神总体解读——“十四五”规划建议的重点和亮点》",
        "2",
        "中共党史",
        0,
        ["王小广", "宋承敏", "徐洪才"],
        ["“十四五”规划建议的总体框架", "重点任务和亮点"],
    ),
    (
        IDEO,
        "《学习贯彻党的二十大精神》",
        "4",
        "党的理论",
        1,
        ["宋承敏", "王小广"],
        ["大会主题与主要成果", "中国式现代化", "全面从严治党"],
    ),
    (
        IDEO,
        "《中国共产党百年奋斗的重大成就和历史经验》",
        "3",
        "中共党史",
        0,
        ["王小广"],
        ["开天辟地的伟大事件", "十个坚持"],
    ),
    (
        IDEO,
        "《习近平新时代中国特色社会主义思想学习纲要》导读",
        "2",
        "党的理论",
        2,
        ["李红梅"],
        ["思想的形成与发展", "核心要义"],
    ),
    (IDEO, "《新时代公民道德建设实施纲要》解读", "1", "职业道德", 1, ["刘晓燕"], ["公民道德建设的重点任务"]),
    (IDEO, "社会主义核心价值观与职业精神", "1", "职业道德", 2, ["陈建国"], ["核心价值观的内涵", "工勤岗位的职业精神"]),
    (IDEO, "全面从严治党与党风廉政建设", "0.5", "党的理论", 0, ["宋承敏"], ["廉政建设的新要求"]),
    (IDEO, "红色文化与革命传统教育", "0.5", "中共党史", 2, ["黄雅琴"], ["江苏红色资源巡礼"]),
    (
        IDEO,
        "《总体国家安全观学习纲要》解读",
        "3",
        "时事政策",
        1,
        ["徐洪才"],
        ["总体国家安全观的科学内涵", "维护国家安全的实践要求"],
    ),
    (IDEO, "《中国共产党纪律处分条例》学习解读", "2", "法律法规", 0, ["吴国平"], ["条例修订的背景", "六项纪律"]),
    (IDEO, "2023年政府工作报告解读", "1", "时事政策", 1, ["王小广"], ["报告要点"]),
    (G, "公共基础知识", "4", "法律法规", 1, ["李红梅", "吴国平"], ["法律基础", "行政管理基础", "经济与科技常识"]),
    (G, "形成强大国内市场，构建新发展格局", "2", "经济形势", 0, ["徐洪才"], ["扩大内需战略", "畅通国内大循环"]),
    (G, "《中华人民共和国民法典》要点解读", "3", "法律法规", 2, ["吴国平"], ["总则编", "合同编", "婚姻家庭编"]),
    (G, "公文写作与处理实务", "2", "公文写作", 1, ["刘晓燕"], ["常用公文文种", "公文处理流程"]),
    (G, "办公软件高效应用", "1", "信息技术", 2, ["郑海涛"], ["表格处理技巧", "文档排版"]),
    (G, "突发事件应急处置与自救互救", "1", "安全生产", 0, ["孙丽华"], ["心肺复苏与止血包扎"]),
    (G, "职场沟通与服务礼仪", "0.5", "职业道德", 1, ["黄雅琴"], ["沟通技巧"]),
    (G, "心理健康与压力管理", "2", "健康养生", 2, ["孙丽华"], ["认识压力", "情绪调适方法"]),
    (G, "数字政府建设与政务服务", "3", "信息技术", 0, ["王小广", "郑海涛"], ["数字政府的建设路径", "“一网通办”实践"]),
    (G, "个人信息保护与网络安全常识", "1", "信息技术", 1, ["郑海涛"], ["个人信息保护法要点"]),
    (G, "节约型机关建设与绿色办公", "0.5", "后勤服务", 2, ["陈建国"], ["节能降耗从身边做起"]),
    (G, "慢性病预防与健康生活方式", "1", "健康养生", 0, ["孙丽华"], ["合理膳食与运动"]),
    (
        S,
        "机动车驾驶员安全行车与车辆维护",
        "4",
        "技能实务",
        2,
        ["赵立新"],
        ["防御性驾驶", "车辆日常检查", "常见故障处置"],
    ),
    (S, "低压电工作业安全技术", "4", "安全生产", 0, ["周文斌"], ["电气安全基础", "低压配电装置", "触电急救"]),
    (S, "中式烹调技术与食品安全", "3", "技能实务", 1, ["陈建国"], ["烹调基本功", "食品安全管理"]),
    (S, "公共机构节能管理与设备运维", "2", "后勤服务", 0, ["周文斌", "郑海涛"], ["空调与供暖系统运维", "节能改造案例"]),
    (S, "园林绿化养护技术", "2", "技能实务", 2, ["赵立新"], ["草坪与花卉养护", "病虫害防治"]),
    (S, "安保服务与消防安全管理", "3", "安全生产", 1, ["陈建国"], ["门卫与巡逻", "消防设施使用"]),
    (S, "办公楼宇物业服务规范", "1", "后勤服务", 2, ["黄雅琴"], ["物业服务标准"]),
    (S, "计算机与网络设备维护", "2", "信息技术", 0, ["郑海涛"], ["常见故障排查", "网络设备配置"]),
    (S, "会务服务与接待礼仪", "1", "后勤服务", 1, ["刘晓燕"], ["会务组织流程"]),
    (S, "档案管理实务", "0.5", "后勤服务", 2, ["李红梅"], ["档案整理与归档"]),
    (S, "给排水与暖通设备维修实务", "4", "技能实务", 0, ["周文斌"], ["管道维修", "水泵与阀门", "暖通系统"]),
    (S, "汽车维修工技能提升", "3", "技能实务", 1, ["赵立新"], ["发动机维护", "电控系统检测"]),
]

VIDEO_FILES = ["demo-1.mp4", "demo-2.mp4", "demo-3.mp4", "demo-4.mp4"]


def _demo_videos() -> dict[str, tuple[str, float, int]]:
    """Copy the committed demo videos into the media storage once: name -> (storage name, seconds, bytes)."""
    videos = {}
    for filename in VIDEO_FILES:
        data = (DEMO_MEDIA / filename).read_bytes()
        name = f"videos/demo/{filename}"
        if not default_storage.exists(name) or default_storage.size(name) != len(data):
            if default_storage.exists(name):
                default_storage.delete(name)
            name = default_storage.save(name, ContentFile(data))
        with (DEMO_MEDIA / filename).open("rb") as fh:
            seconds = mp4_duration(fh, len(data))
        videos[filename] = (name, round(seconds, 3), len(data))
    return videos


def load(stdout=None) -> dict[str, int]:
    providers = []
    for order, (name, short) in enumerate(PROVIDERS):
        provider, _ = Provider.objects.update_or_create(
            name=name, defaults={"short_name": short, "sort_order": order, "is_active": True}
        )
        providers.append(provider)
    lecturers = {}
    for name, title in LECTURERS:
        lecturers[name], _ = Lecturer.objects.update_or_create(name=name, defaults={"title": title})
    tags = {}
    for order, name in enumerate(TAGS):
        tags[name], _ = SubjectTag.objects.update_or_create(name=name, defaults={"sort_order": order})
    years = list(TrainingYear.objects.filter(year__in=DEMO_YEARS))
    videos = _demo_videos()
    video_cycle = list(videos.values())

    chapters_made = 0
    for index, (category, title, hours, tag, provider_index, names, chapter_titles) in enumerate(COURSES):
        course, _ = Course.objects.update_or_create(
            provider=providers[provider_index],
            title=title,
            defaults={
                "category": category,
                "hours": Decimal(hours),
                "tag": tags[tag],
                "is_published": True,
                "sort_order": index + 1,
                "description": f"{title.strip('《》')}，由{providers[provider_index].name}提供，共{len(chapter_titles)}讲。",
            },
        )
        course.years.add(*years)
        for order, name in enumerate(names):
            CourseLecturer.objects.update_or_create(
                course=course, lecturer=lecturers[name], defaults={"sort_order": order}
            )
        for order, chapter_title in enumerate(chapter_titles, start=1):
            video_name, seconds, size = video_cycle[(index + order) % len(video_cycle)]
            numbered = f"第{'一二三四五'[order - 1]}讲 {chapter_title}"
            chapter = Chapter.objects.filter(course=course, order=order).first()
            if chapter is None:
                Chapter.objects.create(
                    course=course,
                    order=order,
                    title=numbered,
                    video=video_name,
                    duration_seconds=seconds,
                    video_size=size,
                )
                chapters_made += 1
            elif not chapter.video:
                chapter.video = video_name
                chapter.duration_seconds, chapter.video_size = seconds, size
                chapter.save(update_fields=["video", "duration_seconds", "video_size"])
    catalog_changed()
    if stdout:
        stdout.write(f"课程：{len(COURSES)} 门（思政/通识/岗位提升，2018–2023 年度），新增章节 {chapters_made} 个")
    return {"courses": len(COURSES), "chapters": chapters_made}
