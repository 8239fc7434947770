"""``opsdesk cmdb import FILE --class Server --organisation Acme [--dry-run] [--partial --rejects FILE]``
and ``opsdesk cmdb import FILE --relationships [--organisation Acme] ...``.

Runs as the system (audited with the ``system`` channel). Without ``--partial`` nothing changes unless every
row is valid; with it the valid rows are imported and the rejected ones written to ``--rejects``.
Exit status: 0 when nothing was rejected, 1 otherwise.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from opsdesk.accounts.models import Organisation
from opsdesk.cmdb import services, transfer
from opsdesk.cmdb.models import CIClass
from opsdesk.core.context import acting_as


class Command(BaseCommand):
    help = "Configuration management: import CIs or relationships from CSV or JSON."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        load = actions.add_parser("import", help="Import CIs of one class (or relationships) from a file")
        load.add_argument("file", help="A .csv or .json file")
        load.add_argument("--class", dest="ci_class", help="Class key or name, e.g. server or Server")
        load.add_argument("--organisation", help="Owner organisation: name, short name or id")
        load.add_argument("--relationships", action="store_true", help="The file holds relationships")
        load.add_argument("--format", choices=transfer.FORMATS, help="Default: from the file name")
        load.add_argument("--dry-run", action="store_true", help="Check and report; change nothing")
        load.add_argument("--partial", action="store_true", help="Import the valid rows, reject the rest")
        load.add_argument("--rejects", help="With --partial: write the rejected rows to this file")

    def handle(self, *args, action, **options):
        if action == "import":
            return self.load(**options)
        raise CommandError(f"Unknown action {action}")

    def load(self, *, file, ci_class, organisation, relationships, format, dry_run, partial, rejects, **_):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        if rejects and not partial:
            raise CommandError("--rejects goes with --partial.")
        org = _organisation(organisation) if organisation else None
        options = {
            "file_format": transfer.guess_format(path.name, format),
            "dry_run": dry_run,
            "partial": partial,
        }
        data = path.read_bytes()
        try:
            with acting_as(None, "system"):
                if relationships:
                    report = services.import_relationships(data, organisation=org, **options)
                else:
                    if org is None or not ci_class:
                        raise CommandError("Give --class and --organisation (or --relationships).")
                    report = services.import_cis(data, ci_class=_class(ci_class), organisation=org, **options)
        except transfer.FileProblem as exc:
            raise CommandError(str(exc)) from None
        for reject in report.rejects:
            where = f"line {reject.line}" + (f", column {reject.column}" if reject.column else "")
            self.stderr.write(f"{file}: {where}: {reject.reason}")
        if rejects and report.rejects:
            content, _ = transfer.write_rejects(report)
            Path(rejects).write_text(content, encoding="utf-8")
            self.stderr.write(f"Rejected rows written to {rejects}")
        self.stdout.write(report.summary())
        if report.rejects:
            raise SystemExit(1)


def _organisation(value: str) -> Organisation:
    match = Q(name__iexact=value) | Q(short_name__iexact=value)
    if value.isdigit():
        match |= Q(pk=int(value))
    found = Organisation.objects.filter(match).first()
    if found is None:
        raise CommandError(f"No organisation '{value}'.")
    return found


def _class(value: str) -> CIClass:
    found = CIClass.objects.filter(Q(key__iexact=value) | Q(name__iexact=value), is_active=True).first()
    if found is None:
        raise CommandError(f"No CI class '{value}'.")
    return found
