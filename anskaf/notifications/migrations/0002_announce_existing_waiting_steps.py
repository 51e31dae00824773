"""Cases that exist before notifications were installed: their waiting steps count as
announced, so the first move afterwards tells people only about steps that really open then."""

from django.db import migrations


def seed(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    AnnouncedStep = apps.get_model("notifications", "AnnouncedStep")
    batch = []
    for pk, waiting in Case.objects.values_list("pk", "waiting_steps").iterator():
        batch.extend(AnnouncedStep(case_id=pk, step=n) for n in (waiting or []))
        if len(batch) >= 5000:
            AnnouncedStep.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    AnnouncedStep.objects.bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("cases", "0004_case_waiting_roles_key"),
    ]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
