"""ChainHead.work_hash (ADR 0044): the hash of the newest event that can move anyone's work.
An existing chain starts it at its head: everything up to now may have moved work."""

from django.db import migrations, models
from django.db.models import F


def start_at_the_head(apps, schema_editor):
    apps.get_model("audit", "ChainHead").objects.update(work_hash=F("hash"))


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='chainhead',
            name='work_hash',
            field=models.CharField(default='', max_length=64),
        ),
        migrations.RunPython(start_at_the_head, migrations.RunPython.noop),
    ]
