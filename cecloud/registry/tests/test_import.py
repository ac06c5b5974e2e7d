"""Registry Excel import (issue 2 item 7): every bad-row reason, dry run, all-or-nothing import,
re-import with history, normalisation, the header check and the import_registry command."""

from __future__ import annotations

import datetime as dt
import gc
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from openpyxl import Workbook

from cecloud.accounts.factories import OperatorFactory
from cecloud.core.ids import IdError, validate_id_number
from cecloud.core.models import AuditLog
from cecloud.registry import importer
from cecloud.registry.factories import PersonFactory, UnitFactory, region, valid_id_number
from cecloud.registry.importer import RegionLookup, RowError, RowValidator, registry_import, writing
from cecloud.registry.management.commands.import_registry import Command as ImportCommand
from cecloud.registry.models import Grade, Person, PersonHistory, PersonStatus, Region, Unit
from cecloud.registry.template import COLUMNS, build_template

pytestmark = pytest.mark.django_db

ID_A = valid_id_number("320706", dt.date(1980, 5, 17), 11)
ID_B = valid_id_number("320707", dt.date(1975, 3, 2), 22)
ID_C = valid_id_number("320102", dt.date(1990, 12, 31), 33)
ID_X = "11010519491231002X"  # public example, check character X


def row(**overrides) -> list:
    values = {
        "姓名": "张三",
        "身份证号": ID_A,
        "手机号": "13800001111",
        "工作单位": "连云港市第一人民医院",
        "所属地区": "连云港市海州区",
        "技术等级": "高级工",
        "岗位": "驾驶员",
        "在岗状态": "在岗",
    }
    values.update(overrides)
    return [values[c] for c in COLUMNS]


def xlsx(tmp_path: Path, rows: list[list], *, header: list | None = None, name: str = "registry.xlsx") -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(COLUMNS if header is None else header)
    for values in rows:
        ws.append(values)
    path = tmp_path / name
    wb.save(path)
    return path


def run(path: Path, *, dry_run: bool = False, **kwargs) -> importer.ImportResult:
    return registry_import(source=path, dry_run=dry_run, **kwargs)


# --- Bad rows: each reason, with row number and column, and nothing written ------------------------------
BAD_CELLS = [
    ("身份证号", "110105194912310021", "身份证号校验位错误"),
    ("身份证号", "110105491231002", "不支持15位旧身份证号，请使用18位身份证号"),
    ("身份证号", "110105194902300027", "身份证号出生日期无效"),
    ("身份证号", "11010519491231002", "身份证号应为18位，当前为17位"),
    ("身份证号", "1101051949123100233", "身份证号应为18位，当前为19位"),
    ("身份证号", "", "身份证号不能为空"),
    ("身份证号", 3.20706198805171e17, "身份证号须以文本格式填写（当前为数值，末几位可能已丢失）"),
    ("手机号", "12800001111", "手机号“12800001111”格式错误：应为1开头的11位手机号码"),
    ("手机号", "1380000111", "手机号“1380000111”格式错误：应为1开头的11位手机号码"),
    ("所属地区", "南京市海州区", "所属地区“南京市海州区”不存在，请填写“市+县区”，如“连云港市海州区”，市直单位填写市名"),
    ("所属地区", "鼓楼区", "所属地区“鼓楼区”不唯一（南京市鼓楼区、徐州市鼓楼区），请写明所属市，如“南京市鼓楼区”"),
    ("所属地区", "", "所属地区不能为空"),
    ("技术等级", "高级", "技术等级“高级”无效，应为：初级工、中级工、高级工、技师、高级技师"),
    ("技术等级", "", "技术等级不能为空"),
    ("在岗状态", "在职", "在岗状态“在职”无效，应为“在岗”或“离岗”"),
    ("在岗状态", None, "在岗状态不能为空"),
    ("姓名", "", "姓名不能为空"),
    ("姓名", "  ", "姓名不能为空"),
    ("姓名", "张" * 51, "姓名过长（最多50个字）"),
    ("工作单位", "", "工作单位不能为空"),
    ("工作单位", "单" * 101, "工作单位名称过长（最多100个字）"),
    ("岗位", "岗" * 101, "岗位过长（最多100个字）"),
]


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry_run", "import"])
@pytest.mark.parametrize(("column", "value", "reason"), BAD_CELLS, ids=[f"{c}:{r[:14]}" for c, _v, r in BAD_CELLS])
def test_each_bad_cell_is_reported_with_row_column_and_reason_and_nothing_is_written(
    tmp_path, column, value, reason, dry_run
):
    units_before = Unit.objects.count()
    path = xlsx(tmp_path, [row(**{"身份证号": ID_B}), row(**{column: value}), row(**{"身份证号": ID_C})])

    result = run(path, dry_run=dry_run)

    assert result.errors == [RowError(3, column, reason)]
    assert str(result.errors[0]) == f"第3行 [{column}] {reason}"
    assert not result.ok
    assert (result.created, result.updated) == (0, 0)
    assert Person.objects.count() == 0
    assert Unit.objects.count() == units_before
    assert not AuditLog.objects.filter(event_type="registry.imported").exists()


