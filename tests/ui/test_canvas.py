"""The network editor canvas on its own page: every gesture reaches Python as one action,
and what Python decides is what the page shows.

The page holds one NetworkCanvas whose on_action applies actions to a tiny in-test network
(with undo/redo and one refusal), so the tests assert on Python state, not only on pixels.
"""

from __future__ import annotations

import copy
import time

import pytest
from playwright.sync_api import Page, expect
from ui_server import free_port
from ui_steps import SHOTS, wait_until

pytestmark = pytest.mark.ui

KIND = {
    "iaf_psc_alpha": "neuron",
    "parrot_neuron": "neuron",
    "poisson_generator": "stimulator",
    "dc_generator": "stimulator",
    "spike_recorder": "recorder",
    "voltmeter": "recorder",
}
PALETTE = [
    {"model": "iaf_psc_alpha", "kind": "neuron", "label": "LIF, alpha currents"},
    {"model": "parrot_neuron", "kind": "neuron", "label": "Parrot neuron"},
    {"model": "poisson_generator", "kind": "stimulator", "label": "Poisson spikes"},
    {"model": "dc_generator", "kind": "stimulator", "label": "DC current"},
    {"model": "spike_recorder", "kind": "recorder", "label": "Spike recorder"},
    {"model": "voltmeter", "kind": "recorder", "label": "Voltmeter"},
]


def node(id_, model, x, y, label=None, size=1, color=None):
    return {
        "id": id_, "kind": KIND[model], "model": model, "label": label or id_,
        "size": size, "x": x, "y": y, "color": color,
    }  # fmt: skip


def start_nodes():
    return [
        node("noise", "poisson_generator", 90.0, 150.0, "noise"),
        node("E", "iaf_psc_alpha", 300.0, 110.0, "excitatory", 80),
        node("I", "iaf_psc_alpha", 300.0, 330.0, "inhibitory", 20),
        node("spikes", "spike_recorder", 540.0, 220.0, "spikes"),
    ]


def start_edges():
    return [
        {"id": "noise_E", "source": "noise", "target": "E", "sign": 1, "label": ""},
        {"id": "E_spikes", "source": "E", "target": "spikes", "sign": 0, "label": ""},
    ]


class TinyNetwork:
    """What the studio does with canvas actions, in miniature: apply, refuse, undo, redo."""

    def __init__(self, canvas):
        self.canvas = canvas
        self.actions: list[dict] = []
        self.undo_stack: list = []
        self.redo_stack: list = []
        self.counter = 0

    def snapshot(self):
        return copy.deepcopy((self.canvas.nodes, self.canvas.edges))

    def restore(self, snap):
        self.canvas.nodes, self.canvas.edges = copy.deepcopy(snap)
        self.canvas.selection = {}

    def kind(self, id_):
        return next(n["kind"] for n in self.canvas.nodes if n["id"] == id_)

    def __call__(self, msg: dict) -> None:
        self.actions.append(msg)
        c, act = self.canvas, msg["action"]
        if act == "undo" and self.undo_stack:
            self.redo_stack.append(self.snapshot())
            self.restore(self.undo_stack.pop())
        elif act == "redo" and self.redo_stack:
            self.undo_stack.append(self.snapshot())
            self.restore(self.redo_stack.pop())
        elif act == "add":
            self.counter += 1
            self.push()
            c.nodes = [*c.nodes, node(f"n{self.counter}", msg["model"], msg["x"], msg["y"])]
        elif act == "move":
            self.push()
            c.nodes = [
                {**n, "x": msg["x"], "y": msg["y"]} if n["id"] == msg["id"] else n for n in c.nodes
            ]
        elif act == "connect":
            if self.kind(msg["target"]) == "stimulator":
                c.notify("A stimulator cannot receive connections.")
                return
            self.push()
            recorder = "recorder" in (self.kind(msg["source"]), self.kind(msg["target"]))
            sign = 0 if recorder else (-1 if msg["source"] == "I" else 1)
            edge = {
                "id": f"{msg['source']}_{msg['target']}", "source": msg["source"],
                "target": msg["target"], "sign": sign, "label": "",
            }  # fmt: skip
            c.edges = [*c.edges, edge]
        elif act == "delete":
            self.push()
            if msg["kind"] == "node":
                c.nodes = [n for n in c.nodes if n["id"] != msg["id"]]
                c.edges = [e for e in c.edges if msg["id"] not in (e["source"], e["target"])]
            else:
                c.edges = [e for e in c.edges if e["id"] != msg["id"]]
            c.selection = {}

    def push(self):
        self.undo_stack.append(self.snapshot())
        self.redo_stack.clear()


