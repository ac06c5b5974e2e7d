"""Jiangsu (320000), its 13 cities and their counties/districts (GB/T 2260), plus Lianyungang's
function zones (功能板块), which have no national code and get local codes in the 3207 9x range.

The data is frozen here as it was when this migration was written: a migration must not import
live modules, which change after it. ``cecloud/registry/regions_data.py`` keeps the current table
for the demo and the test factories (they restore it after a flush).
"""

from django.db import migrations

PROVINCE = ("320000", "江苏省")

CITIES = [
    ("320100", "南京市", [("320102", "玄武区"), ("320104", "秦淮区"), ("320105", "建邺区"), ("320106", "鼓楼区"), ("320111", "浦口区"), ("320113", "栖霞区"), ("320114", "雨花台区"), ("320115", "江宁区"), ("320116", "六合区"), ("320117", "溧水区"), ("320118", "高淳区")]),
    ("320200", "无锡市", [("320205", "锡山区"), ("320206", "惠山区"), ("320211", "滨湖区"), ("320213", "梁溪区"), ("320214", "新吴区"), ("320281", "江阴市"), ("320282", "宜兴市")]),
    ("320300", "徐州市", [("320302", "鼓楼区"), ("320303", "云龙区"), ("320305", "贾汪区"), ("320311", "泉山区"), ("320312", "铜山区"), ("320321", "丰县"), ("320322", "沛县"), ("320324", "睢宁县"), ("320381", "新沂市"), ("320382", "邳州市")]),
    ("320400", "常州市", [("320402", "天宁区"), ("320404", "钟楼区"), ("320411", "新北区"), ("320412", "武进区"), ("320413", "金坛区"), ("320481", "溧阳市")]),
    ("320500", "苏州市", [("320505", "虎丘区"), ("320506", "吴中区"), ("320507", "相城区"), ("320508", "姑苏区"), ("320509", "吴江区"), ("320581", "常熟市"), ("320582", "张家港市"), ("320583", "昆山市"), ("320585", "太仓市")]),
    ("320600", "南通市", [("320612", "通州区"), ("320613", "崇川区"), ("320614", "海门区"), ("320623", "如东县"), ("320681", "启东市"), ("320682", "如皋市"), ("320685", "海安市")]),
    ("320700", "连云港市", [("320703", "连云区"), ("320706", "海州区"), ("320707", "赣榆区"), ("320722", "东海县"), ("320723", "灌云县"), ("320724", "灌南县"), ("320791", "连云港经济技术开发区"), ("320792", "徐圩新区"), ("320793", "云台山风景名胜区")]),
    ("320800", "淮安市", [("320803", "淮安区"), ("320804", "淮阴区"), ("320812", "清江浦区"), ("320813", "洪泽区"), ("320826", "涟水县"), ("320830", "盱眙县"), ("320831", "金湖县")]),
    ("320900", "盐城市", [("320902", "亭湖区"), ("320903", "盐都区"), ("320904", "大丰区"), ("320921", "响水县"), ("320922", "滨海县"), ("320923", "阜宁县"), ("320924", "射阳县"), ("320925", "建湖县"), ("320981", "东台市")]),
    ("321000", "扬州市", [("321002", "广陵区"), ("321003", "邗江区"), ("321012", "江都区"), ("321023", "宝应县"), ("321081", "仪征市"), ("321084", "高邮市")]),
    ("321100", "镇江市", [("321102", "京口区"), ("321111", "润州区"), ("321112", "丹徒区"), ("321181", "丹阳市"), ("321182", "扬中市"), ("321183", "句容市")]),
    ("321200", "泰州市", [("321202", "海陵区"), ("321203", "高港区"), ("321204", "姜堰区"), ("321281", "兴化市"), ("321282", "靖江市"), ("321283", "泰兴市")]),
    ("321300", "宿迁市", [("321302", "宿城区"), ("321311", "宿豫区"), ("321322", "沭阳县"), ("321323", "泗阳县"), ("321324", "泗洪县")]),
]  # fmt: skip


def load(apps, schema_editor):
    Region = apps.get_model("registry", "Region")
    province, _ = Region.objects.update_or_create(
        code=PROVINCE[0], defaults={"name": PROVINCE[1], "level": "province", "parent": None, "sort_order": 0}
    )
    for i, (city_code, city_name, counties) in enumerate(CITIES, start=1):
        city, _ = Region.objects.update_or_create(
            code=city_code, defaults={"name": city_name, "level": "city", "parent": province, "sort_order": i}
        )
        for j, (code, name) in enumerate(counties, start=1):
            Region.objects.update_or_create(
                code=code, defaults={"name": name, "level": "county", "parent": city, "sort_order": j}
            )


def unload(apps, schema_editor):
    Region = apps.get_model("registry", "Region")
    Region.objects.filter(level="county").delete()
    Region.objects.filter(level="city").delete()
    Region.objects.filter(level="province").delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
