import django.contrib.auth.validators
from django.db import migrations, models

import accounts.validators


def rename_usernames_with_at(apps, schema_editor):
    """Usernames may no longer contain `@`: `ann@corp.example` becomes `ann-at-corp.example`
    (with `-<id>` added if that is taken). People still log in by their email."""
    User = apps.get_model("accounts", "User")
    for user in User.objects.filter(username__contains="@"):
        candidate = user.username.replace("@", "-at-")[:150]
        if User.objects.filter(username__iexact=candidate).exclude(pk=user.pk).exists():
            candidate = f"{candidate[:140]}-{user.pk}"
        user.username = candidate
        user.save(update_fields=["username"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="username",
            field=models.CharField(
                error_messages={"unique": "A user with that username already exists."},
                help_text="Required. 150 characters or fewer. Letters, digits and ./+/-/_ only.",
                max_length=150,
                unique=True,
                validators=[
                    django.contrib.auth.validators.UnicodeUsernameValidator(),
                    accounts.validators.validate_username_has_no_at,
                ],
                verbose_name="username",
            ),
        ),
        migrations.RunPython(rename_usernames_with_at, migrations.RunPython.noop),
    ]
