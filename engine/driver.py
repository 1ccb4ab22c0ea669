"""Build a C++ network from a ``Project`` and run it: whole (``simulate``) or in chunks
(``stream``), with results as NumPy arrays in NEST's ``events`` layout."""

from __future__ import annotations

import math
import threading
import time
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace

import numpy as np
from spikedesk.engine import _core
from spikedesk.engine.errors import (
    EngineError,
    InsufficientMemoryError,
    InvalidProjectError,
    ParameterError,
    SimulationError,
)
from spikedesk.project_files import catalog, parameters, spatial
from spikedesk.project_files.project import (
    Connection,
    Node,
    Project,
    RandomParameter,
    resolved,
)
from spikedesk.project_files.validation import validate

Events = dict[str, dict[str, np.ndarray]]
# connection id -> its synapses: sources, targets (gids), weights, delays (ms)
Connections = dict[str, dict[str, np.ndarray]]
# node id -> its neurons' positions, an (n, 2) or (n, 3) array (spatial nodes only)
Positions = dict[str, np.ndarray]
CONNECTION_FIELDS = (
    ("sources", np.int64),
    ("targets", np.int64),
    ("weights", np.float64),
    ("delays", np.float64),
)


@dataclass(frozen=True)
class Chunk:
    """New events since the previous chunk, and how far the run has come."""

    time: float
    duration: float
    wall: float
    events: Events
    node_ids: Mapping[str, tuple[int, int]]
    # the synapses of every connection, after this chunk (only the last chunk of a run
    # asked for them with connections=True carries them)
    connections: Connections | None = None
    positions: Positions = field(default_factory=dict)  # the spatial nodes' neurons


@dataclass
class Results:
    events: Events
    node_ids: Mapping[str, tuple[int, int]]
    build_seconds: float = 0.0
    simulate_seconds: float = 0.0
    synapses: int = 0
    duration: float = 0.0
    threads: int = 1
    seed: int = 1
    cancelled: bool = False
    extra: dict = field(default_factory=dict)
    connections: Connections | None = None  # simulate(..., connections=True): after the run
    positions: Positions = field(default_factory=dict)  # the spatial nodes' neurons


def _program(value: object, where: str) -> list:
    """The engine's form of a random object or an expression (project_files.parameters)."""
    if isinstance(value, RandomParameter):
        return parameters.program(parameters.from_random(value))
    # validation has checked where positions may be used; the engine checks it again
    source = parameters.source_of(value)
    return parameters.program(parameters.parse(source, where=where, spatial=True))


def _spec(value: object) -> object:
    """A weight or delay for the engine: a number, or an expression program."""
    if isinstance(value, (RandomParameter, parameters.Expression, str)):
        return _program(value, parameters.CONNECTION)
    return float(value)


def _placed(net: _core.Network, node: Node, first_gid: int) -> spatial.Placed:
    """A spatial node's positions (NEST's layer); free positions given as an expression are
    drawn per neuron and dimension from the engine's streams (keyed by node and dimension)."""

    def draw(expression: parameters.Expression, dimension: int) -> list[float]:
        key = zlib.crc32(f"{node.id}.spatial.pos.{dimension}".encode())
        program = _program(expression, parameters.NODE)
        return list(net.draw(program, key, first_gid, node.size))

    try:
        return spatial.place(node.spatial, node.size, draw)
    except ValueError as exc:
        raise ParameterError(node.id, "spatial", "", str(exc)) from None


