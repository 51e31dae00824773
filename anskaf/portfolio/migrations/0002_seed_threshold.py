"""Once seeded the 2024-2025 EU threshold. It ships no figure any more (issue 19 item 9: no
figure without its source); the administrator enters each period with its source, and a
database that ran the old seed keeps its row."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("portfolio", "0001_initial")]
    operations = []
