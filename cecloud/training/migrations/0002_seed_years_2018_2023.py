"""The training years 2018–2023 with the 2023 round's hours and prices per grade group.

The data is frozen here as it was when this migration was written: a migration must not import
live modules, which change after it. ``cecloud/training/seed.py`` keeps the current table for the
demo and the test factories.
"""

from decimal import Decimal

from django.db import migrations

SEED_YEARS = range(2018, 2024)
SEED_REQUIREMENTS = {
    # grade group: (思政, 通识, 岗位提升, price)
    "technician": (Decimal("12"), Decimal("12"), Decimal("16"), Decimal("120.00")),
    "skilled": (Decimal("7"), Decimal("7"), Decimal("10"), Decimal("80.00")),
}


def load(apps, schema_editor):
    TrainingYear = apps.get_model("training", "TrainingYear")
    YearRequirement = apps.get_model("training", "YearRequirement")
    for year in SEED_YEARS:
        training_year, _ = TrainingYear.objects.get_or_create(year=year)
        for group, (ideology, general, skill, price) in SEED_REQUIREMENTS.items():
            YearRequirement.objects.get_or_create(
                training_year=training_year,
                grade_group=group,
                defaults={"ideology_hours": ideology, "general_hours": general, "skill_hours": skill, "price": price},
            )


def unload(apps, schema_editor):
    apps.get_model("training", "TrainingYear").objects.filter(
        year__in=list(SEED_YEARS), enrollments__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
