"""One audit chain per organisation (and the deployment's), each entry sealed with an HMAC under the audit key.

Existing entries (one chain across every organisation, unsealed) are checked as the old single chain first; if it
is intact they are re-chained per organisation, in their original order, and sealed. A broken old chain stops the
migration, so upgrading never launders an edited history."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models


def rechain(apps: Any, schema_editor: Any) -> None:
    from commonweal.domain.audit import GENESIS, ChainedEntry, entry_hash, entry_mac, key_id, verify_chain
    from commonweal.web.audit import current_key
    from commonweal.web.models import AuditEntry as Current

    entry_model = apps.get_model("web", "AuditEntry")
    head_model = apps.get_model("web", "AuditHead")
    old = list(entry_model.objects.order_by("sequence"))
    if not old:
        return
    # the record the hash covers is the model's own (`AuditEntry.record`), applied to the historical rows
    problems = verify_chain(ChainedEntry(e.sequence, Current.record(e), e.previous_hash, e.hash) for e in old)
    if problems:
        raise RuntimeError("the existing audit chain is broken, so it is not re-chained: " + "; ".join(problems))
    key = current_key()
    heads: dict[str, Any] = {}
    for entry in old:
        scope = f"organisation:{entry.organisation_id}" if entry.organisation_id is not None else "deployment"
        head = heads.get(scope)
        if head is None:
            head = heads[scope] = head_model.objects.create(
                scope=scope, organisation_id=entry.organisation_id, sequence=0, hash=GENESIS
            )
        entry.chain = head
        entry.sequence = head.sequence + 1
        entry.previous_hash = head.hash
        entry.hash = entry_hash(entry.previous_hash, Current.record(entry))
        entry.mac = entry_mac(key, entry.hash)
        entry.key_id = key_id(key)
        entry.save()
        head.sequence, head.hash, head.mac = entry.sequence, entry.hash, entry.mac
    for head in heads.values():
        head.save()


class Migration(migrations.Migration):

    dependencies = [
        ("web", "0002_bid_offers"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditHead",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("scope", models.CharField(max_length=60, unique=True)),
                ("sequence", models.PositiveBigIntegerField(default=0)),
                ("hash", models.CharField(max_length=64)),
                ("mac", models.CharField(blank=True, max_length=64)),
                ("organisation", models.OneToOneField(null=True, on_delete=django.db.models.deletion.PROTECT,
                                                      related_name="audit_head", to="web.organisation")),
            ],
        ),
        migrations.AlterModelOptions(name="auditentry", options={"ordering": ["chain", "sequence"]}),
        migrations.AlterField(model_name="auditentry", name="sequence", field=models.PositiveBigIntegerField()),
        migrations.AddField(
            model_name="auditentry", name="chain",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="entries",
                                    to="web.audithead"),
        ),
        migrations.AddField(model_name="auditentry", name="mac",
                            field=models.CharField(default="", max_length=64), preserve_default=False),
        migrations.AddField(model_name="auditentry", name="key_id",
                            field=models.CharField(default="", max_length=16), preserve_default=False),
        migrations.RunPython(rechain, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditentry", name="chain",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="entries",
                                    to="web.audithead"),
        ),
        migrations.AddConstraint(
            model_name="auditentry",
            constraint=models.UniqueConstraint(fields=("chain", "sequence"), name="audit_sequence_per_chain"),
        ),
    ]
