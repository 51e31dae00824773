"""The worker's KITOS schedule (ADR 0035): when each pending registration is tried next, and
its failures in a row. What was pending before (the cron's to retry) is due at once."""

from django.db import migrations, models
from django.utils import timezone


def due_now(apps, schema_editor):
    KitosSync = apps.get_model("portfolio", "KitosSync")
    KitosSync.objects.filter(status="pending").update(next_attempt_at=timezone.now())


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0009_saved_filters'),
        ('orgs', '0004_oidc_provider_and_settings'),
        ('portfolio', '0006_system_archive_assessment'),
    ]

    operations = [
        migrations.AddField(
            model_name='kitossync',
            name='failures',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='kitossync',
            name='next_attempt_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name='kitossync',
            index=models.Index(fields=['status', 'next_attempt_at'], name='kitos_sync_due'),
        ),
        migrations.RunPython(due_now, migrations.RunPython.noop),
    ]