def _node_params(
    net: _core.Network, node: Node, first_gid: int, positions: np.ndarray | None = None
) -> tuple[dict, list[dict], list[str] | None]:
    """Every parameter of the model as per-neuron float lists (defaults from the catalog), and
    for nodes whose devices (or neurons' lists) differ, one dict of overrides per device.
    ``positions``: a spatial node's, for expressions of spatial.pos."""
    spec = catalog.model(node.model)
    unknown = set(node.params) - set(spec.params)
    if unknown:
        name = sorted(unknown)[0]
        raise ParameterError(node.id, name, node.params[name], f"unknown for {node.model}")
    per_neuron = spec.kind == "neuron"
    out: dict[str, list[float]] = {}
    each: list[dict[str, list[float]]] = []

    def own(i: int, name: str, value: list[float]) -> None:
        if not each:
            each.extend({} for _ in range(node.size))
        each[i][name] = value

    record_from = None
    for name, pspec in spec.params.items():
        value = node.params.get(name, pspec.default)
        if name == "record_from":
            record_from = [str(v) for v in value]
            continue
        try:
            if isinstance(value, (RandomParameter, parameters.Expression)) or (
                isinstance(value, str) and pspec.type == "float"
            ):
                if not per_neuron:
                    raise ValueError("random values and expressions apply to neurons only")
                key = zlib.crc32(f"{node.id}.{name}".encode())
                program = _program(value, parameters.NODE)
                out[name] = list(net.draw(program, key, first_gid, node.size, positions))
            elif pspec.type.startswith("list"):
                if value and isinstance(value[0], (list, tuple)):
                    # one list per device (or per neuron, where the model has that)
                    if len(value) != node.size:
                        raise ValueError(
                            f"needs {node.size} lists (one per device), got {len(value)}"
                        )
                    lists = [[float(v) for v in item] for item in value]
                    out[name] = lists[0]
                    if any(item != lists[0] for item in lists):
                        for i, item in enumerate(lists):
                            own(i, name, item)
                else:
                    out[name] = [float(v) for v in value]
            elif isinstance(value, (list, tuple)):
                if len(value) != node.size:
                    each_one = "neuron" if per_neuron else "device"
                    raise ValueError(
                        f"needs {node.size} values (one per {each_one}), got {len(value)}"
                    )
                values = [float(v) for v in value]
                if per_neuron:
                    out[name] = values
                else:
                    out[name] = values[:1]
                    if len(set(values)) > 1:
                        for i, v in enumerate(values):
                            own(i, name, [v])
            else:
                out[name] = [float(value)] * (node.size if per_neuron else 1)
        except (TypeError, ValueError) as exc:
            raise ParameterError(node.id, name, value, str(exc)) from None
    return out, each, record_from


def _expected_synapses(project: Project, c: Connection) -> float:
    """The expected number of synapses of one connection, from its rule alone."""
    sizes = {n.id: n.size for n in project.nodes}
    ns = len(c.source_indices) if c.source_indices is not None else sizes.get(c.source, 0)
    nt = len(c.target_indices) if c.target_indices is not None else sizes.get(c.target, 0)
    args = c.rule.params
    p = args.get("p", 0)
    if isinstance(p, (parameters.Expression, str)):  # at most its largest value (or 1)
        p = min(1.0, max(0.0, _largest(p, 1.0)))
    if "mask" in args:  # a driver sees at most the mask's box of the pool's layer
        ends = {n.id: n for n in project.nodes}
        on_targets = spatial.mask_on_targets(c.rule.rule, bool(args.get("use_on_source")))
        pool = ends[c.target if on_targets else c.source].spatial
        if pool is not None and (pool.extent is not None or pool.kind == "grid"):
            extent = pool.extent or (1.0,) * pool.dimensions
            share = min(1.0, spatial.mask_volume(args["mask"]) / math.prod(extent))
            if c.rule.rule == "pairwise_bernoulli":
                return float(p) * ns * nt * share
    return {
        "all_to_all": ns * nt,
        "one_to_one": nt,
        "fixed_indegree": float(args.get("indegree", 0)) * nt,
        "fixed_outdegree": float(args.get("outdegree", 0)) * ns,
        "fixed_total_number": float(args.get("N", 0)),
        "pairwise_bernoulli": float(p) * ns * nt,
    }.get(c.rule.rule, ns * nt)


def estimate_synapses(project: Project) -> float:
    """The expected number of synapses, from the rules alone (nothing is built); the memory
    estimate and the MPI server's synapse limit use it."""
    return sum(_expected_synapses(project, c) for c in project.connections)


