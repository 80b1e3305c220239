"""The command layer: one module per `swaptui` subcommand, and the flags they share."""
