from django.db import migrations


def load(apps, schema_editor):
    from cecloud.registry.regions_data import load_regions

    load_regions(apps.get_model("registry", "Region"))


def unload(apps, schema_editor):
    Region = apps.get_model("registry", "Region")
    Region.objects.filter(level="county").delete()
    Region.objects.filter(level="city").delete()
    Region.objects.filter(level="province").delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