def _synapse_bytes(c: Connection) -> int:
    """Bytes per synapse at the peak of building (engine/cpp/synapse.h's layout): the input
    slot, the weight unless one weight serves the whole static connection, the delay while
    rows are sorted when delays are random, the state of plastic models (bounded), and the
    pair list of a spatial rule."""
    params = catalog.synapse_models().get(c.synapse.model, {})
    static = set(params) <= {"weight", "delay", "weight_recorder"}  # no state, no parameters
    drawn = (RandomParameter, parameters.Expression, str)
    constant_weight = not isinstance(c.synapse.weight, drawn)
    size = 4
    if not (static and constant_weight):
        size += 8
    if isinstance(c.synapse.delay, drawn):
        size += 4
    if not static:
        size += 40  # per-synapse state (the dopamine synapse's, the largest)
    args = c.rule.params
    if "mask" in args or isinstance(args.get("p"), drawn):
        size += 8  # a spatial rule lists its pairs while building
    return size


def _largest(value: object, default: float) -> float:
    """The largest value a parameter takes (per-neuron lists, random values: their bound)."""
    if isinstance(value, RandomParameter):
        args = dict(value.args)
        if value.high is not None:
            return float(value.high)
        if value.distribution == "uniform":
            return float(args.get("max", default))
        if value.distribution == "exponential":
            return 40.0 * float(args.get("beta", 1.0))
        return float(args.get("mean", default)) + 10.0 * float(args.get("std", 1.0))
    if isinstance(value, (parameters.Expression, str)):
        try:
            span = parameters.interval(parameters.parse(parameters.source_of(value)))
        except ValueError:
            return default
        return span.hi if span.hi < float("inf") else max(default, span.lo) * 40.0
    if isinstance(value, (list, tuple)):
        return max((_largest(v, default) for v in value), default=default)
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


THREAD_BYTES = 2 << 20  # a worker thread's stack and its per-thread buffers


def _estimate_bytes(project: Project) -> int:
    """A rough upper estimate of what building and running the network needs: synapses,
    neuron state, the delay ring buffers (slots per neuron and receptor port for every step
    of the longest delay), sampled traces and the threads."""
    sim = project.simulation
    sizes = {n.id: n.size for n in project.nodes}
    neurons = sum(n.size for n in project.nodes)
    steps = sim.duration / sim.resolution
    samples = 0.0
    for c in project.connections:
        node = next((n for n in project.nodes if n.id == c.source), None)
        if node is not None and catalog.model(node.model).is_sampler:
            interval = _largest(node.params.get("interval", 1.0), 1.0)
            nt = len(c.target_indices) if c.target_indices is not None else sizes.get(c.target, 0)
            samples += nt * sim.duration / max(interval, sim.resolution) * 4
    max_delay = max((_largest(c.synapse.delay, 1.0) for c in project.connections), default=1.0)
    ring = max_delay / sim.resolution + 2  # min_delay + max_delay slots, in steps
    ports = 0
    for n in project.nodes:
        spec = catalog.model(n.model)
        if spec.kind == "neuron":
            listed = n.params.get(spec.receptor_ports) if spec.receptor_ports else None
            count = len(listed) if isinstance(listed, (list, tuple)) else 1
            ports += n.size * (max(count, len(spec.receptors), 1) + 1)  # spikes + currents
    rings = ring * ports * 8 * 2  # excitatory and inhibitory slots
    synapse_bytes = sum(
        _expected_synapses(project, c) * _synapse_bytes(c) for c in project.connections
    )
    total = (
        synapse_bytes
        + neurons * (200 + 24 * 200)
        + rings
        + samples * 8 * 2
        + steps * 8
        + sim.threads * THREAD_BYTES
    )
    return int(total) if total < 2**62 else 2**62  # huge weights of counts overflow to inf


def _available_bytes() -> int:
    """What this process may still allocate: the machine's available memory, or less under
    a cap (an address-space rlimit, a cgroup's memory.max), where allocating past it would
    abort the process instead of raising."""
    out = _meminfo("/proc/meminfo", "MemAvailable:") or 1 << 62
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        if soft != resource.RLIM_INFINITY:
            used = _meminfo("/proc/self/status", "VmSize:") or 0
            out = min(out, max(0, soft - used))
    except (ImportError, OSError, ValueError):
        pass
    try:
        with open("/sys/fs/cgroup/memory.max") as f:
            cap = f.read().strip()
        if cap.isdigit():
            with open("/sys/fs/cgroup/memory.current") as f:
                out = min(out, max(0, int(cap) - int(f.read().strip())))
    except (OSError, ValueError):
        pass
    return out


