"""`python -m coachbot` is the `coachbot` command."""

from coachbot.cli import main

raise SystemExit(main())
