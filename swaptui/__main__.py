"""`python -m swaptui` runs the same command line as `swaptui`."""

from swaptui.cli import main

raise SystemExit(main())