def _meminfo(path: str, key: str) -> int | None:
    """A "<key> <n> kB" line of a /proc file, in bytes."""
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


class _Run:
    """A built network plus what is needed to run it in chunks."""

    def __init__(
        self,
        project: Project,
        threads: int | None,
        seed: int | None,
        duration: float | None,
        *,
        rank: int = 0,
        n_ranks: int = 1,
        build: bool = True,
    ) -> None:
        sim = project.simulation
        self.project = replace(
            project,
            simulation=replace(
                sim,
                threads=sim.threads if threads is None else threads,
                seed=sim.seed if seed is None else seed,
                duration=sim.duration if duration is None else duration,
            ),
        )
        problems = validate(self.project)
        if problems:
            raise InvalidProjectError(problems)
        self.project = resolved(self.project)  # copy models -> built-in model + parameters
        implemented = _core.models()
        self.implemented = implemented
        for node in self.project.nodes:
            if node.model not in implemented:
                raise ParameterError(node.id, "model", node.model, "not implemented by the engine")
        needed, available = _estimate_bytes(self.project), _available_bytes()
        if needed > available:
            raise InsufficientMemoryError(needed, available)
        sim = self.project.simulation
        start = time.perf_counter()
        self.net = _core.Network(sim.resolution, sim.seed, sim.threads, rank, n_ranks)
        self.index: dict[str, int] = {}
        self.node_ids: dict[str, tuple[int, int]] = {}
        self.recorders: list[str] = []
        self.positions: Positions = {}
        self.layers: dict[str, spatial.Placed] = {}  # spatial nodes: positions and bounds
        for node in self.project.nodes:
            first_gid = int(sum(s for _, s in self.node_ids.values()) + 1)
            placed = _placed(self.net, node, first_gid) if node.spatial is not None else None
            positions = np.asarray(placed.positions, dtype=float) if placed else None
            params, each, record_from = _node_params(self.net, node, first_gid, positions)
            try:
                self.index[node.id] = self.net.add_node(node.model, node.size, params, each)
            except ValueError as exc:
                # the engine's own checks start with the parameter's name ("C_m: ...")
                name, _, reason = str(exc).partition(": ")
                if name in params and reason:
                    value = node.params.get(name, catalog.model(node.model).params[name].default)
                    raise ParameterError(node.id, name, value, reason) from None
                raise ParameterError(node.id, "params", "", str(exc)) from None
            self.node_ids[node.id] = (self.net.first_gid(self.index[node.id]), node.size)
            if placed is not None:
                self.net.set_layer(
                    self.index[node.id], positions, list(placed.extent), placed.edge_wrap
                )
                self.positions[node.id] = positions
                self.layers[node.id] = placed
            if catalog.model(node.model).kind == "recorder":
                self.recorders.append(node.id)
            if record_from is not None:
                self.net.set_record_from(self.index[node.id], record_from)
        if build:
            for number, conn in enumerate(self.project.connections):
                self._connect(number, conn)
            self._build()
        self.build_seconds = time.perf_counter() - start

    def _synapse(self, conn: Connection) -> dict:
        """``synapse=`` and ``synapse_params=`` of ``net.connect``: the built-in model and
        every parameter set on it (node references as the engine's node index). Left out for
        a plain static_synapse, so engines without synapse models keep working."""
        syn = conn.synapse
        if syn.model == "static_synapse" and not syn.params:
            return {}
        if self.implemented.get(syn.model, {}).get("kind") != "synapse":
            raise ParameterError(
                conn.id, "synapse.model", syn.model, "not implemented by the engine"
            )
        specs = catalog.synapse_models()[syn.model]
        params = {
            name: float(self.index[value]) if specs[name].type == "node" else float(value)
            for name, value in syn.params.items()
        }
        return {"synapse": syn.model, "synapse_params": params}

    def _connect(self, number: int, conn: Connection) -> None:
        rule = {"rule": conn.rule.rule, **dict(conn.rule.params)}
        if "mask" in rule:
            rule["mask"] = spatial.thaw(rule["mask"])
        if "p" in rule:
            try:
                rule["p"] = _spec(rule["p"])
            except ValueError as exc:
                raise ParameterError(conn.id, "rule.p", rule["p"], str(exc)) from None
        synapse = self._synapse(conn)
        values = {}
        for name in ("weight", "delay"):
            value = getattr(conn.synapse, name)
            try:
                values[name] = _spec(value)
            except ValueError as exc:
                raise ParameterError(conn.id, f"synapse.{name}", value, str(exc)) from None
        try:
            self.net.connect(
                self.index[conn.source],
                self.index[conn.target],
                rule,
                values["weight"],
                values["delay"],
                number,
                list(conn.source_indices or ()),
                list(conn.target_indices or ()),
                conn.synapse.receptor_type,
                **synapse,
            )
        except ValueError as exc:
            message = str(exc)
            name, _, reason = message.partition(": ")
            if name in conn.synapse.params and reason:  # the engine's "<param>: ..." checks
                parameter = f"synapse.params.{name}"
                raise ParameterError(
                    conn.id, parameter, conn.synapse.params[name], reason
                ) from None
            parameter, value = "rule", conn.rule.rule
            if message.startswith("mask: "):
                parameter, value = "rule.mask", spatial.thaw(conn.rule.params.get("mask"))
            elif message.startswith("p: "):
                parameter, value = "rule.p", conn.rule.params.get("p")
            elif "delay" in message:
                parameter, value = "delay", conn.synapse.delay
            elif "receptor" in message:
                parameter, value = "synapse.receptor_type", conn.synapse.receptor_type
            raise ParameterError(conn.id, parameter, value, message) from None

    def _build(self) -> None:
        """Generate the synapses; a rule that cannot be met names its connection."""
        try:
            self.net.build()
        except ValueError as exc:
            head, _, reason = str(exc).partition(": ")
            number = int(head[len("connection ") :]) if head.startswith("connection ") else -1
            if not 0 <= number < len(self.project.connections):
                raise
            conn = self.project.connections[number]
            raise ParameterError(conn.id, "rule", conn.rule.rule, reason) from None

    def advance(self, steps: int) -> None:
        """Run ``steps`` more steps; a model failing in the run becomes a SimulationError
        naming its node."""
        try:
            self.net.run(steps)
        except RuntimeError as exc:
            raise self.failure(exc) from None
        except MemoryError:  # e.g. a flood of spikes into a parrot: refused, not raised raw
            sim = self.project.simulation
            raise SimulationError(
                "engine",
                "ran out of memory (too many spikes or events at once: check rates, "
                "multiplicities and weights onto parrot neurons)",
                self.net.now * sim.resolution,
            ) from None

    def failure(self, exc: Exception) -> SimulationError:
        """The node behind an engine error "gid <first gid>: <reason>"."""
        head, _, reason = str(exc).partition(": ")
        node = "engine"
        if head.startswith("gid ") and head[4:].isdigit():
            first = int(head[4:])
            node = next((nid for nid, (f, _) in self.node_ids.items() if f == first), node)
        else:
            reason = str(exc)
        sim = self.project.simulation
        return SimulationError(node, reason, self.net.now * sim.resolution)

    def take(self) -> Events:
        return {rid: dict(self.net.take_events(self.index[rid])) for rid in self.recorders}

    def connections(self) -> Connections:
        """This rank's synapses of every connection, with their current weights."""
        if not hasattr(self.net, "connections"):
            raise EngineError(
                "this engine cannot list synapses yet (Network.connections, issue 10)"
            )
        out: Connections = {}
        for number, conn in enumerate(self.project.connections):
            table = self.net.connections(number)
            out[conn.id] = {
                name: np.asarray(table[name], dtype=dtype) for name, dtype in CONNECTION_FIELDS
            }
        return out


