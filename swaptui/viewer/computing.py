"""Computing runs for the main screen: a/d/r/o and the palette ask for another run,
a worker loads and runs it off the event loop, and the run on screen stays until the
new one is ready (or for good, if it fails).

`RunComputing` is the base of `MainScreen`; it owns what is computed and when, and
leaves drawing to the screen (`show_job`, `changed`, `install_machine`).
"""

from __future__ import annotations

import contextlib
import gc
import threading
from typing import Any

from textual import work
from textual.screen import Screen
from textual.worker import get_current_worker

from models.algorithms import algorithm
from models.engine import OptionError
from models.narrate import literal
from models.scenario import ScenarioError
from models.scenario_model import Scenario
from models.timeline import Timeline
from swaptui.screens.modals import in_front
from swaptui.viewer import scenarios
from swaptui.viewer.jobs import PAINT_WAIT_S, Abandoned, Job
from swaptui.viewer.player import (
    ALGO_CYCLE,
    DISK_CYCLE,
    READAHEAD_CYCLE,
    Player,
    RunKey,
    next_in,
    settle,
)
from swaptui.viewer.runs import build_run, describe

# the garbage collector's thresholds while a run is on screen: every strip cached by
# the panels is a dozen long-lived containers, and a full collection of them stalled
# one jump in ten by 100 ms or more; collecting the oldest generation ten times less
# often (and the youngest a little less) keeps those stalls out of the frames
GC_THRESHOLDS = (2000, 10, 100)


def quiet_gc() -> None:
    gc.set_threshold(*GC_THRESHOLDS)