SESSIONS: list[TinyNetwork] = []


def make_page():
    import panel as pn
    from spikedesk.app.canvas import NetworkCanvas

    canvas = NetworkCanvas(nodes=start_nodes(), edges=start_edges(), palette=PALETTE)
    net = TinyNetwork(canvas)
    canvas.on_action = net
    SESSIONS.append(net)
    return pn.Column("## Network", canvas, sizing_mode="stretch_width")


@pytest.fixture(scope="module")
def canvas_url():
    import panel as pn

    port = free_port()
    server = pn.serve(
        {"/": make_page},
        port=port,
        address="127.0.0.1",
        show=False,
        threaded=True,
        websocket_origin=[f"127.0.0.1:{port}"],
    )
    time.sleep(1.0)
    yield f"http://127.0.0.1:{port}/"
    server.stop()


@pytest.fixture
def net(page: Page, canvas_url: str):
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(canvas_url)
    expect(page.locator("[data-node-id=E]")).to_be_visible(timeout=30_000)
    expect(page.locator(".palette-item[data-model=iaf_psc_alpha]")).to_be_visible()
    page.wait_for_timeout(300)  # let the first layout settle (initial fit check)
    yield SESSIONS[-1]
    assert errors == [], errors


# ------------------------------------------------------------------ helpers
def action(net: TinyNetwork, kind: str, page: Page, nth: int = 1) -> dict:
    """The nth action of this kind the browser sent, once it has arrived."""

    def sent():
        return [a for a in net.actions if a["action"] == kind]

    wait_until(page, lambda: len(sent()) >= nth, what=f"{kind} action #{nth}")
    return sent()[nth - 1]


def centre(page: Page, selector: str) -> tuple[float, float]:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def view(page: Page) -> tuple[float, float, float]:
    vp = page.locator("g.viewport")
    return tuple(float(vp.get_attribute(f"data-{a}")) for a in ("tx", "ty", "k"))


def surface_origin(page: Page) -> tuple[float, float]:
    box = page.locator("svg.surface").bounding_box()
    return box["x"], box["y"]


def drag(page: Page, start, end, steps: int = 12) -> None:
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*end, steps=steps)
    page.mouse.up()


def node_shape(id_: str) -> str:
    return f"[data-node-id={id_}] .shape"


# ------------------------------------------------------------------ tests
def test_palette_drop_adds_node_where_dropped(page: Page, net: TinyNetwork):
    ox, oy = surface_origin(page)
    tx, ty, k = view(page)
    target = (ox + 420, oy + 400)
    drag(page, centre(page, "[data-model=iaf_psc_alpha]"), target)
    add = action(net, "add", page)
    assert add["model"] == "iaf_psc_alpha"
    assert add["x"] == pytest.approx((420 - tx) / k, abs=1.0)
    assert add["y"] == pytest.approx((400 - ty) / k, abs=1.0)
    drawn = page.locator("[data-node-id=n1]")
    expect(drawn).to_be_visible()
    expect(drawn).to_contain_text("iaf_psc_alpha ×1")
    cx, cy = centre(page, node_shape("n1"))
    assert (cx, cy) == (pytest.approx(target[0], abs=2), pytest.approx(target[1], abs=2))
    # a release outside the canvas adds nothing
    drag(page, centre(page, "[data-model=voltmeter]"), centre(page, "[data-model=dc_generator]"))
    page.wait_for_timeout(400)
    assert [a["action"] for a in net.actions].count("add") == 1