def test_every_bad_row_is_reported_not_just_the_first(tmp_path):
    path = xlsx(
        tmp_path,
        [
            row(**{"手机号": "123"}),
            row(**{"身份证号": ID_B}),
            row(**{"身份证号": ID_C, "技术等级": "专家", "在岗状态": "退休"}),
            row(**{"身份证号": ID_X, "所属地区": "火星"}),
        ],
    )

    result = run(path, dry_run=True)

    assert [(e.row, e.column) for e in result.errors] == [
        (2, "手机号"),
        (4, "技术等级"),
        (4, "在岗状态"),
        (5, "所属地区"),
    ]


def test_duplicate_id_numbers_in_the_file_report_both_rows(tmp_path):
    path = xlsx(
        tmp_path,
        [
            row(**{"身份证号": ID_X}),
            row(**{"身份证号": ID_B}),
            row(**{"身份证号": ID_X.lower(), "姓名": "李四"}),  # same number, lower-case x
            row(**{"身份证号": ID_X, "姓名": "王五"}),
        ],
    )

    result = run(path)

    assert result.errors == [
        RowError(2, "身份证号", "身份证号与第4行重复"),
        RowError(4, "身份证号", "身份证号与第2行重复"),
        RowError(5, "身份证号", "身份证号与第2行重复"),
    ]
    assert Person.objects.count() == 0


def test_fast_id_check_agrees_with_the_validator():
    """The importer's fast path for valid numbers never accepts what validate_id_number refuses."""
    validator = RowValidator(RegionLookup(Region.objects.all()))
    samples = [
        ID_A,
        ID_X,
        ID_X.lower(),
        "440524188001010014",
        "110105194912310021",  # check digit
        "440524189001010014",  # year altered
        "990524188001010014",  # no such province
        "320706203001010013",  # future
        "320706179912310012",  # before 1800
        "32070619800230001X",
        "3207061980051701１X",
        "32070619800517011",
        "A20706198005170110",
    ]
    for sample in samples:
        try:
            expected = validate_id_number(sample)
        except IdError as exc:
            with pytest.raises(IdError, match=str(exc)):
                validator.id_number(sample)
        else:
            assert validator.id_number(sample) == expected


# --- Dry run, all-or-nothing, clean import ---------------------------------------------------------------
def test_dry_run_reports_what_would_happen_and_writes_nothing(tmp_path):
    PersonFactory(id_number=ID_B, unit=UnitFactory(name="赣榆区城市管理局", region=region("320707")))
    units_before = Unit.objects.count()
    path = xlsx(
        tmp_path,
        [
            row(),
            row(**{"身份证号": ID_B, "工作单位": "赣榆区城市管理局", "所属地区": "连云港市赣榆区"}),
            row(**{"身份证号": ID_C, "工作单位": "南京市鼓楼区教育局", "所属地区": "南京市鼓楼区"}),
        ],
    )

    result = run(path, dry_run=True)

    assert result.ok and result.dry_run
    assert (result.total_rows, result.created, result.updated) == (3, 2, 1)
    assert result.units_created == 2
    assert result.summary().startswith("校验通过（未写入）。共3行：将新增 2，将更新 1")
    assert Person.objects.count() == 1
    assert Unit.objects.count() == units_before
    assert not PersonHistory.objects.exists()


