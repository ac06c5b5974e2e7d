from django.db import migrations


def load(apps, schema_editor):
    from cecloud.training.seed import load_years

    load_years(apps.get_model("training", "TrainingYear"), apps.get_model("training", "YearRequirement"))


def unload(apps, schema_editor):
    from cecloud.training.seed import SEED_YEARS

    apps.get_model("training", "TrainingYear").objects.filter(
        year__in=list(SEED_YEARS), enrollments__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