def test_dragging_a_node_sends_one_move(page: Page, net: TinyNetwork):
    start = centre(page, node_shape("E"))
    drag(page, start, (start[0] + 120, start[1] + 60), steps=15)
    move = action(net, "move", page)
    assert move["id"] == "E"
    assert move["x"] == pytest.approx(420.0, abs=1.5)
    assert move["y"] == pytest.approx(170.0, abs=1.5)
    assert [a["action"] for a in net.actions] == ["move"]  # one action, on release
    wait_until(page, lambda: net.canvas.nodes[1]["x"] == move["x"], what="python state")
    after = centre(page, node_shape("E"))
    assert after == (pytest.approx(start[0] + 120, abs=2), pytest.approx(start[1] + 60, abs=2))


def test_connect_from_handle_autapse_and_refusal(page: Page, net: TinyNetwork):
    drag(page, centre(page, "[data-handle-for=E]"), centre(page, node_shape("I")))
    connect = action(net, "connect", page)
    assert connect == {"action": "connect", "source": "E", "target": "I"}
    expect(page.locator("path[data-edge-id=E_I]")).to_be_attached()
    expect(page.locator("path[data-edge-id=E_I]")).to_have_class("edge exc")

    # back from I to E: both directions stay visible as two distinct curves
    drag(page, centre(page, "[data-handle-for=I]"), centre(page, node_shape("E")))
    expect(page.locator("path[data-edge-id=I_E]")).to_have_class("edge inh")
    d_ei = page.locator("path[data-edge-id=E_I]").get_attribute("d")
    d_ie = page.locator("path[data-edge-id=I_E]").get_attribute("d")
    assert "Q" in d_ei and "Q" in d_ie and d_ei != d_ie

    # released on its own node: an autapse, drawn as a loop
    handle = centre(page, "[data-handle-for=I]")
    drag(page, handle, (handle[0] - 30, handle[1] + 4))
    wait_until(
        page, lambda: net.actions[-1].get("target") == "I" and net.actions[-1]["source"] == "I"
    )
    expect(page.locator("path[data-edge-id=I_I]")).to_be_attached()
    assert "C" in page.locator("path[data-edge-id=I_I]").get_attribute("d")

    # released on empty canvas: nothing is sent
    n = len(net.actions)
    drag(page, centre(page, "[data-handle-for=E]"), (handle[0] + 200, handle[1] + 100))
    page.wait_for_timeout(400)
    assert len(net.actions) == n

    # Python refuses a connection into a generator and says why
    drag(page, centre(page, "[data-handle-for=E]"), centre(page, node_shape("noise")))
    wait_until(page, lambda: len(net.actions) == n + 1, what="connect into noise")
    assert net.actions[-1] == {"action": "connect", "source": "E", "target": "noise"}
    expect(page.locator(".message")).to_have_text("A stimulator cannot receive connections.")
    expect(page.locator(".message")).to_be_visible()
    assert not any(e["target"] == "noise" for e in net.canvas.edges)