def test_real_import_with_one_bad_row_writes_nothing(tmp_path):
    rows = [row(**{"身份证号": valid_id_number("320706", seq=n), "工作单位": f"新单位{n}"}) for n in range(1, 40)]
    rows[25][2] = "10086"
    units_before = Unit.objects.count()

    result = run(xlsx(tmp_path, rows))

    assert result.errors == [RowError(27, "手机号", "手机号“10086”格式错误：应为1开头的11位手机号码")]
    assert result.summary() == "共39行，发现1处错误，未导入任何数据"
    assert Person.objects.count() == 0
    assert Unit.objects.count() == units_before


def test_clean_file_is_imported_with_regions_grades_and_units_resolved(tmp_path, django_assert_max_num_queries):
    operator = OperatorFactory()
    ids = [valid_id_number("320706", seq=n) for n in range(1, 9)]
    path = xlsx(
        tmp_path,
        [
            row(**{"身份证号": ids[0], "所属地区": "连云港市海州区", "技术等级": "高级工"}),
            row(**{"身份证号": ids[1], "所属地区": "连云港市 海州区", "技术等级": "三级/高级工"}),
            row(**{"身份证号": ids[2], "所属地区": "海州区", "技术等级": "五级"}),
            row(
                **{
                    "身份证号": ids[3],
                    "所属地区": "连云港市",
                    "工作单位": "连云港市人社局",
                    "技术等级": "一级（高级技师）",
                }
            ),
            row(**{"身份证号": ids[4], "所属地区": "江苏省连云港市海州区", "技术等级": "技师", "在岗状态": "离岗"}),
            row(
                **{"身份证号": ids[5], "所属地区": "南京市鼓楼区", "工作单位": "南京市鼓楼区教育局", "技术等级": "四级"}
            ),
            row(**{"身份证号": ids[6], "所属地区": "徐州市鼓楼区", "工作单位": "徐州市鼓楼区教育局", "岗位": ""}),
            row(**{"身份证号": ids[7], "手机号": None, "技术等级": "中级工"}),
        ],
    )

    with django_assert_max_num_queries(20):  # no per-row queries
        result = run(path, actor=operator)

    assert result.ok, result.errors
    assert (result.total_rows, result.created, result.updated, result.units_created) == (8, 8, 0, 4)
    people = {p.id_number: p for p in Person.objects.select_related("unit__region", "region")}
    haizhou = region("320706")
    assert [people[i].region for i in ids[:3]] == [haizhou] * 3
    assert people[ids[4]].region == haizhou and people[ids[4]].status == PersonStatus.INACTIVE
    assert people[ids[3]].region == region("320700")
    assert people[ids[5]].region == region("320106") and people[ids[6]].region == region("320302")
    assert [people[i].grade for i in ids] == [
        Grade.SENIOR,
        Grade.SENIOR,
        Grade.JUNIOR,
        Grade.SENIOR_TECHNICIAN,
        Grade.TECHNICIAN,
        Grade.INTERMEDIATE,
        Grade.SENIOR,
        Grade.INTERMEDIATE,
    ]
    assert people[ids[7]].phone == "" and people[ids[6]].post == ""
    hospital = Unit.objects.get(name="连云港市第一人民医院", region=haizhou)
    assert {people[i].unit_id for i in (*ids[:3], ids[4], ids[7])} == {hospital.pk}
    assert people[ids[0]].name == "张三" and people[ids[0]].phone == "13800001111"
    log = AuditLog.objects.get(event_type="registry.imported")
    assert log.actor == operator and log.extra_data["created"] == 8 and log.extra_data["file"] == "registry.xlsx"


def test_existing_units_are_reused_by_name_and_city(tmp_path):
    city_unit = UnitFactory(name="连云港市人力资源和社会保障局", region=region("320700"))
    county_unit = UnitFactory(name="海州区机关事务管理中心", region=region("320706"))
    path = xlsx(
        tmp_path,
        [
            row(**{"身份证号": ID_A, "工作单位": "连云港市人力资源和社会保障局", "所属地区": "连云港市海州区"}),
            row(**{"身份证号": ID_B, "工作单位": " 海州区机关事务管理中心 ", "所属地区": "海州区"}),
        ],
    )

    result = run(path)

    assert result.ok and result.units_created == 0
    assert Person.objects.get(id_number=ID_A).unit == city_unit
    assert Person.objects.get(id_number=ID_A).region == region("320706")
    assert Person.objects.get(id_number=ID_B).unit == county_unit


