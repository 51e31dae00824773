from django.db import migrations


class Migration(migrations.Migration):
    """The board's documentation step is found by kind or key, not as "step 4" (issue 15)."""

    dependencies = [("meetings", "0001_initial")]

    operations = [
        migrations.RenameField("referral", "step4_done_at", "documentation_done_at"),
    ]