def test_click_selects_and_delete_key_deletes(page: Page, net: TinyNetwork):
    page.mouse.click(*centre(page, node_shape("E")))
    select = action(net, "select", page)
    assert select == {"action": "select", "kind": "node", "id": "E"}
    wait_until(page, lambda: net.canvas.selection == {"kind": "node", "id": "E"})
    expect(page.locator("[data-node-id=E]")).to_have_class("node neuron selected")

    # an edge is clicked on its (wide, invisible) hit path, a few px off the 2 px line
    d = page.locator("path[data-edge-id=noise_E]").get_attribute("d")
    (x0, y0), (x1, y1) = (map(float, p.split(",")) for p in d[1:].split(" L"))
    ox, oy = surface_origin(page)
    tx, ty, k = view(page)
    page.mouse.click(ox + tx + k * (x0 + x1) / 2, oy + ty + k * (y0 + y1) / 2 + 4)
    wait_until(page, lambda: net.canvas.selection == {"kind": "edge", "id": "noise_E"})
    expect(page.locator("path[data-edge-id=noise_E]")).to_have_class("edge exc selected")

    page.mouse.click(ox + 700, oy + 460)  # empty background
    wait_until(page, lambda: net.actions[-1] == {"action": "select"}, what="click on background")
    assert net.canvas.selection == {}

    page.mouse.click(*centre(page, node_shape("E")))
    wait_until(page, lambda: net.canvas.selection == {"kind": "node", "id": "E"})
    page.keyboard.press("Delete")
    delete = action(net, "delete", page)
    assert delete == {"action": "delete", "kind": "node", "id": "E"}
    expect(page.locator("[data-node-id=E]")).to_have_count(0)
    expect(page.locator("path[data-edge-id=noise_E]")).to_have_count(0)
    assert [n["id"] for n in net.canvas.nodes] == ["noise", "I", "spikes"]

    page.mouse.click(*centre(page, node_shape("spikes")))
    wait_until(page, lambda: net.canvas.selection.get("id") == "spikes")
    page.keyboard.press("Backspace")
    assert action(net, "delete", page, 2)["id"] == "spikes"


def test_undo_and_redo_keys(page: Page, net: TinyNetwork):
    page.mouse.click(*centre(page, node_shape("I")))
    wait_until(page, lambda: net.canvas.selection.get("id") == "I")
    page.keyboard.press("Delete")
    expect(page.locator("[data-node-id=I]")).to_have_count(0)

    page.keyboard.press("Control+z")
    assert action(net, "undo", page) == {"action": "undo"}
    expect(page.locator("[data-node-id=I]")).to_have_count(1)

    page.keyboard.press("Control+y")
    assert action(net, "redo", page) == {"action": "redo"}
    expect(page.locator("[data-node-id=I]")).to_have_count(0)

    page.keyboard.press("Control+z")
    action(net, "undo", page, 2)
    expect(page.locator("[data-node-id=I]")).to_have_count(1)
    page.keyboard.press("Control+Shift+z")
    action(net, "redo", page, 2)
    expect(page.locator("[data-node-id=I]")).to_have_count(0)
    assert [a["action"] for a in net.actions] == [
        "select", "delete", "undo", "redo", "undo", "redo",
    ]  # fmt: skip


def test_python_message_shows_a_toast_for_a_few_seconds(page: Page, net: TinyNetwork):
    toast = page.locator(".message")
    expect(toast).to_be_hidden()
    net.canvas.message = "Connections into a spike generator are not allowed."
    expect(toast).to_be_visible()
    expect(toast).to_have_text("Connections into a spike generator are not allowed.")
    expect(toast).to_be_hidden(timeout=7_000)
    wait_until(page, lambda: net.canvas.message == "", what="message handed back")
    net.canvas.notify("Again.")
    expect(toast).to_have_text("Again.")
    expect(toast).to_be_visible()