def stream(
    project: Project,
    *,
    chunk: float = 100.0,
    threads: int | None = None,
    seed: int | None = None,
    duration: float | None = None,
    cancel: threading.Event | None = None,
    connections: bool = False,
) -> Iterator[Chunk]:
    """Yield the new events every ``chunk`` ms of simulated time; stop early on ``cancel``.
    With ``connections`` the last chunk carries every connection's synapses after the run."""
    if not chunk > 0:
        raise EngineError(f"chunk must be > 0 ms, got {chunk}")
    run = _Run(project, threads, seed, duration)
    sim = run.project.simulation
    total = int(round(sim.duration / sim.resolution))
    per_chunk = max(1, int(round(chunk / sim.resolution)))
    start = time.perf_counter()
    done = 0
    pieces = _Pieces()
    while done < total:
        if cancel is not None and cancel.is_set():
            return
        end = min(done + per_chunk, total)
        while done < end:  # a chunk runs in pieces short enough to notice a cancel soon
            steps = pieces.next(end - done)
            t0 = time.perf_counter()
            run.advance(steps)
            pieces.took(steps, time.perf_counter() - t0)
            done += steps
            if cancel is not None and cancel.is_set():
                break
        last = connections and done >= total
        yield Chunk(
            time=done * sim.resolution,
            duration=sim.duration,
            wall=time.perf_counter() - start,
            events=run.take(),
            node_ids=run.node_ids,
            connections=run.connections() if last else None,
            positions=run.positions,
        )


