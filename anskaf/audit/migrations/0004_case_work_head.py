"""ChainHead.shared_work_hash and CaseWorkHead (ADR 0045): the task lists in per-case parts.
An existing chain starts the shared version at its head: everything up to now may have moved
every case's work."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import F


def start_at_the_head(apps, schema_editor):
    apps.get_model("audit", "ChainHead").objects.update(shared_work_hash=F("hash"))


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_chainhead_work_hash'),
        ('orgs', '0006_organisation_access_stamp'),
    ]

    operations = [
        migrations.AddField(
            model_name='chainhead',
            name='shared_work_hash',
            field=models.CharField(default='', max_length=64),
        ),
        migrations.CreateModel(
            name='CaseWorkHead',
            fields=[
                ('case_id', models.BigIntegerField(primary_key=True, serialize=False)),
                ('hash', models.CharField(max_length=64)),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.organisation')),
            ],
        ),
        migrations.RunPython(start_at_the_head, migrations.RunPython.noop),
    ]