def test_a_new_unit_written_with_city_and_with_county_is_created_once(tmp_path):
    """The rule of find_unit holds for units the file itself creates; the dry run counts the same."""
    path = xlsx(
        tmp_path,
        [
            row(**{"身份证号": ID_A, "工作单位": "连云港市新设局", "所属地区": "连云港市"}),
            row(**{"身份证号": ID_B, "工作单位": "连云港市新设局", "所属地区": "连云港市海州区"}),
            row(**{"身份证号": ID_C, "工作单位": "连云港市新设局", "所属地区": "南京市玄武区"}),
        ],
    )

    assert run(path, dry_run=True).units_created == 2
    result = run(path)

    assert result.units_created == 2
    a, b, c = (Person.objects.get(id_number=i) for i in (ID_A, ID_B, ID_C))
    assert a.unit == b.unit and a.unit.region == region("320700") and b.region == region("320706")
    assert c.unit != a.unit and c.unit.region == region("320102")


def test_blank_rows_are_skipped_and_row_numbers_stay_those_of_excel(tmp_path):
    path = xlsx(
        tmp_path, [row(), [None] * 8, ["", " ", None, None, None, None, None, None], row(**{"身份证号": "123"})]
    )

    result = run(path, dry_run=True)

    assert result.total_rows == 2
    assert [(e.row, e.column) for e in result.errors] == [(5, "身份证号")]


# --- Re-import ---------------------------------------------------------------------------------------------
def test_reimport_updates_by_id_number_and_records_changed_fields_only(tmp_path):
    operator = OperatorFactory()
    first = [
        row(),
        row(**{"身份证号": ID_B, "姓名": "李四", "手机号": "13900002222"}),
        row(**{"身份证号": ID_C, "姓名": "王五", "所属地区": "南京市玄武区", "工作单位": "玄武区档案馆"}),
    ]
    assert run(xlsx(tmp_path, first, name="a.xlsx")).created == 3
    li = Person.objects.get(id_number=ID_B)
    created_at = li.created_at

    second = [
        row(),  # unchanged
        row(
            **{
                "身份证号": ID_B,
                "姓名": "李四",
                "手机号": "13900003333",
                "在岗状态": "离岗",
                "工作单位": "连云港市第二人民医院",
            }
        ),
        row(
            **{
                "身份证号": ID_C,
                "姓名": "王五",
                "所属地区": "南京市玄武区",
                "工作单位": "玄武区档案馆",
                "技术等级": "技师",
            }
        ),
        row(**{"身份证号": ID_X, "姓名": "赵六"}),  # new
    ]
    result = run(xlsx(tmp_path, second, name="b.xlsx"), actor=operator)

    assert result.ok
    assert (result.created, result.updated, result.unchanged, result.units_created) == (1, 2, 1, 1)
    li.refresh_from_db()
    assert (li.phone, li.status, li.unit.name, li.created_at) == (
        "13900003333",
        PersonStatus.INACTIVE,
        "连云港市第二人民医院",
        created_at,
    )
    assert Person.objects.count() == 4
    history = {h.person.id_number: h for h in PersonHistory.objects.select_related("person")}
    assert set(history) == {ID_B, ID_C}
    entry = history[ID_B]
    assert entry.source == "import" and entry.changed_by == operator
    assert set(entry.after) == {"phone", "status", "unit", "unit_id"}
    assert entry.before["phone"] == "13900002222" and entry.after["phone"] == "13900003333"
    assert (entry.before["status"], entry.after["status"]) == ("active", "inactive")
    assert (entry.before["unit"], entry.after["unit"]) == ("连云港市第一人民医院", "连云港市第二人民医院")
    assert entry.after["unit_id"] == li.unit_id
    assert history[ID_C].before == {"grade": "senior"} and history[ID_C].after == {"grade": "technician"}


def test_reimport_of_the_same_file_changes_nothing(tmp_path):
    path = xlsx(tmp_path, [row(), row(**{"身份证号": ID_B})])
    run(path)

    result = run(path)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert not PersonHistory.objects.exists()


