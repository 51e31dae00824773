"""Templates remember their step's key (issue 17: a model that inserts a step must not move
a template to another step). Existing templates get the key of their number in the model
anskaf ships, which every municipality ran when they were uploaded."""

from django.db import migrations, models


def keys_from_the_shipped_model(apps, schema_editor):
    from anskaf.process.loader import load_default

    model = load_default()
    template = apps.get_model("documents", "OrgTemplate")
    for row in template.objects.filter(step_key=""):
        if model.has_step(row.step):
            row.step_key = model.step(row.step).key
            row.save(update_fields=["step_key"])


class Migration(migrations.Migration):

    dependencies = [
        ("documents", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="orgtemplate",
            name="step_key",
            field=models.CharField(blank=True, max_length=100, verbose_name="trinnets nøgle"),
        ),
        migrations.RunPython(keys_from_the_shipped_model, migrations.RunPython.noop),
    ]
