"""The command line: `swaptui [SCENARIO]` opens the app; subcommands do the rest.

Every failure a user can cause (a bad flag, a missing or broken scenario file, an
option the engine refuses) ends as one line on stderr and exit status 2; a failure of
swaptui itself as one line naming the file that holds the traceback, and status 70.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from swaptui import __version__, config
from swaptui.errors import UsageError, fail

# subcommand name -> module that provides add_parser(subparsers) and run(args) -> int
_COMMANDS: dict[str, str] = {
    "run": "swaptui.commands.run",
    "scenario": "swaptui.commands.scenario",
    "capture": "swaptui.commands.capture",
    "record": "swaptui.commands.record",
    "serve": "swaptui.commands.serve",
    "race": "swaptui.commands.race",
}


class _Parser(argparse.ArgumentParser):
    """argparse, but errors become one line and exit status 2 (argparse prints usage too)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def _app_parser() -> argparse.ArgumentParser:
    from swaptui.commands.app import add_arguments

    p = _Parser(
        prog="swaptui",
        description=(
            "Watch the Linux swapoff algorithms clear a swap area, frame by frame. "
            "Without a command, open the app on SCENARIO (a preset name or a .toml file). "
            "Commands: " + ", ".join(_COMMANDS) + " (swaptui COMMAND --help)."
        ),
    )
    p.add_argument("--version", action="version", version=f"swaptui {__version__}")
    add_arguments(p)
    return p


def _command_parser(
    name: str,
) -> tuple[argparse.ArgumentParser, Callable[[argparse.Namespace], int]]:
    import importlib

    module = importlib.import_module(_COMMANDS[name])
    top = _Parser(prog="swaptui")
    sub = top.add_subparsers(dest="command", parser_class=_Parser)
    module.add_parser(sub)
    return top, module.run


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    from models.scenario import cache

    # generated presets are kept for the next start ($SWAPTUI_CACHE_DIR overrides)
    cache.use_directory(config.cache_dir())
    try:
        if args and args[0] in _COMMANDS:
            parser, run = _command_parser(args[0])
            ns = parser.parse_args(args)
            if args[0] == "race":
                config.warn_if_broken()
            return run(ns)
        ns = _app_parser().parse_args(args)
        config.warn_if_broken()
        from swaptui.commands import app

        return app.run(ns)
    except UsageError as e:
        return fail(str(e))
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # a swaptui bug: one line, the traceback in a file, 70
        from swaptui.crash import report

        return report(e)