def test_import_in_several_batches(tmp_path, monkeypatch):
    """Batches (spooled, prefetched and written separately) give the same result as one."""
    monkeypatch.setattr(importer, "BATCH_SIZE", 7)
    monkeypatch.setattr(importer, "PROGRESS_EVERY", 5)
    ids = [valid_id_number("320706", seq=n) for n in range(1, 31)]
    rows = [row(**{"身份证号": i, "工作单位": f"单位{n % 4}"}) for n, i in enumerate(ids)]
    seen = []
    gc_threshold = gc.get_threshold()

    result = run(xlsx(tmp_path, rows), progress=lambda phase, done, total: seen.append((phase, done, total)))

    assert gc.get_threshold() == gc_threshold and gc.get_freeze_count() == 0  # bulk GC settings undone

    assert result.ok and result.created == 30 and Person.objects.count() == 30
    if connection.vendor == "postgresql":  # read, check and write in one pass
        assert seen[0] == ("import", 0, 30) and seen[-1] == ("import", 30, 30)
        assert [d for p, d, _t in seen] == [0, 5, 10, 15, 20, 25, 30, 30]
    else:  # check everything, then write the spooled batches
        assert seen[0] == ("validate", 0, 30)
        assert ("validate", 30, 30) in seen and seen[-1] == ("write", 30, 30)
        assert [d for p, d, _t in seen if p == "write"] == [0, 7, 14, 21, 28, 30]

    rows[3][2] = "13911112222"
    rows[20][7] = "离岗"
    result = run(xlsx(tmp_path, rows, name="again.xlsx"))
    assert (result.created, result.updated, result.unchanged) == (0, 2, 28)
    assert PersonHistory.objects.count() == 2


def test_a_conflict_while_writing_rolls_everything_back(tmp_path, monkeypatch):
    """E.g. an approved application adds the same ID number meanwhile: the unique index refuses it."""
    from django.db import IntegrityError

    monkeypatch.setattr(importer, "BATCH_SIZE", 2)
    calls = []
    real_insert = writing._insert_people

    def insert(rows, now):
        calls.append(len(rows))
        if len(calls) == 2:
            raise IntegrityError("duplicate key value violates unique constraint")
        real_insert(rows, now)

    monkeypatch.setattr(writing, "_insert_people", insert)
    rows = [row(**{"身份证号": valid_id_number("320706", seq=n), "工作单位": f"单位{n}"}) for n in range(1, 8)]

    result = run(xlsx(tmp_path, rows))

    assert result.errors == [RowError(1, "文件", "导入时人员库被同时修改（身份证号冲突），未导入任何数据，请重新导入")]
    assert (result.created, result.units_created) == (0, 0)
    assert len(calls) >= 2
    assert Person.objects.count() == 0 and not Unit.objects.filter(name__startswith="单位").exists()


# --- Normalisation -----------------------------------------------------------------------------------------
def test_full_width_digits_spaces_and_lower_case_x_are_normalised(tmp_path):
    full_width_id = ID_A.translate({ord(c): 0xFF10 + int(c) for c in "0123456789"})
    path = xlsx(
        tmp_path,
        [
            row(
                **{
                    "身份证号": full_width_id,
                    "姓名": " 张 三 ",
                    "手机号": "１３８ ００００ １１１１",
                    "岗位": "  驾驶员 ",
                }
            ),
            row(
                **{
                    "身份证号": " " + ID_X.lower() + "\u3000",
                    "姓名": "John  Smith",
                    "手机号": "+86 139-0000-2222",
                    "工作单位": "　连云港市第一人民医院 ",
                    "所属地区": "连云港市\u3000海州区",
                    "技术等级": " 高级工 ",
                    "在岗状态": " 在岗",
                }
            ),
            row(
                **{
                    "身份证号": ID_B,
                    "手机号": 13900003333,
                    "所属地区": "连云港 / 赣榆区",
                    "技术等级": "三级 （高级工）",
                }
            ),
        ],
    )

    result = run(path)

    assert result.ok, result.errors
    a = Person.objects.get(id_number=ID_A)
    assert (a.name, a.phone, a.post) == ("张三", "13800001111", "驾驶员")
    x = Person.objects.get(id_number=ID_X)
    assert (x.name, x.phone, x.unit.name, x.region.code) == (
        "John Smith",
        "13900002222",
        "连云港市第一人民医院",
        "320706",
    )
    assert a.unit_id == x.unit_id
    b = Person.objects.get(id_number=ID_B)
    assert (b.phone, b.region.code, b.grade) == ("13900003333", "320707", Grade.SENIOR)


