"""The simulation bar of one browser session and the run behind it.

Every session gets its own ``Studio`` (its own worker thread and activity view). The worker
thread runs the backend and only appends chunks to a locked buffer; a periodic callback on the
session's document hands them to the ``ActivityView``, paced by what the browser has drawn,
so the Bokeh thread never waits for the engine and other sessions are never blocked.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import panel as pn
import param
from panel.io import hold
from spikedesk.app import edits, messages, results
from spikedesk.app.activity import ActivityView, population_stats
from spikedesk.app.analysis_view import summarise
from spikedesk.app.document import later, on_document
from spikedesk.app.fields import NumberBox
from spikedesk.app.pacing import FramePacer
from spikedesk.app.session import ProjectSession, Refused
from spikedesk.app.weights_view import TableRecorder, WeightsView, summarize
from spikedesk.engine import EngineError, merge
from spikedesk.engine.backends import EmbeddedBackend, nest_available
from spikedesk.project_files.project import Project

TICK_MS = 100  # how often the document looks for new chunks
AUTO_DELAY = 0.6  # s after the last edit before "Simulate on change" runs
UPDATE_GAP = 0.4  # s between later plot updates: what a software-rendered browser keeps up with


def same_network(a: Project, b: Project) -> bool:
    """``a`` and ``b`` are the same project but for its name (a rename keeps the results)."""
    return replace(a, name="") == replace(b, name="")


class ChunkBuffer:
    """Chunks handed from the worker thread to the document's periodic callback."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._chunks: list = []

    def put(self, chunk) -> None:
        with self._lock:
            self._chunks.append(chunk)

    def take(self) -> list:
        with self._lock:
            chunks, self._chunks = self._chunks, []
        return chunks

    def ended(self) -> bool:
        """The worker has handed over the end of a run (its last item, a tuple)."""
        with self._lock:
            return any(isinstance(item, tuple) for _, item in self._chunks)