def test_wheel_zoom_keeps_drop_coordinates_right(page: Page, net: TinyNetwork):
    ox, oy = surface_origin(page)
    page.mouse.move(ox + 300, oy + 200)
    page.mouse.wheel(0, -400)  # a plain wheel scrolls the page, it never zooms
    page.wait_for_timeout(300)
    assert view(page)[2] == 1.0
    page.keyboard.down("Control")
    page.mouse.wheel(0, -400)
    page.keyboard.up("Control")
    wait_until(page, lambda: view(page)[2] > 1.2, what="zoom in")
    tx, ty, k = view(page)
    # zooming is about the cursor: the canvas point under it stays put
    assert (300 - tx) / k == pytest.approx(300.0, abs=0.5)
    assert (200 - ty) / k == pytest.approx(200.0, abs=0.5)
    # nodes are drawn through the transform
    ex, ey = centre(page, node_shape("E"))
    assert ex == pytest.approx(ox + tx + k * 300.0, abs=2)
    assert ey == pytest.approx(oy + ty + k * 110.0, abs=2)

    # pan by dragging the background, then drop: coordinates follow pan and zoom
    drag(page, (ox + 600, oy + 470), (ox + 520, oy + 430))
    tx2, ty2, k2 = view(page)
    assert (tx2 - tx, ty2 - ty, k2) == (pytest.approx(-80), pytest.approx(-40), k)
    drop = (ox + 500, oy + 420)
    drag(page, centre(page, "[data-model=spike_recorder]"), drop)
    add = action(net, "add", page)
    assert add["model"] == "spike_recorder"
    assert add["x"] == pytest.approx((500 - tx2) / k2, abs=1.0)
    assert add["y"] == pytest.approx((420 - ty2) / k2, abs=1.0)
    cx, cy = centre(page, node_shape("n1"))
    assert (cx, cy) == (pytest.approx(drop[0], abs=2), pytest.approx(drop[1], abs=2))
    assert not any(a["action"] in ("select",) for a in net.actions)  # panning is not a click

    page.mouse.move(ox + 300, oy + 200)
    page.keyboard.down("Control")
    page.mouse.wheel(0, 800)
    page.keyboard.up("Control")
    wait_until(page, lambda: view(page)[2] < k2, what="zoom out")


def test_python_updates_rerender_and_fit(page: Page, net: TinyNetwork):
    c = net.canvas
    c.nodes = [
        node("stim", "dc_generator", -400.0, 40.0, "step input", color="#9467bd"),
        node("E", "iaf_psc_alpha", 150.0, 80.0, "excitatory", 800),
        node("I", "iaf_psc_alpha", 150.0, 300.0, "inhibitory", 200),
        node("P", "parrot_neuron", 420.0, 190.0, "relay", 10),
        node("noise", "poisson_generator", -120.0, 190.0, "background"),
        node("spikes", "spike_recorder", 700.0, 110.0, "spike recorder"),
        node("vm", "voltmeter", 700.0, 300.0, "voltmeter"),
    ]
    c.edges = [
        {"id": "stim_E", "source": "stim", "target": "E", "sign": 1, "label": ""},
        {"id": "noise_E", "source": "noise", "target": "E", "sign": 1, "label": "w=20"},
        {"id": "noise_I", "source": "noise", "target": "I", "sign": 1, "label": ""},
        {"id": "E_I", "source": "E", "target": "I", "sign": 1, "label": ""},
        {"id": "I_E", "source": "I", "target": "E", "sign": -1, "label": "w=-80"},
        {"id": "I_I", "source": "I", "target": "I", "sign": -1, "label": ""},
        {"id": "E_P", "source": "E", "target": "P", "sign": 1, "label": ""},
        {"id": "P_spikes", "source": "P", "target": "spikes", "sign": 0, "label": ""},
        {"id": "E_spikes", "source": "E", "target": "spikes", "sign": 0, "label": ""},
        {"id": "vm_I", "source": "vm", "target": "I", "sign": 0, "label": ""},
    ]
    expect(page.locator("[data-node-id=vm]")).to_be_visible()
    expect(page.locator("g.node")).to_have_count(7)
    expect(page.locator("path.edge")).to_have_count(10)
    expect(page.get_by_text("relay", exact=True)).to_be_visible()
    expect(page.get_by_text("iaf_psc_alpha ×800", exact=True)).to_be_visible()
    assert page.locator(node_shape("stim")).get_attribute("fill") == "#9467bd"
    assert page.locator(node_shape("P")).get_attribute("fill") == "#1f77b4"
    assert page.locator(node_shape("spikes")).evaluate("e => e.tagName") == "polygon"
    expect(page.locator("path[data-edge-id=vm_I]")).to_have_class("edge dev")

    # "stim" sits left of the visible area until Fit
    ox, oy = surface_origin(page)
    assert centre(page, node_shape("stim"))[0] < ox
    page.locator("button.fit").click()
    box = page.locator("svg.surface").bounding_box()
    for id_ in ("stim", "E", "I", "P", "noise", "spikes", "vm"):
        x, y = centre(page, node_shape(id_))
        assert box["x"] < x < box["x"] + box["width"], id_
        assert box["y"] < y < box["y"] + box["height"], id_

    c.selection = {"kind": "node", "id": "E"}
    expect(page.locator("[data-node-id=E]")).to_have_class("node neuron selected")
    c.nodes = [{**n, "label": "exc"} if n["id"] == "E" else n for n in c.nodes]
    expect(page.locator("[data-node-id=E] .node-label")).to_have_text("exc")
    c.nodes = [{**n, "label": "excitatory"} if n["id"] == "E" else n for n in c.nodes]
    page.mouse.move(5, 5)
    page.wait_for_timeout(300)
    SHOTS.mkdir(parents=True, exist_ok=True)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".sd-canvas").screenshot(path=str(SHOTS / "canvas.png"))
    assert net.actions == []