class RunComputing(Screen[None]):
    """The runs behind a screen: the one shown (`player`), the one being computed (`job`)."""

    player: Player
    job: Job | None  # what is being computed now
    ready: bool  # a real run is on screen
    _wanted: RunKey | None  # the run being computed, for the cycle keys

    # ---- drawn by the screen ------------------------------------------------------
    def show_job(self) -> None:
        """Say what is being computed (the header and the now line)."""
        raise NotImplementedError

    def changed(self) -> None:
        """The player moved or changed: draw it."""
        raise NotImplementedError

    def install_machine(self) -> None:
        """A new run's machine is in the player: give it to the panels."""
        raise NotImplementedError

    def refresh_bindings_if_needed(self) -> None:
        """The keys that wait for a run may have changed: refresh the footer."""
        raise NotImplementedError

    # ---- other runs ---------------------------------------------------------------
    def action_cycle_algorithm(self) -> None:
        k = self._wanted or self.player.key
        algo = next_in(ALGO_CYCLE, k.algorithm) or "legacy"
        readahead = k.readahead
        if readahead is not None and readahead in algorithm(algo).refused:
            self.app.notify(
                f"{algo} cannot use {readahead} readahead: back to its default", timeout=3
            )
            readahead = None
        self.rerun(self.player.scenario, k.but(algorithm=algo, readahead=readahead))

    def action_cycle_disk(self) -> None:
        k = self._wanted or self.player.key
        disk = next_in(DISK_CYCLE, k.disk or self.player.timeline.run.disk)
        self.rerun(self.player.scenario, k.but(disk=disk))

    def action_cycle_readahead(self) -> None:
        k = self._wanted or self.player.key
        ra = next_in(READAHEAD_CYCLE, k.readahead)
        self.rerun(self.player.scenario, k.but(readahead=ra))

    def set_algorithm(self, algorithm: str) -> None:
        self.rerun(self.player.scenario, self.player.key.but(algorithm=algorithm))

    def rerun(self, source: Scenario | str, key: RunKey) -> None:
        """Compute another run (a, d, r, o, the palette); the current one stays meanwhile."""
        self.recompute(source, key)

    def recompute(self, source: Scenario | str, key: RunKey) -> None:
        """Say at once what is being computed, then compute it after the next paint (the
        worker holds the GIL for seconds: the notice must be on screen first)."""
        self._wanted = key
        job = self.job = Job(describe(source, key))
        self.show_job()
        self.refresh_bindings_if_needed()
        painted = threading.Event()
        self.call_after_refresh(painted.set)
        self._compute(source, key, job, painted)

    @work(thread=True, exclusive=True, group="run")
    def _compute(
        self, source: Scenario | str, key: RunKey, job: Job, painted: threading.Event
    ) -> None:
        """Load (a preset name or a path) and run off the event loop; the run on screen
        stays until the new one is ready, and stays for good if it fails."""
        worker = get_current_worker()
        app = self.app
        # replaced by another run (exclusive group), or the app quits: stop computing
        job.abandoned = lambda: worker.is_cancelled
        # the worker exists at once (whoever waits for workers sees it), but computes only
        # once the notice is painted: it would hold the GIL for seconds before that
        painted.wait(PAINT_WAIT_S)
        try:
            built = build_run(source, key, job)
        except Abandoned:
            return  # nobody waits for it: the newer job (or nothing) is on screen
        except OptionError as e:
            if key.readahead is not None and key.readahead in algorithm(key.algorithm).refused:
                # the cycle would stick on a refused value: skip it, say why
                nxt = next_in(READAHEAD_CYCLE, key.readahead)
                app.call_from_thread(app.notify, str(e), severity="warning", timeout=4)
                app.call_from_thread(self.recompute, source, key.but(readahead=nxt))
                return
            app.call_from_thread(self.failed, job, str(e))
            return
        except ScenarioError as e:
            msg = str(e).splitlines()[0] if str(e) else type(e).__name__
            app.call_from_thread(self.failed, job, literal(msg))
            return
        except Exception as e:  # an engine bug must not kill the viewer or hang "computing"
            app.call_from_thread(self.failed, job, literal(repr(e)))
            return
        for why in built.dropped:
            app.call_from_thread(app.notify, why, severity="warning", timeout=6)
        if worker.is_cancelled:
            return
        shown = threading.Event()
        app.call_from_thread(self.install_run, built.scenario, built.timeline, built.key, job)
        try:
            app.call_from_thread(self.call_after_refresh, shown.set)
        except RuntimeError:  # the app closed meanwhile: nothing to finish for
            return
        # the run plays from here; what it still needs is done meanwhile (its end
        # state checked, its checkpoints taken), unless another run replaces it, and
        # once its first frame is painted (this thread would slow that down)
        shown.wait(PAINT_WAIT_S)
        with contextlib.suppress(Abandoned):
            settle(built.timeline, job.check)

    def failed(self, job: Job, message: str) -> None:
        """The computation of `job` failed: say why; the run on screen stays."""
        self.app.notify(message, severity="error", timeout=8)
        if self.job is job:
            self.job = None
            self._wanted = None
            if not self.ready:  # nothing else to show: keep the reason on screen
                self.job = Job(job.what, phase=f"failed: {message}")
            self.changed()

    def install_run(
        self, scenario: Scenario, timeline: Timeline, key: RunKey, job: Job | None = None
    ) -> None:
        if job is not None and job is not self.job:
            return  # a newer computation replaced this one
        self.job = None
        self.ready = True
        self._wanted = None
        self.player.replace(scenario, timeline, key)
        self.install_machine()
        self.refresh_bindings()
        # the run is hundreds of thousands of long-lived objects: keep them out of the
        # garbage collector's full passes, which would otherwise stall frames now and then.
        # Unfreeze and collect first when something is frozen: what was frozen with the
        # previous run (that run, widgets removed since) would otherwise never be
        # collected.  Before the first run nothing is: a full pass over the new run
        # (0.1 to 0.2 s on kelley-50m) would only delay its first frame.
        if gc.get_freeze_count():
            gc.unfreeze()
            gc.collect()
        gc.freeze()
        quiet_gc()

    def action_open(self) -> None:
        def opened(ref: str | None) -> None:
            if ref:
                k = self.player.key
                self.rerun(ref, RunKey(k.algorithm, None, None, k.extras))

        from swaptui.screens.modals import OpenScreen

        self.open_over(OpenScreen(list(scenarios.preset_names())), opened)

    def open_over(self, screen: Screen[Any], callback: Any = None) -> None:
        """Push a dialog or the race over this screen, unless another screen came over it
        since the key or click was pressed (it would open over that one)."""
        if in_front(self):
            self.app.push_screen(screen, callback)