class Studio(pn.viewable.Viewer):
    """Simulation bar and activity view of one session; the settings live in the project."""

    duration = param.Number(default=1000.0, doc="simulated time (ms)")
    resolution = param.Number(default=0.1, doc="time step (ms)")
    seed = param.Integer(default=1)
    threads = param.Integer(default=1)
    backend = param.Selector(  # "NEST" only where nest-simulator is importable
        default="embedded",
        objects=["embedded", "remote MPI", *(["NEST"] if nest_available() else [])],
    )
    server_url = param.String(default="http://127.0.0.1:8707", doc="URL of spikedesk mpi-server")
    token = param.String(default="", doc="bearer token of the MPI server")
    running = param.Boolean(default=False)
    status = param.String(default="Ready.")
    on_change = param.Boolean(default=False, doc="re-run after each accepted edit (debounced)")
    on_open = param.Boolean(default=False, doc="run each project when it is opened")

    def __init__(self, session: ProjectSession, **params) -> None:
        super().__init__(**params)
        self.session = session
        self._buffer = ChunkBuffer()
        self._cancel = threading.Event()
        self._worker: threading.Thread | None = None
        self._simulated = 0.0  # of the current run, as last shown
        self._callback = None
        self._generation = 0  # which run the worker's chunks belong to
        self._syncing = False
        self._load_settings()
        self._build_views()
        self.param.watch(self._setting_changed, ["duration", "resolution", "seed", "threads"])
        session.param.watch(lambda *_: self._load_settings(), "revision")
        session.param.watch(lambda *_: self._other_project(), "opened")
        session.param.watch(lambda *_: self._edited(), "project")
        self._edits = 0  # counts accepted edits, so only the last of a burst re-runs
        self._shown_name = session.project_name
        self._rerun = False
        self._restore()

    @property
    def project(self) -> Project:
        return self.session.project

    def _load_settings(self) -> None:
        sim = self.session.project.simulation
        self._syncing = True
        try:
            self.param.update(
                duration=sim.duration,
                resolution=sim.resolution,
                seed=sim.seed,
                threads=sim.threads,
            )
        finally:
            self._syncing = False
        if hasattr(self, "settings_error"):
            self.settings_error.visible = False

    def _setting_changed(self, *events) -> None:
        """A setting edits the project like any other change; a refused value is shown and
        the run keeps using the last valid one."""
        if self._syncing:
            return
        changes = {e.name: e.new for e in events}
        try:
            self.session.apply(edits.set_simulation(self.project, **changes))
        except Refused as exc:
            shown = ", ".join(f"{k} = {v}" for k, v in changes.items())
            listed = messages.summary(exc.problems, self.project)
            self.settings_error.object = f"{shown} refused: {listed}"
            self.settings_error.visible = True
            return
        self.settings_error.visible = False

    def _typo(self, label: str, message: str) -> None:
        """A settings entry that is not a number: said, and the setting keeps its value."""
        self.settings_error.object = f"{label}: {message}" if message else ""
        self.settings_error.visible = bool(message)

    # ------------------------------------------------------------------ views
    def _build_views(self) -> None:
        self.activity = ActivityView()
        self.weights = WeightsView()
        self.progress = pn.indicators.Progress(value=0, max=100, sizing_mode="stretch_width")
        self.simulate_button = pn.widgets.Button(label="Simulate", color="primary")
        self.cancel_button = pn.widgets.Button(label="Cancel", color="warning", disabled=True)
        self.simulate_button.on_click(lambda _: self.simulate())
        self.cancel_button.on_click(lambda _: self.cancel())
        self.alert = pn.pane.Alert("", alert_type="danger", visible=False)
        self.pacer = FramePacer()
        self.settings_error = pn.pane.Alert("", alert_type="warning", visible=False)

    def settings_bar(self) -> pn.Row:
        def number(name, label, width, integer=False):
            box = NumberBox(
                label, getattr(self, name), lambda v: setattr(self, name, v),
                lambda message: self._typo(label, message), integer=integer, width=width,
            )  # fmt: skip
            self.param.watch(lambda e: box.show(e.new), name)
            return box.widget

        remote = pn.Row(
            pn.widgets.TextInput.from_param(self.param.server_url, label="server URL", width=200),
            pn.widgets.PasswordInput.from_param(self.param.token, label="token", width=120),
            visible=self.param.backend.rx() == "remote MPI",
        )
        return pn.Row(
            number("duration", "duration (ms)", 110),
            number("resolution", "resolution (ms)", 110),
            number("seed", "seed", 90, integer=True),
            number("threads", "threads", 80, integer=True),
            pn.widgets.Select.from_param(self.param.backend, label="backend", width=120),
            remote,
            pn.Column(pn.Spacer(height=18), pn.Row(self.simulate_button, self.cancel_button)),
            pn.Column(
                pn.widgets.Checkbox.from_param(
                    self.param.on_change, label="Simulate on change", margin=(14, 5, 0, 5)
                ),
                pn.widgets.Checkbox.from_param(
                    self.param.on_open, label="... on open", margin=(0, 5)
                ),
                width=150,
            ),
        )

    def __panel__(self):
        status = pn.pane.Str(
            self.param.status, sizing_mode="stretch_width", margin=(0, 10),
            stylesheets=[":host pre { white-space: pre-wrap; }"],
        )  # fmt: skip
        progress = pn.Column(
            pn.Spacer(height=14), self.progress, status, sizing_mode="stretch_width",
            min_width=220,
        )  # fmt: skip
        bar = self.settings_bar()
        bar.append(progress)
        bar.sizing_mode = "stretch_width"
        return pn.Column(
            bar, self.settings_error, self.alert, self.pacer, sizing_mode="stretch_width",
            margin=(0, 5),
        )  # fmt: skip

    def _other_project(self) -> None:
        """Another project was opened: nothing of the last one's run stays on screen (a run
        still going is cancelled and its late chunks are dropped)."""
        self._cancel.set()
        self._buffer.take()
        self._generation += 1
        self.alert.visible = False
        self.progress.value = 0
        self.status = "Ready."
        on_document(lambda: (self.activity.reset(self.project), self.weights.start(self.project)))
        self._restore()
        if self.on_open:
            self._rerun = self.running  # after the cancelled run has stopped
            if not self.running:
                later(AUTO_DELAY, self.simulate)

    def _edited(self) -> None:
        """Simulate on change: AUTO_DELAY after the last of a burst of edits, a run of the
        new project (a run still going is cancelled and restarted)."""
        opened = self.session.project_name != self._shown_name  # not an edit
        self._shown_name = self.session.project_name
        if not self.on_change or opened:
            return
        self._edits += 1
        edit = self._edits
        later(AUTO_DELAY, lambda: self._auto_run(edit))

    def _auto_run(self, edit: int) -> None:
        if edit != self._edits or not self.on_change:
            return  # a newer edit will run
        if self.running:
            self._rerun = True
            self.cancel()
        else:
            self.simulate()

    def _restore(self) -> None:
        """Show the project's last run as it was kept in the store (nothing when there is no
        results file or it cannot be read), as if that run had just ended."""
        run = results.load(self.session.store.results_path(self.session.project_name))
        if run is None:
            return
        stats = population_stats(run.events, run.project, run.node_ids, run.simulated)
        summary = summarise(run.events, run.project, run.node_ids, run.simulated)
        tables = TableRecorder(run.project)
        tables.before, tables.after, tables.after_ms = run.before, run.after, run.after_ms
        weights = summarize(run.project, run.events, run.node_ids, run.simulated, tables)
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(run.saved_at))
        done = "cancelled" if run.cancelled else "finished"
        changed = (
            "" if same_network(run.project, self.project) else " The project has changed since."
        )
        status = (
            f"Last run ({done} {when}, kept with the project): {run.simulated:.1f} ms "
            f"simulated in {run.wall:.2f} s wall time.{changed}"
        )
        generation = self._generation

        def show() -> None:
            if generation != self._generation or self.running:
                return  # another project or a new run came first
            self.activity.start(run.project)
            self.weights.start(run.project)
            self.activity.show(run.events, run.node_ids, run.simulated, run.duration)
            self.weights.show(run.events, run.node_ids, run.simulated)
            self.weights.finish(weights)
            self.activity.finish(run.events, stats, run.simulated, summary)
            self.progress.value = 100 if not run.cancelled else 0
            self.status = self.activity.summary = status
            self.activity.finished += 1

        on_document(show)

    # ------------------------------------------------------------------ running
    def simulate(self) -> None:
        if self.running:
            return
        project = self.project  # the last valid project, whatever the fields show
        try:
            backend = self._backend()
        except EngineError as exc:
            self.alert.alert_type = "danger"
            self.alert.object = f"Simulation failed: {exc}"
            self.alert.visible = True
            return
        self._simulated = 0.0
        self._cancel.clear()
        self.running = True
        if self._callback is None:
            self._callback = pn.state.add_periodic_callback(self._flush, period=TICK_MS)
        keep = self.session.store.results_path(self.session.project_name)
        on_document(lambda: self._start(project, backend, keep))

    def _start(self, project: Project, backend, keep) -> None:
        """Start the worker, then clear the plots (Bokeh models: on the document thread) in
        one message to the browser (each message costs the browser a layout of the page)."""
        self._worker = threading.Thread(
            target=self._work, args=(project, backend, self._generation, keep), daemon=True
        )
        self._worker.start()
        with hold():
            self.alert.visible = False
            self.simulate_button.disabled, self.cancel_button.disabled = True, False
            self.progress.value = 0
            self.status = "Starting..."
            self.activity.start(project)
            self.weights.start(project)

    def cancel(self) -> None:
        self._cancel.set()

    def _backend(self):
        if self.backend == "embedded":
            return EmbeddedBackend()
        if self.backend == "NEST":
            from spikedesk.engine.backends import NESTBackend

            return NESTBackend()
        from spikedesk.engine import backends

        remote = getattr(backends, "MPIBackend", None)
        if remote is None:
            raise EngineError("the remote MPI backend is not available in this installation")
        return remote(self.server_url, token=self.token or None)

    def _work(self, project: Project, backend, generation: int, keep=None) -> None:
        """The worker thread: run, hand each chunk over, then merge the events and compute the
        statistics here too, so the document's thread only displays them. Everything handed
        over carries the run's ``generation`` (opening another project starts a new one).
        The results are kept at ``keep`` (beside the project in the store)."""
        start = time.perf_counter()
        put = lambda item: self._buffer.put((generation, item))  # noqa: E731
        try:
            received, last = [], None
            tables = TableRecorder(project)  # plastic connections' synapses before/after
            for chunk in tables.run(backend, project, chunk=50.0, cancel=self._cancel):
                put(chunk)
                received.append(chunk.events)
                last = chunk
            wall = time.perf_counter() - start
            events = merge(received)
            simulated = last.time if last is not None else 0.0
            node_ids = dict(last.node_ids) if last is not None else {}
            stats = population_stats(events, project, node_ids, simulated)
            summary = summarise(events, project, node_ids, simulated)
            weights = summarize(project, events, node_ids, simulated, tables)
            if keep is not None and generation == self._generation:
                run = results.SavedRun(
                    project, events, node_ids, simulated, wall, last.duration if last else 0.0,
                    self._cancel.is_set(), tables.before, tables.after, tables.after_ms,
                )  # fmt: skip
                try:
                    results.save(keep, run)
                except OSError as exc:
                    put(("warning", f"The results could not be kept with the project: {exc}"))
            put(("weights", weights))
            put(("done", wall, events, stats, simulated, summary))
        except EngineError as exc:
            put(("error", str(exc)))
        except Exception as exc:  # never let a worker die silently
            put(("error", f"{type(exc).__name__}: {exc}"))

    def _flush(self) -> None:
        """Runs on the session's document: push everything the worker produced since last time
        in one stream per source, so the browser gets a few messages per tick, not per chunk."""
        if not self._buffer.ended() and not self.pacer.ready(
            UPDATE_GAP if self._simulated > 0 else 0.0
        ):
            return  # the browser is still drawing; the chunks wait in the buffer (the end of
            # a run never waits: its status, table and full raster are sent at once)
        with hold():  # one message to the browser per tick
            self._show(self._buffer.take())

    def _show(self, tagged: list) -> None:
        for generation, item in tagged:
            if generation != self._generation and isinstance(item, tuple):
                self._stopped()  # a run of the project shown before: only its end matters
        items = [item for generation, item in tagged if generation == self._generation]
        chunks = [item for item in items if not isinstance(item, tuple)]
        if chunks:
            last = chunks[-1]
            self._simulated = last.time
            events = merge([c.events for c in chunks])
            self.activity.show(
                events, last.node_ids, last.time, last.duration,
                positions=getattr(last, "positions", None),
            )  # fmt: skip
            self.weights.show(events, last.node_ids, last.time)
            self.progress.value = int(100 * last.time / last.duration)
            self.status = (
                f"Simulated {last.time:.1f} of {last.duration:.1f} ms in {last.wall:.2f} s"
            )
            self.pacer.mark_sent()
        for item in items:
            if isinstance(item, tuple):
                self._finish(*item)

    def _finish(
        self, kind: str, value, events=None, stats=None, simulated=0.0, summary=None
    ) -> None:
        if kind == "weights":  # the weights view's summary, just before "done"
            self.weights.finish(value)
            return
        if kind == "warning":
            self.alert.object = value
            self.alert.alert_type = "warning"
            self.alert.visible = True
            return
        if kind == "error":
            self.alert.alert_type = "danger"
            self.alert.object = f"Simulation failed: {value}"
            self.alert.visible = True
            self.status = "Failed; the project is unchanged."
        else:
            self.activity.finish(events, stats, simulated, summary)
            done = "Cancelled" if self._cancel.is_set() else "Finished"
            sample = " Plots show an even sample of the data." if self.activity.thinned else ""
            self.status = (
                f"{done}: {simulated:.1f} ms simulated in {value:.2f} s wall time.{sample}"
            )
            self.activity.summary = self.status
            self.activity.finished += 1
        self._stopped()

    def _stopped(self) -> None:
        """The run is over: buttons back, and the periodic callback removed (while it runs,
        the page's busy indicator spins)."""
        self.running = False
        self.simulate_button.disabled, self.cancel_button.disabled = False, True
        if self._callback is not None:
            self._callback.stop()
            self._callback = None
        if self._rerun:  # an edit or an open came during the run
            self._rerun = False
            self.simulate()
