"""The network editor: the canvas component bound to the session.

The canvas only draws and reports what the user did (add, move, connect, select, delete,
duplicate, colour, undo, redo; several nodes at once); this module turns those actions into
project edits through the session, shows refusals as a message on the canvas, and redraws the
canvas from the session's project.
"""

from __future__ import annotations

from spikedesk.app import edits
from spikedesk.app.canvas import NetworkCanvas, kind_styles, palette_from_catalog
from spikedesk.app.messages import label_of
from spikedesk.app.session import ProjectSession, Refused
from spikedesk.project_files import catalog
from spikedesk.project_files.project import Project, Synapse


def canvas_nodes(project: Project) -> list[dict]:
    kinds = kind_styles()
    out = []
    for node in project.nodes:
        kind = catalog.model(project.base_model(node.model)).kind
        out.append(
            {
                "id": node.id,
                "kind": kind,
                "model": node.model,
                "label": node.label or node.id,
                "size": node.size,
                "x": node.position.x,
                "y": node.position.y,
                "color": node.color or kinds[kind]["color"],
            }
        )
    return out


def canvas_edges(project: Project) -> list[dict]:
    kinds = {n.id: catalog.model(project.base_model(n.model)).kind for n in project.nodes}
    out = []
    for conn in project.connections:
        device = "recorder" in (kinds.get(conn.source), kinds.get(conn.target))
        sign = 0 if device else edits.weight_sign(conn.synapse.weight)
        label = "" if device else f"{rule_label(conn.rule)} · w={_short(conn.synapse.weight)}"
        if not device and conn.synapse.model != Synapse.model:  # plastic and other synapses
            label += f" · {conn.synapse.model}"
            recorder = conn.synapse.params.get("weight_recorder")
            label += f" → {recorder}" if isinstance(recorder, str) else ""
        out.append(
            {
                "id": conn.id,
                "source": conn.source,
                "target": conn.target,
                "sign": sign,
                "label": label,
            }
        )
    return out


def rule_label(rule) -> str:
    """A few characters for an edge: ``all``, ``1:1``, ``K_in=80``, ``K_out=5``, ``p=0.1``."""
    args = dict(rule.params)
    named = {
        "fixed_indegree": ("K_in", "indegree"),
        "fixed_outdegree": ("K_out", "outdegree"),
        "fixed_total_number": ("N", "N"),
        "pairwise_bernoulli": ("p", "p"),
    }
    if rule.rule in named:
        short, key = named[rule.rule]
        return f"{short}={_short(args.get(key, '?'))}"
    return {"all_to_all": "all", "one_to_one": "1:1"}.get(rule.rule, rule.rule)


def _short(value) -> str:
    if isinstance(value, (int, float)):
        return f"{value:g}"
    return getattr(value, "distribution", str(value))


class NetworkEditor:
    """Owns the session's canvas: actions in, drawings out."""

    def __init__(self, session: ProjectSession) -> None:
        self.session = session
        self.canvas = NetworkCanvas(
            on_action=self.handle,
            palette=palette_from_catalog(),
            sizing_mode="stretch_both",
            min_height=200,
        )
        session.param.watch(lambda *_: self.redraw(), ["project", "selection"])
        session.param.watch(lambda *_: self.canvas.fit(), "opened")  # no pan/zoom carried over
        self.redraw()

    def redraw(self) -> None:
        project = self.session.project
        self.canvas.param.update(
            nodes=canvas_nodes(project),
            edges=canvas_edges(project),
            selection=dict(self.session.selection),
        )

    def say(self, message: str) -> None:
        # a repeated message must show again, so clear first
        self.canvas.message = ""
        self.canvas.message = message

    def handle(self, msg: dict) -> None:
        """One user action from the canvas; never raises into the Bokeh thread."""
        try:
            self._handle(msg)
        except Refused as exc:
            self.say(_sentence(exc))
            self.redraw()  # put back what the canvas drew optimistically
        except (KeyError, TypeError, ValueError) as exc:
            self.say(f"Cannot do that: {exc}")
            self.redraw()

    def _handle(self, msg: dict) -> None:
        action, session = msg.get("action"), self.session
        project = session.project
        if action == "add":
            model = str(msg["model"])
            if model not in catalog.models():
                raise ValueError(f"unknown model {model!r}")
            new, node_id = edits.add_node(project, model, float(msg["x"]), float(msg["y"]))
            session.apply(new)
            session.selection = {"kind": "node", "id": node_id}
        elif action == "move":
            session.apply(edits.move_node(project, msg["id"], float(msg["x"]), float(msg["y"])))
        elif action == "connect":
            new, conn_id = edits.connect(project, msg["source"], msg["target"])
            self._connect(new, conn_id)
            session.selection = {"kind": "edge", "id": conn_id}
        elif action == "select":
            kind, item = msg.get("kind"), msg.get("id")
            session.selection = {"kind": kind, "id": item} if kind in ("node", "edge") else {}
        elif action == "delete":
            what = "node" if msg.get("kind") == "node" else "connection"
            session.apply(edits.delete(project, what, msg["id"]))
            session.selection = {}
        elif action == "duplicate":
            if msg.get("kind") != "node":
                raise ValueError("only nodes can be duplicated")
            new, node_id = edits.duplicate_node(project, msg["id"])
            session.apply(new)
            session.selection = {"kind": "node", "id": node_id}
        elif action == "duplicate_many":
            new, copies = edits.duplicate_nodes(project, msg["ids"])
            session.apply(new)
            session.selection = {"kind": "node", "id": copies[-1]}
            self.canvas.select_group(copies)
        elif action == "move_many":
            moves = [(m["id"], float(m["x"]), float(m["y"])) for m in msg["moves"]]
            session.apply(edits.move_nodes(project, moves))
        elif action == "delete_many":
            session.apply(edits.delete_nodes(project, msg["ids"]))
            session.selection = {}
            self.canvas.group = []
        elif action == "color":
            session.apply(edits.set_color(project, msg["ids"], msg["color"]))
        elif action == "undo":
            if not session.undo():
                self.say("Nothing to undo.")
        elif action == "redo":
            if not session.redo():
                self.say("Nothing to redo.")
        else:
            raise ValueError(f"unknown action {action!r}")

    def _connect(self, project: Project, conn_id: str) -> None:
        """Apply the new connection, with its source's synapse if that one fits here too."""
        like = edits.like_sibling(project, conn_id)
        if like is not None:
            try:
                self.session.apply(like[0])
            except Refused:  # e.g. one_to_one onto a population of another size
                pass
            else:
                ends = " → ".join(label_of(like[0], n) for n in (like[1].source, like[1].target))
                self.say(f"The new connection has the rule and synapse of {ends}.")
                return
        self.session.apply(project)


def _sentence(exc: Refused) -> str:
    """The refusal as the user should read it: the message without the JSON path."""
    messages = [p.message for p in exc.problems]
    return "Not allowed: " + "; ".join(dict.fromkeys(messages))