class _Pieces:
    """How many steps to run between two looks at the cancel event: as many as take about
    ``PIECE_SECONDS`` (10 ms) of wall time, measured as the run goes. Splitting a run into pieces
    leaves its results unchanged (the engine's state carries over between calls)."""

    PIECE_SECONDS = 0.01

    def __init__(self) -> None:
        self.steps = 10  # the first piece is short: its wall time is the first measurement

    def next(self, left: int) -> int:
        return max(1, min(left, self.steps))

    def took(self, steps: int, seconds: float) -> None:
        rate = steps / max(seconds, 1e-6)
        self.steps = int(min(max(1, rate * self.PIECE_SECONDS), 2 * self.steps + 10))


def simulate(
    project: Project,
    *,
    threads: int | None = None,
    seed: int | None = None,
    duration: float | None = None,
    connections: bool = False,
) -> Results:
    """Build and run the whole project; events of every recorder, concatenated. With
    ``connections`` the results hold every connection's synapses after the run."""
    run = _Run(project, threads, seed, duration)
    sim = run.project.simulation
    start = time.perf_counter()
    run.advance(int(round(sim.duration / sim.resolution)))
    simulate_seconds = time.perf_counter() - start
    return Results(
        events=run.take(),
        node_ids=run.node_ids,
        build_seconds=run.build_seconds,
        simulate_seconds=simulate_seconds,
        synapses=int(run.net.synapse_count()),
        duration=sim.duration,
        threads=sim.threads,
        seed=sim.seed,
        connections=run.connections() if connections else None,
        positions=run.positions,
    )


def positions(project: Project, *, seed: int | None = None) -> Positions:
    """The neurons' positions of every spatial node: ``{node id: (n, dims) array}``, as
    NEST's GetPosition (free positions drawn from an expression depend on the seed)."""
    return _Run(project, 1, seed, None, build=False).positions


def layers(project: Project, *, seed: int | None = None) -> dict[str, spatial.Placed]:
    """Every spatial node's placed layer: positions, lower-left corner, extent, edge wrap."""
    return _Run(project, 1, seed, None, build=False).layers


def connections(
    project: Project, *, threads: int | None = None, seed: int | None = None
) -> Connections:
    """Build the project (no run) and return every connection's synapses: ``{connection id:
    {"sources", "targets" (gids), "weights", "delays" (ms)}}``, as NEST's GetConnections."""
    return _Run(project, threads, seed, None).connections()


def merge(chunks: list[Events]) -> Events:
    """Concatenate the events of consecutive chunks per recorder and field (one
    concatenation per field, so merging n chunks costs O(total), not O(n * total)).
    A recorder without ``times`` (a correlation detector) reports device state, its
    totals so far, in every chunk: the last chunk's values are the merged ones."""
    parts: dict[str, dict[str, list[np.ndarray]]] = {}
    state: dict[str, dict[str, np.ndarray]] = {}
    for events in chunks:
        for rid, fields in events.items():
            if "times" not in fields:
                state[rid] = dict(fields)
                continue
            target = parts.setdefault(rid, {})
            for name, values in fields.items():
                target.setdefault(name, []).append(values)
    merged = {
        rid: {name: v[0] if len(v) == 1 else np.concatenate(v) for name, v in fields.items()}
        for rid, fields in parts.items()
    }
    return {**merged, **state}
