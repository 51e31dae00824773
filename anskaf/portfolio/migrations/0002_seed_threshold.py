"""Seed the EU threshold for municipalities' goods and services, 2024-2025 (DKK excl. VAT)."""

from datetime import date
from decimal import Decimal

from django.db import migrations


def seed(apps, schema_editor):
    TenderThreshold = apps.get_model("portfolio", "TenderThreshold")
    TenderThreshold.objects.get_or_create(
        valid_from=date(2024, 1, 1), valid_to=date(2025, 12, 31), kind="goods_services",
        defaults={"amount": Decimal("1644638")})


def unseed(apps, schema_editor):
    apps.get_model("portfolio", "TenderThreshold").objects.filter(
        valid_from=date(2024, 1, 1), valid_to=date(2025, 12, 31)).delete()


class Migration(migrations.Migration):
    dependencies = [("portfolio", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
