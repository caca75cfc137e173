"""``python -m adclassify`` runs the command line."""

from adclassify.cli import main

raise SystemExit(main())
