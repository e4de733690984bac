"""``python -m supportdesk`` runs the same command line as the ``supportdesk`` script."""

from supportdesk.cli import main

raise SystemExit(main())