# --- The file itself -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "header",
    [
        ["身份证号", "姓名", "手机号", "工作单位", "所属地区", "技术等级", "岗位", "在岗状态"],
        ["姓名", "身份证号", "手机号", "工作单位", "所属地区", "技术等级", "岗位"],
        [*COLUMNS, "备注"],
        ["name", "id"],
    ],
    ids=["swapped", "missing", "extra", "english"],
)
def test_wrong_header_is_a_clear_error(tmp_path, header):
    result = run(xlsx(tmp_path, [row()], header=header), dry_run=True)

    assert len(result.errors) == 1
    error = result.errors[0]
    assert (error.row, error.column) == (1, "表头")
    assert error.message.startswith(
        "表头应为：姓名、身份证号、手机号、工作单位、所属地区、技术等级、岗位、在岗状态（共8列，顺序不可改变）；当前为："
    )
    assert Person.objects.count() == 0


def test_header_with_stray_spaces_is_accepted(tmp_path):
    header = [f" {c} " for c in COLUMNS]
    assert run(xlsx(tmp_path, [row()], header=header)).created == 1


def test_not_an_excel_file(tmp_path):
    path = tmp_path / "people.xlsx"
    path.write_text("姓名,身份证号\n张三,11010519491231002X\n", encoding="utf-8")

    result = run(path, dry_run=True)

    assert [(e.row, e.column) for e in result.errors] == [(1, "文件")]
    assert result.errors[0].message.startswith("文件无法读取，请上传 .xlsx 格式的 Excel 文件")


def test_file_without_data_rows(tmp_path):
    result = run(xlsx(tmp_path, []), dry_run=True)

    assert result.errors == [RowError(2, "文件", "文件中没有数据行")]


def test_the_downloadable_template_imports_its_example_row_after_filling_it(tmp_path):
    """The 信息模板 has the header the importer expects (and accepts a file-like source)."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(build_template()))
    ws = wb.worksheets[0]
    ws.append(row())
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)

    result = registry_import(source=buf, dry_run=False, source_name="信息模板.xlsx")

    assert result.ok, result.errors
    assert result.created == 1


# --- manage.py import_registry ------------------------------------------------------------------------------
def run_command(capsys, monkeypatch, *args) -> tuple[int, str, str]:
    """Runs the command as manage.py does (run_from_argv: CommandError → exit status)."""
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    code = 0
    try:
        ImportCommand().run_from_argv(["manage.py", "import_registry", *args])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_command_imports_and_prints_the_summary(tmp_path, capsys, monkeypatch):
    path = xlsx(tmp_path, [row(), row(**{"身份证号": ID_B})])

    code, out, _err = run_command(capsys, monkeypatch, str(path))

    assert code == 0
    assert "共2行：新增 2，更新 0" in out
    assert Person.objects.count() == 2

    path = xlsx(tmp_path, [row(**{"手机号": "13999999999"}), row(**{"身份证号": ID_B})], name="again.xlsx")
    code, out, _err = run_command(capsys, monkeypatch, str(path))
    assert code == 0 and "新增 0，更新 1" in out


def test_command_dry_run_writes_nothing(tmp_path, capsys, monkeypatch):
    code, out, _err = run_command(capsys, monkeypatch, str(xlsx(tmp_path, [row()])), "--dry-run")

    assert code == 0
    assert "校验通过（未写入）。共1行：将新增 1" in out
    assert Person.objects.count() == 0


def test_command_prints_every_error_line_and_exits_non_zero(tmp_path, capsys, monkeypatch):
    path = xlsx(tmp_path, [row(**{"手机号": "123"}), row(**{"身份证号": ID_B, "所属地区": "鼓楼区"})])

    for args in ([str(path)], [str(path), "--dry-run"]):
        code, out, err = run_command(capsys, monkeypatch, *args)

        assert code == 1
        assert out.splitlines() == [
            "第2行 [手机号] 手机号“123”格式错误：应为1开头的11位手机号码",
            "第3行 [所属地区] 所属地区“鼓楼区”不唯一（南京市鼓楼区、徐州市鼓楼区），请写明所属市，如“南京市鼓楼区”",
        ]
        assert "共2行，发现2处错误，未导入任何数据" in err
    assert Person.objects.count() == 0


def test_command_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="文件不存在"):
        call_command("import_registry", str(tmp_path / "nope.xlsx"))