# ------------------------------------------------------------------ Python side, no browser
def test_actions_are_checked_and_trimmed_before_on_action():
    from spikedesk.app.canvas import clean_action

    assert clean_action({"action": "add", "model": "m", "x": 1, "y": 2.5, "extra": 1}) == {
        "action": "add", "model": "m", "x": 1.0, "y": 2.5,
    }  # fmt: skip
    assert clean_action({"action": "undo", "id": "x"}) == {"action": "undo"}
    assert clean_action({"action": "select"}) == {"action": "select"}
    for bad in (
        None,
        [],
        {"action": "explode"},
        {"action": "add", "model": "m", "x": float("nan"), "y": 0},
        {"action": "add", "model": "m", "x": True, "y": 0},
        {"action": "move", "id": "", "x": 0, "y": 0},
        {"action": "connect", "source": "a"},
        {"action": "delete", "kind": "port", "id": "a"},
        {"action": "select", "kind": "node"},
    ):
        assert clean_action(bad) is None, bad


def test_handle_msg_selects_then_calls_on_action_and_reports_failures(caplog):
    from spikedesk.app.canvas import NetworkCanvas

    seen = []
    canvas = NetworkCanvas(on_action=seen.append, nodes=start_nodes(), edges=start_edges())
    canvas._handle_msg({"action": "select", "kind": "node", "id": "E"})
    assert canvas.selection == {"kind": "node", "id": "E"}
    canvas._handle_msg({"action": "select", "kind": "edge", "id": "missing"})
    assert canvas.selection == {}
    canvas._handle_msg({"action": "nonsense"})
    assert [m["action"] for m in seen] == ["select", "select"]

    def broken(msg):
        raise RuntimeError("boom")

    canvas.on_action = broken
    canvas._handle_msg({"action": "undo"})
    assert canvas.message.startswith("Something went wrong")
    assert "boom" in caplog.text


def test_defaults_come_from_the_catalog():
    from spikedesk.app.canvas import NetworkCanvas, kind_styles, palette_from_catalog
    from spikedesk.project_files import catalog

    canvas = NetworkCanvas()
    assert canvas.height == 520 and canvas.sizing_mode == "stretch_width"
    assert canvas.kinds["stimulator"]["shape"] == "triangle"
    assert kind_styles()["recorder"] == {
        "color": "#d62728",
        "label": "Recorders",
        "shape": "square",
    }
    palette = palette_from_catalog()
    assert {p["model"] for p in palette} == set(catalog.models())
    kinds = [p["kind"] for p in palette]
    assert kinds == sorted(kinds, key=["neuron", "stimulator", "recorder", "other"].index)
    assert {
        "model": "iaf_psc_alpha",
        "kind": "neuron",
        "label": "LIF, alpha currents",
        "family": "Integrate-and-fire (current)",
    } in palette
    families = list(dict.fromkeys(p["family"] for p in palette))
    assert families == [f for f in catalog.families() if f in families]
