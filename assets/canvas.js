// spikedesk network editor canvas: a plain ES module rendered by app/canvas.py (NetworkCanvas).
//
// The browser only *proposes* edits: every gesture becomes one action sent with
// model.send_msg({action: ...}); Python validates it, updates nodes/edges/selection/message,
// and this module redraws from those parameters. Nothing here talks to the network or a CDN.
//
// Coordinates: nodes live in "canvas" coordinates. A viewport <g> carries the pan/zoom
// transform translate(tx, ty) scale(k), so canvas = (screen - svgOrigin - t) / k.

const SVGNS = "http://www.w3.org/2000/svg";
const CLICK_SLOP = 4; // px of pointer travel below which a press counts as a click
const MIN_K = 0.2;
const MAX_K = 4;
const TOAST_MS = 4000;
const MOVE_SETTLE_MS = 2000; // keep a dragged node where it was dropped until Python answers
const SELECT_SETTLE_MS = 1500; // show a clicked selection until Python answers
const HANDLE_GAP = 10;
const HANDLE_R = 6;
const ARROW_GAP = 1.5;

const KIND_FALLBACK = {
  neuron: { color: "#1f77b4", shape: "circle", label: "Neurons" },
  stimulator: { color: "#2ca02c", shape: "triangle", label: "Stimulators" },
  recorder: { color: "#d62728", shape: "square", label: "Recorders" },
};
const KIND_ORDER = ["neuron", "stimulator", "recorder"];

const EDGE_STYLE = {
  exc: { color: "#55606b", marker: "arrow" },
  inh: { color: "#c2410c", marker: "dot" },
  dev: { color: "#8a949e", marker: "open" },
};
const SELECTED_COLOR = "#0d6efd";
// the context menu's colours (Category10, as the plots use them)
const SWATCHES = [
  ["blue", "#1f77b4"], ["orange", "#ff7f0e"], ["green", "#2ca02c"], ["red", "#d62728"],
  ["purple", "#9467bd"], ["brown", "#8c564b"], ["pink", "#e377c2"], ["grey", "#7f7f7f"],
  ["olive", "#bcbd22"], ["cyan", "#17becf"],
];

let INSTANCES = 0;

// Bokeh may hand dicts over as Map objects; work on plain objects throughout.
function plain(v) {
  if (v instanceof Map) {
    const o = {};
    for (const [k, x] of v) o[k] = plain(x);
    return o;
  }
  if (Array.isArray(v)) return v.map(plain);
  return v;
}

function svgEl(tag, attrs, parent) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  }
  if (parent) parent.appendChild(e);
  return e;
}

function htmlEl(tag, cls, parent, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}

function fmt(v) {
  return Math.round(v * 100) / 100;
}

// ------------------------------------------------------------------ shape geometry
// Every shape is centred on the node position. Polygons are given by their vertices so
// edges can be trimmed exactly at the outline (ray/polygon intersection).
const TRI = [[0, -27], [23.4, 13.5], [-23.4, 13.5]];
const SQR = [[-20, -20], [20, -20], [20, 20], [-20, 20]];
const CIRCLE_R = 22;

function polygonFor(shape) {
  if (shape === "triangle") return TRI;
  if (shape === "square") return SQR;
  return null;
}

// Distance from the centre to the outline along the unit direction (ux, uy).
function boundary(shape, ux, uy) {
  const poly = polygonFor(shape);
  if (!poly) return CIRCLE_R;
  let best = Infinity;
  for (let i = 0; i < poly.length; i++) {
    const [ax, ay] = poly[i];
    const [bx, by] = poly[(i + 1) % poly.length];
    const ex = bx - ax;
    const ey = by - ay;
    const den = ux * ey - uy * ex;
    if (Math.abs(den) < 1e-9) continue;
    const t = (ax * ey - ay * ex) / den;
    const s = (ax * uy - ay * ux) / den;
    if (t > 0 && s >= -1e-9 && s <= 1 + 1e-9) best = Math.min(best, t);
  }
  return Number.isFinite(best) ? best : CIRCLE_R;
}

function shapeBottom(shape) {
  if (shape === "triangle") return 13.5;
  if (shape === "square") return 20;
  return CIRCLE_R;
}

function unit(dx, dy) {
  const len = Math.hypot(dx, dy);
  return len < 1e-9 ? [1, 0] : [dx / len, dy / len];
}

// ------------------------------------------------------------------ render
export function render({ model, el }) {
  const uid = `sdc${++INSTANCES}`;
  const state = {
    view: { tx: 0, ty: 0, k: 1 },
    overrides: new Map(), // node id -> {x, y} while dragging / until Python answers
    localSelection: null, // optimistic selection until Python's selection arrives
    drag: null,
    fittedOnce: false,
    clipboard: null, // the node ids Ctrl+C copied, pasted (duplicated) by Ctrl+V
    group: new Set(), // nodes selected together (Shift+click, Shift+drag a rectangle)
    toastTimer: null,
    settleTimer: null,
    selectTimer: null,
    frame: 0,
  };

  // ---------------------------------------------------------------- DOM skeleton
  const root = htmlEl("div", "sd-canvas", null);
  root.tabIndex = 0;
  root.setAttribute("role", "application");
  root.setAttribute("aria-label", "Network editor");

  const palette = htmlEl("div", "palette", root);
  palette.setAttribute("aria-label", "Node palette");
  // a search box over the palette (about 40 models) and the list of family groups under it
  const search = htmlEl("input", "palette-search", palette);
  search.type = "search";
  search.placeholder = "Search models";
  search.setAttribute("aria-label", "Search models");
  const paletteList = htmlEl("div", "palette-list", palette);
  const collapsedFamilies = new Set();
  const stage = htmlEl("div", "stage", root);

  const svg = svgEl("svg", { class: "surface", width: "100%", height: "100%" }, stage);
  const defs = svgEl("defs", {}, svg);
  const grid = svgEl(
    "pattern",
    { id: `${uid}-grid`, width: 24, height: 24, patternUnits: "userSpaceOnUse" },
    defs,
  );
  svgEl("circle", { cx: 1, cy: 1, r: 1, class: "grid-dot" }, grid);
  function marker(name, color) {
    const m = svgEl(
      "marker",
      {
        id: `${uid}-${name}`,
        viewBox: "0 0 10 10",
        refX: name.startsWith("dot") ? 5 : 9,
        refY: 5,
        markerWidth: name.startsWith("dot") ? 9 : 11,
        markerHeight: name.startsWith("dot") ? 9 : 11,
        markerUnits: "userSpaceOnUse",
        orient: "auto-start-reverse",
      },
      defs,
    );
    if (name.startsWith("arrow")) {
      svgEl("path", { d: "M0,0.8 L10,5 L0,9.2 z", fill: color }, m);
    } else if (name.startsWith("dot")) {
      svgEl("circle", { cx: 5, cy: 5, r: 4.2, fill: color }, m);
    } else {
      svgEl(
        "path",
        { d: "M1,1 L9,5 L1,9", fill: "none", stroke: color, "stroke-width": 1.6 },
        m,
      );
    }
  }
  for (const [cls, style] of Object.entries(EDGE_STYLE)) {
    marker(style.marker, style.color);
    marker(`${style.marker}-sel`, SELECTED_COLOR);
    void cls;
  }
  marker("arrow-rubber", SELECTED_COLOR);

  const background = svgEl(
    "rect",
    { class: "background", width: "100%", height: "100%", fill: `url(#${uid}-grid)` },
    svg,
  );
  const viewport = svgEl("g", { class: "viewport" }, svg);
  const edgeLayer = svgEl("g", { class: "edges" }, viewport);
  const nodeLayer = svgEl("g", { class: "nodes" }, viewport);
  const rubber = svgEl(
    "path",
    { class: "rubber", "marker-end": `url(#${uid}-arrow-rubber)`, visibility: "hidden" },
    viewport,
  );

  const toolbar = htmlEl("div", "toolbar", stage);
  const zoomOut = htmlEl("button", "zoom-out", toolbar, "\u2212");
  zoomOut.title = "Zoom out";
  zoomOut.type = "button";
  const zoomLabel = htmlEl("span", "zoom-label", toolbar, "100%");
  const zoomIn = htmlEl("button", "zoom-in", toolbar, "+");
  zoomIn.title = "Zoom in";
  zoomIn.type = "button";
  const fitButton = htmlEl("button", "fit", toolbar, "Fit");
  fitButton.title = "Fit all nodes into view";
  fitButton.type = "button";

  const hint = htmlEl("div", "empty-hint", stage, "Drag a model from the palette onto the canvas");
  const toast = htmlEl("div", "message", stage);
  toast.setAttribute("role", "status");
  toast.setAttribute("aria-live", "polite");
  const ghost = htmlEl("div", "drag-ghost", root);
  const band = svgEl("rect", { class: "band", visibility: "hidden" }, svg);
  const menu = htmlEl("div", "context-menu", stage);
  menu.setAttribute("role", "menu");
  menu.hidden = true;

  // ---------------------------------------------------------------- model access
  const kinds = () => {
    const k = plain(model.kinds) || {};
    return Object.keys(k).length ? k : KIND_FALLBACK;
  };
  const kindOf = (kind) => kinds()[kind] || KIND_FALLBACK[kind] || { color: "#777", shape: "circle", label: kind };
  const nodesNow = () => (plain(model.nodes) || []).filter((n) => n && n.id !== undefined);
  const edgesNow = () => (plain(model.edges) || []).filter((e) => e && e.id !== undefined);
  const pythonSelection = () => {
    const s = plain(model.selection) || {};
    return s.kind && s.id !== undefined && s.id !== null ? { kind: s.kind, id: String(s.id) } : null;
  };
  // What the user sees as selected: a click shows at once (optimistic) and stays until
  // Python's selection agrees, or SELECT_SETTLE_MS pass (then Python's value wins).
  const selectionNow = () => (state.localSelection ? state.localSelection.value : pythonSelection());
  const sameSelection = (a, b) => (!a && !b) || (a && b && a.kind === b.kind && String(a.id) === String(b.id));

  function position(n) {
    const o = state.overrides.get(String(n.id));
    return o ? o : { x: Number(n.x) || 0, y: Number(n.y) || 0 };
  }

  // ---------------------------------------------------------------- transform
  function applyView() {
    const { tx, ty, k } = state.view;
    viewport.setAttribute("transform", `translate(${fmt(tx)},${fmt(ty)}) scale(${k})`);
    viewport.dataset.tx = String(tx);
    viewport.dataset.ty = String(ty);
    viewport.dataset.k = String(k);
    grid.setAttribute("patternTransform", `translate(${fmt(tx)},${fmt(ty)}) scale(${k})`);
    zoomLabel.textContent = `${Math.round(k * 100)}%`;
  }

  function toCanvas(clientX, clientY) {
    const r = svg.getBoundingClientRect();
    const { tx, ty, k } = state.view;
    return { x: (clientX - r.left - tx) / k, y: (clientY - r.top - ty) / k };
  }

  function insideStage(clientX, clientY) {
    const r = svg.getBoundingClientRect();
    return clientX >= r.left && clientX <= r.right && clientY >= r.top && clientY <= r.bottom;
  }

  function zoomAt(factor, clientX, clientY) {
    const r = svg.getBoundingClientRect();
    const cx = clientX - r.left;
    const cy = clientY - r.top;
    const { tx, ty, k } = state.view;
    const nk = Math.min(MAX_K, Math.max(MIN_K, k * factor));
    const px = (cx - tx) / k;
    const py = (cy - ty) / k;
    state.view = { tx: cx - px * nk, ty: cy - py * nk, k: nk };
    applyView();
  }

  function fit() {
    const r = svg.getBoundingClientRect();
    const nodes = nodesNow();
    if (!nodes.length || r.width < 10 || r.height < 10) {
      state.view = { tx: 0, ty: 0, k: 1 };
      applyView();
      return;
    }
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const n of nodes) {
      const p = position(n);
      x0 = Math.min(x0, p.x - 60);
      x1 = Math.max(x1, p.x + 60);
      y0 = Math.min(y0, p.y - 45);
      y1 = Math.max(y1, p.y + 60);
    }
    const pad = 24;
    const k = Math.min(
      1.5,
      Math.max(MIN_K, Math.min((r.width - 2 * pad) / (x1 - x0), (r.height - 2 * pad) / (y1 - y0))),
    );
    state.view = {
      tx: r.width / 2 - ((x0 + x1) / 2) * k,
      ty: r.height / 2 - ((y0 + y1) / 2) * k,
      k,
    };
    applyView();
  }

  // Fit once on the first layout if any node lies outside the visible area.
  function maybeInitialFit() {
    if (state.fittedOnce) return;
    const r = svg.getBoundingClientRect();
    if (r.width < 10 || r.height < 10) return;
    state.fittedOnce = true;
    const { tx, ty, k } = state.view;
    // the same box around each node as fit() uses (shape, label and model line)
    const out = nodesNow().some((n) => {
      const p = position(n);
      const sx = p.x * k + tx;
      const sy = p.y * k + ty;
      return sx - 60 * k < 0 || sy - 45 * k < 0 || sx + 60 * k > r.width || sy + 60 * k > r.height;
    });
    if (out) fit();
  }

  // ---------------------------------------------------------------- palette
  function drawPalette() {
    paletteList.replaceChildren();
    const items = plain(model.palette) || [];
    const groups = new Map();
    // one group per family (palette items arrive in display order), else per kind
    for (const item of items) {
      if (!item || !item.model) continue;
      const kind = item.kind || "neuron";
      const key = item.family || kindOf(kind).label || kind;
      if (!groups.has(key)) groups.set(key, { kind, items: [] });
      groups.get(key).items.push(item);
    }
    const byKind = (k) => (KIND_ORDER.includes(k) ? KIND_ORDER.indexOf(k) : KIND_ORDER.length);
    const order = [...groups.keys()].sort((a, b) => byKind(groups.get(a).kind) - byKind(groups.get(b).kind));
    for (const key of order) {
      const { kind, items: members } = groups.get(key);
      const group = htmlEl("div", "palette-group", paletteList);
      group.dataset.kind = kind;
      group.dataset.family = key;
      if (collapsedFamilies.has(key)) group.classList.add("collapsed");
      const title = htmlEl("button", "palette-title", group, key);
      title.type = "button";
      title.title = "Show or hide this family";
      title.setAttribute("aria-expanded", String(!collapsedFamilies.has(key)));
      for (const item of members) {
        const spec = kindOf(item.kind || kind);
        const row = htmlEl("div", "palette-item", group);
        row.dataset.model = item.model;
        row.dataset.kind = item.kind || kind;
        row.title = `Drag onto the canvas to add ${item.label || item.model}`;
        row.appendChild(shapeIcon(spec));
        const text = htmlEl("div", "palette-text", row);
        htmlEl("div", "palette-label", text, item.label || item.model);
        htmlEl("div", "palette-model", text, item.model);
      }
    }
    if (!order.length) htmlEl("div", "palette-empty", paletteList, "No models");
    filterPalette();
  }

  // Typing filters by label or model name (collapsed families open while searching).
  function filterPalette() {
    const words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    paletteList.classList.toggle("searching", words.length > 0);
    for (const group of paletteList.querySelectorAll(".palette-group")) {
      let shown = 0;
      for (const row of group.querySelectorAll(".palette-item")) {
        const text = `${row.dataset.model} ${row.textContent} ${group.dataset.family}`.toLowerCase();
        const match = words.every((w) => text.includes(w));
        row.hidden = !match;
        shown += match ? 1 : 0;
      }
      group.hidden = shown === 0;
    }
  }
  search.addEventListener("input", filterPalette);
  paletteList.addEventListener("click", (ev) => {
    const title = ev.target.closest(".palette-title");
    if (!title) return;
    const group = title.parentElement;
    const family = group.dataset.family;
    if (collapsedFamilies.has(family)) collapsedFamilies.delete(family);
    else collapsedFamilies.add(family);
    group.classList.toggle("collapsed", collapsedFamilies.has(family));
    title.setAttribute("aria-expanded", String(!collapsedFamilies.has(family)));
  });

  function shapeIcon(spec) {
    const icon = svgEl("svg", { class: "icon", width: 22, height: 22, viewBox: "-30 -30 60 60" });
    drawShape(icon, spec.shape, spec.color, "icon-shape");
    return icon;
  }

  function drawShape(parent, shape, color, cls) {
    const poly = polygonFor(shape);
    if (poly) {
      return svgEl(
        "polygon",
        { class: cls, points: poly.map((p) => p.join(",")).join(" "), fill: color },
        parent,
      );
    }
    return svgEl("circle", { class: cls, r: CIRCLE_R, fill: color }, parent);
  }

  // ---------------------------------------------------------------- network drawing
  function drawNetwork() {
    const nodes = nodesNow();
    const edges = edgesNow();
    const sel = selectionNow();
    const byId = new Map(nodes.map((n) => [String(n.id), n]));

    hint.style.display = nodes.length ? "none" : "";

    // edges: group by unordered pair so reciprocal and parallel edges get distinct curves
    const pairs = new Map();
    for (const e of edges) {
      const s = String(e.source);
      const t = String(e.target);
      const key = s < t ? `${s}\u0000${t}` : `${t}\u0000${s}`;
      if (!pairs.has(key)) pairs.set(key, []);
      pairs.get(key).push(e);
    }
    const loops = new Map();
    const seenEdges = new Set();
    for (const e of edges) {
      const s = byId.get(String(e.source));
      const t = byId.get(String(e.target));
      if (!s || !t) continue;
      let geom;
      if (s === t) {
        const i = loops.get(s.id) || 0;
        loops.set(s.id, i + 1);
        geom = loopGeometry(s, i, loopAngle(s));
      } else {
        const group = pairs.get(
          String(e.source) < String(e.target)
            ? `${e.source}\u0000${e.target}`
            : `${e.target}\u0000${e.source}`,
        );
        const same = group.filter((g) => String(g.source) === String(e.source));
        const reciprocal = group.length > same.length;
        const i = same.indexOf(e);
        let offset;
        if (reciprocal) offset = 32 + 26 * i;
        else offset = i === 0 ? 0 : (i % 2 ? 1 : -1) * 30 * Math.ceil(i / 2);
        geom = curveGeometry(s, t, offset);
      }
      drawEdge(e, geom, sel);
      seenEdges.add(String(e.id));
    }
    for (const [id, rec] of edgeEls) {
      if (!seenEdges.has(id)) {
        rec.g.remove();
        edgeEls.delete(id);
      }
    }

    const seenNodes = new Set();
    for (const n of nodes) {
      drawNode(n, sel);
      seenNodes.add(String(n.id));
    }
    for (const [id, rec] of nodeEls) {
      if (!seenNodes.has(id)) {
        rec.g.remove();
        nodeEls.delete(id);
      }
    }
  }

  function edgeClass(e) {
    const sign = Number(e.sign);
    return sign < 0 ? "inh" : sign > 0 ? "exc" : "dev";
  }

  // Elements are kept per id and updated in place, so an element under the pointer (or held
  // by a test locator) survives redraws; only changed content is rebuilt.
  const edgeEls = new Map(); // id -> {g, hit, path, title, text}
  const nodeEls = new Map(); // id -> {g, sig}

  function drawEdge(e, geom, sel) {
    const id = String(e.id);
    const cls = edgeClass(e);
    const selected = sel && sel.kind === "edge" && String(sel.id) === id;
    const style = EDGE_STYLE[cls];
    let rec = edgeEls.get(id);
    if (!rec) {
      const g = svgEl("g", { class: "edge-group" }, edgeLayer);
      const hit = svgEl("path", { class: "edge-hit", "data-hit-for": id }, g);
      const path = svgEl("path", { "data-edge-id": id }, g);
      const title = svgEl("title", {}, path);
      rec = { g, hit, path, title, text: null };
      edgeEls.set(id, rec);
    }
    rec.hit.setAttribute("d", geom.d);
    rec.path.setAttribute("d", geom.d);
    rec.path.setAttribute("class", `edge ${cls}${selected ? " selected" : ""}`);
    rec.path.setAttribute("data-source", e.source);
    rec.path.setAttribute("data-target", e.target);
    rec.path.setAttribute("marker-end", `url(#${uid}-${style.marker}${selected ? "-sel" : ""})`);
    const kindText = cls === "inh" ? "inhibitory" : cls === "exc" ? "excitatory" : "device link";
    rec.title.textContent = `${e.label || id}: ${e.source} \u2192 ${e.target} (${kindText})`;
    if (e.label) {
      if (!rec.text) rec.text = svgEl("text", { class: "edge-label" }, rec.g);
      rec.text.setAttribute("x", fmt(geom.lx));
      rec.text.setAttribute("y", fmt(geom.ly));
      rec.text.style.textAnchor = geom.anchor || "middle";
      rec.text.textContent = e.label;
    } else if (rec.text) {
      rec.text.remove();
      rec.text = null;
    }
  }

  function curveGeometry(s, t, offset) {
    const ps = position(s);
    const pt = position(t);
    const ks = kindOf(s.kind).shape;
    const kt = kindOf(t.kind).shape;
    const [dx, dy] = unit(pt.x - ps.x, pt.y - ps.y);
    const mx = (ps.x + pt.x) / 2;
    const my = (ps.y + pt.y) / 2;
    // left normal of the direction source -> target: reciprocal edges bend to opposite sides
    const cx = mx + dy * offset;
    const cy = my - dx * offset;
    const [usx, usy] = unit(cx - ps.x, cy - ps.y);
    const [utx, uty] = unit(cx - pt.x, cy - pt.y);
    const sx = ps.x + usx * boundary(ks, usx, usy);
    const sy = ps.y + usy * boundary(ks, usx, usy);
    const bt = boundary(kt, utx, uty) + ARROW_GAP;
    const ex = pt.x + utx * bt;
    const ey = pt.y + uty * bt;
    const d = offset === 0
      ? `M${fmt(sx)},${fmt(sy)} L${fmt(ex)},${fmt(ey)}`
      : `M${fmt(sx)},${fmt(sy)} Q${fmt(cx)},${fmt(cy)} ${fmt(ex)},${fmt(ey)}`;
    const lx = 0.25 * sx + 0.5 * cx + 0.25 * ex;
    const ly = 0.25 * sy + 0.5 * cy + 0.25 * ey - 6;
    // a curve's label grows away from its partner edge, so the two labels never overlap
    const anchor = offset === 0 || Math.abs(cx - mx) < 1 ? "middle" : cx < mx ? "end" : "start";
    return { d, lx: lx + (anchor === "end" ? -4 : anchor === "start" ? 4 : 0), ly, anchor };
  }

  // Self-loops point into the widest free angle around the node; the handle (right) and
  // the label (below) count as taken.
  function loopAngle(n) {
    const p = position(n);
    const angles = [0, Math.PI / 3, Math.PI / 2, (2 * Math.PI) / 3];
    for (const e of edgesNow()) {
      const s = String(e.source);
      const t = String(e.target);
      if (s === t || (s !== String(n.id) && t !== String(n.id))) continue;
      const other = nodesNow().find((m) => String(m.id) === (s === String(n.id) ? t : s));
      if (!other) continue;
      const q = position(other);
      angles.push(Math.atan2(q.y - p.y, q.x - p.x));
    }
    const norm = angles.map((a) => (a + 2 * Math.PI) % (2 * Math.PI)).sort((x, y) => x - y);
    let best = -Math.PI / 2;
    let gap = -1;
    for (let i = 0; i < norm.length; i++) {
      const a = norm[i];
      const b = i + 1 < norm.length ? norm[i + 1] : norm[0] + 2 * Math.PI;
      if (b - a > gap + 1e-6) {
        gap = b - a;
        best = (a + b) / 2;
      }
    }
    return best;
  }

  function loopGeometry(n, i, theta) {
    const p = position(n);
    const shape = kindOf(n.kind).shape;
    const scale = 1 + 0.4 * i;
    const spread = (28 * Math.PI) / 180;
    const dir = (a) => [Math.cos(a), Math.sin(a)];
    const u0 = dir(theta - spread);
    const u1 = dir(theta + spread);
    const b0 = boundary(shape, ...u0);
    const b1 = boundary(shape, ...u1) + ARROW_GAP;
    const reach = boundary(shape, ...dir(theta)) + 78 * scale;
    const k0 = dir(theta - 1.35 * spread);
    const k1 = dir(theta + 1.35 * spread);
    const sx = p.x + u0[0] * b0;
    const sy = p.y + u0[1] * b0;
    const ex = p.x + u1[0] * b1;
    const ey = p.y + u1[1] * b1;
    const c0x = p.x + k0[0] * reach;
    const c0y = p.y + k0[1] * reach;
    const c1x = p.x + k1[0] * reach;
    const c1y = p.y + k1[1] * reach;
    const d = `M${fmt(sx)},${fmt(sy)} C${fmt(c0x)},${fmt(c0y)} ${fmt(c1x)},${fmt(c1y)} ${fmt(ex)},${fmt(ey)}`;
    const mx = (sx + 3 * c0x + 3 * c1x + ex) / 8;
    const my = (sy + 3 * c0y + 3 * c1y + ey) / 8;
    const [ox, oy] = dir(theta);
    return { d, lx: mx + ox * 10, ly: my + oy * 10 + 4 };
  }

  function drawNode(n, sel) {
    const id = String(n.id);
    const spec = kindOf(n.kind);
    const p = position(n);
    const grouped = state.group.has(id);
    const selected = grouped || (sel && sel.kind === "node" && String(sel.id) === id);
    const color = n.color || spec.color;
    const label = n.label || id;
    const size = n.size ?? 1;
    const sig = JSON.stringify([n.kind, spec.shape, color, label, n.model, size]);
    let rec = nodeEls.get(id);
    if (!rec) {
      const g = svgEl("g", { "data-node-id": id }, nodeLayer);
      rec = { g, sig: null };
      nodeEls.set(id, rec);
    }
    const g = rec.g;
    g.setAttribute(
      "class",
      `node ${n.kind || ""}${selected ? " selected" : ""}${grouped ? " grouped" : ""}`,
    );
    g.setAttribute("transform", `translate(${fmt(p.x)},${fmt(p.y)})`);
    if (rec.sig === sig) return;
    rec.sig = sig;
    g.setAttribute("data-kind", n.kind);
    g.setAttribute("data-node-model", n.model);
    g.replaceChildren();
    const halo = drawShape(g, spec.shape, "none", "halo"); // ring shown while selected
    halo.setAttribute("transform", "scale(1.32)");
    const shape = drawShape(g, spec.shape, color, "shape");
    shape.setAttribute("stroke", "rgba(0,0,0,0.25)");
    const title = svgEl("title", {}, g);
    title.textContent = `${label} (${n.model}${n.kind === "neuron" ? ` \u00d7${size}` : ""})`;
    const bottom = shapeBottom(spec.shape);
    const t1 = svgEl("text", { class: "node-label", y: bottom + 16 }, g);
    t1.textContent = label;
    const sub = n.kind === "neuron" ? `${n.model} \u00d7${size}` : n.model;
    const t2 = svgEl("text", { class: "node-sub", y: bottom + 30 }, g);
    t2.textContent = sub;
    const hx = boundary(spec.shape, 1, 0) + HANDLE_GAP;
    svgEl(
      "circle",
      { class: "handle", cx: hx, cy: 0, r: HANDLE_R, "data-handle-for": id, stroke: color },
      g,
    );
  }

  function drawAll() {
    state.frame = 0;
    drawNetwork();
  }

  function scheduleDraw() {
    if (state.frame) return;
    state.frame = requestAnimationFrame(drawAll);
  }

  // Which node (if any) lies under a canvas point; the closest wins.
  function nodeAt(pt) {
    let best = null;
    let bestD = Infinity;
    for (const n of nodesNow()) {
      const p = position(n);
      const dx = pt.x - p.x;
      const dy = pt.y - p.y;
      const d = Math.hypot(dx, dy);
      const [ux, uy] = unit(dx, dy);
      const r = boundary(kindOf(n.kind).shape, ux, uy) + 6;
      if (d <= r && d < bestD) {
        best = n;
        bestD = d;
      }
    }
    return best;
  }

  // ---------------------------------------------------------------- messages
  function send(msg) {
    model.send_msg(msg);
  }

  function select(kind, id, keepGroup = false) {
    if (!keepGroup && state.group.size) setGroup([]);
    state.localSelection = { value: kind ? { kind, id: String(id) } : null };
    clearTimeout(state.selectTimer);
    state.selectTimer = setTimeout(() => {
      state.localSelection = null;
      scheduleDraw();
    }, SELECT_SETTLE_MS);
    drawAll();
    send(kind ? { action: "select", kind, id } : { action: "select" });
  }

  // ---------------------------------------------------------------- multi-select
  function setGroup(ids) {
    const known = new Set(nodesNow().map((n) => String(n.id)));
    state.group = new Set([...ids].map(String).filter((id) => known.has(id)));
    if (state.group.size < 2) state.group = new Set();
    const now = [...state.group];
    const before = plain(model.group) || [];
    if (now.length !== before.length || now.some((id, i) => id !== String(before[i]))) {
      model.group = now;
    }
    scheduleDraw();
  }

  // The nodes an action on ``id`` applies to: the whole group if ``id`` is in it.
  function membersOf(id) {
    return state.group.has(String(id)) ? [...state.group] : [String(id)];
  }

  function toggleInGroup(id) {
    const ids = new Set(state.group);
    const sel = selectionNow();
    if (!ids.size && sel && sel.kind === "node") ids.add(String(sel.id));
    if (ids.has(id)) {
      ids.delete(id);
      setGroup(ids);
      const rest = [...ids];
      if (rest.length) select("node", rest[rest.length - 1], true);
      else select(null);
    } else {
      ids.add(id);
      setGroup(ids);
      select("node", id, true);
    }
  }

  function bandRect(drag, ev) {
    const r = svg.getBoundingClientRect();
    const x0 = Math.min(drag.x0, ev.clientX) - r.left;
    const y0 = Math.min(drag.y0, ev.clientY) - r.top;
    return { x: x0, y: y0, w: Math.abs(ev.clientX - drag.x0), h: Math.abs(ev.clientY - drag.y0) };
  }

  // ---------------------------------------------------------------- context menu
  function closeMenu() {
    menu.hidden = true;
    menu.replaceChildren();
  }

  function menuItem(parent, text, action, onPick) {
    const b = htmlEl("button", "menu-item", parent, text);
    b.type = "button";
    b.dataset.action = action;
    b.setAttribute("role", "menuitem");
    b.addEventListener("click", () => {
      closeMenu();
      onPick();
    });
    return b;
  }

  function openMenu(ev) {
    const r = stage.getBoundingClientRect();
    const c = toCanvas(ev.clientX, ev.clientY);
    menu.replaceChildren();
    const node = ev.target.closest(".node");
    const edge = ev.target.closest("[data-edge-id], [data-hit-for]");
    if (node) {
      const id = node.getAttribute("data-node-id");
      if (!state.group.has(id)) {
        setGroup([]);
        select("node", id);
      }
      const ids = membersOf(id);
      const what = ids.length > 1 ? `${ids.length} nodes` : "node";
      menu.dataset.for = ids.join(" ");
      htmlEl("div", "menu-title", menu, ids.length > 1 ? `${ids.length} nodes` : nodeName(id));
      menuItem(menu, `Clone ${what}`, "clone", () =>
        send(ids.length > 1 ? { action: "duplicate_many", ids } : { action: "duplicate", kind: "node", id }),
      );
      htmlEl("div", "menu-label", menu, "Colour");
      const swatches = htmlEl("div", "menu-swatches", menu);
      for (const [name, color] of SWATCHES) {
        const b = htmlEl("button", "swatch", swatches);
        b.type = "button";
        b.style.background = color;
        b.title = name;
        b.dataset.color = color;
        b.setAttribute("aria-label", `Colour ${name}`);
        b.addEventListener("click", () => {
          closeMenu();
          send({ action: "color", ids, color });
        });
      }
      menuItem(menu, "Kind's colour", "uncolor", () => send({ action: "color", ids, color: "" }));
      menuItem(menu, `Delete ${what}`, "delete", () =>
        send(ids.length > 1 ? { action: "delete_many", ids } : { action: "delete", kind: "node", id }),
      );
    } else if (edge) {
      const id = edge.getAttribute("data-edge-id") ?? edge.getAttribute("data-hit-for");
      select("edge", id);
      menu.dataset.for = id;
      menuItem(menu, "Delete connection", "delete", () => send({ action: "delete", kind: "edge", id }));
    } else {
      menu.dataset.for = "";
      htmlEl("div", "menu-title", menu, "Add a node here");
      const find = htmlEl("input", "menu-search", menu);
      find.type = "search";
      find.placeholder = "Search models";
      find.setAttribute("aria-label", "Model to add here");
      const list = htmlEl("div", "menu-models", menu);
      const items = (plain(model.palette) || []).filter((i) => i && i.model);
      let family = null;
      for (const item of items) {
        const key = item.family || kindOf(item.kind).label;
        if (key !== family) {
          family = key;
          htmlEl("div", "menu-label", list, key);
        }
        const b = menuItem(list, item.label || item.model, "add", () =>
          send({ action: "add", model: item.model, x: fmt(c.x), y: fmt(c.y) }),
        );
        b.dataset.model = item.model;
        b.title = item.model;
      }
      find.addEventListener("input", () => {
        const words = find.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
        for (const b of list.querySelectorAll(".menu-item")) {
          const text = `${b.dataset.model} ${b.textContent}`.toLowerCase();
          b.hidden = !words.every((w) => text.includes(w));
        }
      });
      find.addEventListener("keydown", (e) => {
        if (e.key === "Enter") {
          const first = [...list.querySelectorAll(".menu-item")].find((b) => !b.hidden);
          if (first) first.click();
        }
      });
      setTimeout(() => find.focus({ preventScroll: true }), 0);
    }
    menu.style.maxHeight = `${Math.max(120, r.height - 8)}px`; // never taller than the canvas
    menu.hidden = false;
    // inside the stage, near the pointer
    const w = menu.offsetWidth;
    const h = menu.offsetHeight;
    const x = Math.max(4, Math.min(ev.clientX - r.left, r.width - w - 4));
    const y = Math.max(4, Math.min(ev.clientY - r.top, r.height - h - 4));
    menu.style.left = `${x}px`;
    menu.style.top = `${y}px`;
  }

  function nodeName(id) {
    const n = nodesNow().find((m) => String(m.id) === String(id));
    return n ? n.label || String(n.id) : String(id);
  }

  svg.addEventListener("contextmenu", (ev) => {
    ev.preventDefault();
    if (state.drag) return;
    openMenu(ev);
  });
  menu.addEventListener("pointerdown", (ev) => ev.stopPropagation());
  menu.addEventListener("contextmenu", (ev) => ev.preventDefault());
  menu.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") {
      closeMenu();
      focusRoot();
    }
    ev.stopPropagation();
  });
  window.addEventListener("pointerdown", (ev) => {
    // the canvas lives in a shadow root: outside it, ev.target is its host element
    if (!menu.hidden && !ev.composedPath().includes(menu)) closeMenu();
  }, true);

  function showMessage(text) {
    clearTimeout(state.toastTimer);
    if (!text) {
      toast.classList.remove("visible");
      return;
    }
    toast.textContent = text;
    toast.classList.add("visible");
    state.toastTimer = setTimeout(() => {
      toast.classList.remove("visible");
      // hand the message back so Python can show the same text again later
      if (model.message === text) model.message = "";
    }, TOAST_MS);
  }

  // ---------------------------------------------------------------- gestures
  function beginDrag(drag, ev) {
    state.drag = drag;
    window.addEventListener("pointermove", onMove);
    window.addEventListener("pointerup", onUp);
    window.addEventListener("pointercancel", onCancel);
    ev.preventDefault();
  }

  function endDrag() {
    window.removeEventListener("pointermove", onMove);
    window.removeEventListener("pointerup", onUp);
    window.removeEventListener("pointercancel", onCancel);
    const drag = state.drag;
    state.drag = null;
    root.classList.remove("panning", "connecting", "dropping");
    rubber.setAttribute("visibility", "hidden");
    band.setAttribute("visibility", "hidden");
    ghost.classList.remove("visible");
    return drag;
  }

  function focusRoot() {
    try {
      root.focus({ preventScroll: true });
    } catch (_err) {
      root.focus();
    }
  }

  palette.addEventListener("pointerdown", (ev) => {
    if (ev.button !== 0) return;
    const item = ev.target.closest(".palette-item");
    if (!item) return;
    focusRoot();
    const spec = kindOf(item.dataset.kind);
    ghost.replaceChildren(shapeIcon(spec), document.createTextNode(item.querySelector(".palette-label").textContent));
    beginDrag({ type: "palette", model: item.dataset.model, x0: ev.clientX, y0: ev.clientY }, ev);
  });

  svg.addEventListener("pointerdown", (ev) => {
    if (ev.button !== 0) return;
    focusRoot();
    const handle = ev.target.closest(".handle");
    if (handle) {
      const id = handle.getAttribute("data-handle-for");
      root.classList.add("connecting");
      beginDrag({ type: "connect", source: id }, ev);
      updateRubber(ev);
      return;
    }
    const node = ev.target.closest(".node");
    if (node) {
      const id = node.getAttribute("data-node-id");
      const n = nodesNow().find((m) => String(m.id) === id);
      if (!n) return;
      const p = position(n);
      const c = toCanvas(ev.clientX, ev.clientY);
      // a node of the group drags the whole group along
      const starts = new Map();
      for (const m of nodesNow()) {
        if (state.group.has(String(m.id)) && state.group.has(id)) starts.set(String(m.id), position(m));
      }
      beginDrag(
        {
          type: "node", id, x0: ev.clientX, y0: ev.clientY, dx: p.x - c.x, dy: p.y - c.y,
          c0: c, starts, shift: ev.shiftKey, moved: false,
        },
        ev,
      );
      return;
    }
    const edge = ev.target.closest("[data-edge-id], [data-hit-for]");
    if (edge) {
      const id = edge.getAttribute("data-edge-id") ?? edge.getAttribute("data-hit-for");
      beginDrag({ type: "edge", id, x0: ev.clientX, y0: ev.clientY }, ev);
      return;
    }
    if (ev.shiftKey) {  // Shift + drag on the background: select the nodes in a rectangle
      beginDrag({ type: "band", x0: ev.clientX, y0: ev.clientY, moved: false }, ev);
      return;
    }
    beginDrag(
      { type: "pan", x0: ev.clientX, y0: ev.clientY, tx: state.view.tx, ty: state.view.ty, moved: false },
      ev,
    );
  });

  function updateRubber(ev) {
    const drag = state.drag;
    const n = nodesNow().find((m) => String(m.id) === drag.source);
    if (!n) return;
    const p = position(n);
    const shape = kindOf(n.kind).shape;
    const hx = p.x + boundary(shape, 1, 0) + HANDLE_GAP;
    const c = toCanvas(ev.clientX, ev.clientY);
    const over = nodeAt(c);
    let d;
    if (over && String(over.id) === drag.source) {
      d = loopGeometry(n, 0, loopAngle(n)).d;
    } else if (over) {
      const q = position(over);
      const [ux, uy] = unit(hx - q.x, p.y - q.y);
      const b = boundary(kindOf(over.kind).shape, ux, uy) + ARROW_GAP;
      d = `M${fmt(hx)},${fmt(p.y)} L${fmt(q.x + ux * b)},${fmt(q.y + uy * b)}`;
    } else {
      d = `M${fmt(hx)},${fmt(p.y)} L${fmt(c.x)},${fmt(c.y)}`;
    }
    rubber.setAttribute("d", d);
    rubber.setAttribute("visibility", "visible");
    for (const g of nodeLayer.querySelectorAll(".node.drop-target")) g.classList.remove("drop-target");
    if (over) {
      const g = nodeLayer.querySelector(`[data-node-id="${CSS.escape(String(over.id))}"]`);
      if (g) g.classList.add("drop-target");
    }
  }

  function onMove(ev) {
    const drag = state.drag;
    if (!drag) return;
    if (drag.type === "palette") {
      const r = root.getBoundingClientRect();
      ghost.style.transform = `translate(${ev.clientX - r.left + 10}px, ${ev.clientY - r.top + 10}px)`;
      ghost.classList.add("visible");
      root.classList.toggle("dropping", insideStage(ev.clientX, ev.clientY));
    } else if (drag.type === "node") {
      if (!drag.moved && Math.hypot(ev.clientX - drag.x0, ev.clientY - drag.y0) < CLICK_SLOP) return;
      drag.moved = true;
      const c = toCanvas(ev.clientX, ev.clientY);
      if (drag.starts.size > 1) {
        const dx = c.x - drag.c0.x;
        const dy = c.y - drag.c0.y;
        for (const [mid, p0] of drag.starts) state.overrides.set(mid, { x: p0.x + dx, y: p0.y + dy });
      } else {
        state.overrides.set(drag.id, { x: c.x + drag.dx, y: c.y + drag.dy });
      }
      scheduleDraw();
    } else if (drag.type === "pan") {
      if (!drag.moved && Math.hypot(ev.clientX - drag.x0, ev.clientY - drag.y0) < CLICK_SLOP) return;
      drag.moved = true;
      root.classList.add("panning");
      state.view = { ...state.view, tx: drag.tx + ev.clientX - drag.x0, ty: drag.ty + ev.clientY - drag.y0 };
      applyView();
    } else if (drag.type === "connect") {
      updateRubber(ev);
    } else if (drag.type === "band") {
      if (!drag.moved && Math.hypot(ev.clientX - drag.x0, ev.clientY - drag.y0) < CLICK_SLOP) return;
      drag.moved = true;
      const b = bandRect(drag, ev);
      band.setAttribute("x", fmt(b.x));
      band.setAttribute("y", fmt(b.y));
      band.setAttribute("width", fmt(b.w));
      band.setAttribute("height", fmt(b.h));
      band.setAttribute("visibility", "visible");
    }
  }

  function settleMoves() {
    // moved nodes stay where they were dropped until Python's positions arrive
    clearTimeout(state.settleTimer);
    state.settleTimer = setTimeout(() => {
      state.overrides.clear();
      drawAll();
    }, MOVE_SETTLE_MS);
  }

  function onUp(ev) {
    const drag = endDrag();
    if (!drag) return;
    for (const g of nodeLayer.querySelectorAll(".node.drop-target")) g.classList.remove("drop-target");
    if (drag.type === "palette") {
      if (insideStage(ev.clientX, ev.clientY)) {
        const c = toCanvas(ev.clientX, ev.clientY);
        send({ action: "add", model: drag.model, x: fmt(c.x), y: fmt(c.y) });
      }
    } else if (drag.type === "node") {
      if (drag.moved && drag.starts.size > 1) {
        const moves = [...drag.starts.keys()].map((mid) => {
          const p = state.overrides.get(mid);
          return { id: mid, x: fmt(p.x), y: fmt(p.y) };
        });
        send({ action: "move_many", moves });
        settleMoves();
      } else if (drag.moved) {
        const p = state.overrides.get(drag.id);
        send({ action: "move", id: drag.id, x: fmt(p.x), y: fmt(p.y) });
        settleMoves();
      } else if (drag.shift) {
        toggleInGroup(drag.id);
      } else {
        select("node", drag.id);
      }
    } else if (drag.type === "band") {
      if (drag.moved) {
        const r = svg.getBoundingClientRect();
        const b = bandRect(drag, ev);
        const a = toCanvas(r.left + b.x, r.top + b.y);
        const z = toCanvas(r.left + b.x + b.w, r.top + b.y + b.h);
        const inside = nodesNow()
          .filter((n) => {
            const p = position(n);
            return p.x >= a.x && p.x <= z.x && p.y >= a.y && p.y <= z.y;
          })
          .map((n) => String(n.id));
        const ids = new Set([...state.group, ...inside]);
        const sel = selectionNow();
        if (ids.size && sel && sel.kind === "node") ids.add(String(sel.id));
        setGroup(ids);
        if (inside.length) select("node", inside[inside.length - 1], true);
      }
    } else if (drag.type === "edge") {
      select("edge", drag.id);
    } else if (drag.type === "pan") {
      if (!drag.moved) select(null);
    } else if (drag.type === "connect") {
      const over = nodeAt(toCanvas(ev.clientX, ev.clientY));
      if (over) send({ action: "connect", source: drag.source, target: String(over.id) });
    }
  }

  function onCancel() {
    const drag = endDrag();
    if (drag && drag.type === "node") {
      state.overrides.delete(drag.id);
      drawAll();
    }
  }

  svg.addEventListener(
    "wheel",
    (ev) => {
      // only Ctrl/Cmd + wheel (and a touchpad pinch, which reports ctrlKey) zooms: a plain
      // wheel scrolls the page as everywhere else
      if (!(ev.ctrlKey || ev.metaKey)) return;
      ev.preventDefault();
      const delta = ev.deltaMode === 1 ? ev.deltaY * 16 : ev.deltaY;
      zoomAt(Math.exp(-delta * 0.0015), ev.clientX, ev.clientY);
    },
    { passive: false },
  );

  function zoomCentre(factor) {
    const r = svg.getBoundingClientRect();
    zoomAt(factor, r.left + r.width / 2, r.top + r.height / 2);
  }
  zoomIn.addEventListener("click", () => zoomCentre(1.25));
  zoomOut.addEventListener("click", () => zoomCentre(0.8));
  fitButton.addEventListener("click", () => fit());
  for (const b of [zoomIn, zoomOut, fitButton]) {
    b.addEventListener("pointerdown", (ev) => ev.stopPropagation());
  }

  root.addEventListener("keydown", (ev) => {
    if (ev.target.closest && ev.target.closest("input, textarea")) return;  // typing a search
    const key = ev.key;
    const mod = ev.ctrlKey || ev.metaKey;
    if (mod && (key === "z" || key === "Z")) {
      ev.preventDefault();
      send({ action: ev.shiftKey ? "redo" : "undo" });
    } else if (mod && (key === "y" || key === "Y")) {
      ev.preventDefault();
      send({ action: "redo" });
    } else if (mod && (key === "d" || key === "D")) {
      const sel = selectionNow();
      if (state.group.size) {
        ev.preventDefault();
        send({ action: "duplicate_many", ids: [...state.group] });
      } else if (sel && sel.kind === "node") {
        ev.preventDefault();
        send({ action: "duplicate", kind: "node", id: sel.id });
      }
    } else if (mod && (key === "c" || key === "C")) {
      const sel = selectionNow();
      if (state.group.size) state.clipboard = [...state.group];
      else if (sel && sel.kind === "node") state.clipboard = [String(sel.id)];
    } else if (mod && (key === "v" || key === "V")) {
      const known = new Set(nodesNow().map((n) => String(n.id)));
      const ids = (state.clipboard || []).filter((id) => known.has(id));
      if (ids.length) {
        ev.preventDefault();
        send(ids.length > 1 ? { action: "duplicate_many", ids } : { action: "duplicate", kind: "node", id: ids[0] });
      }
    } else if (mod && (key === "a" || key === "A")) {
      ev.preventDefault();  // every node
      const ids = nodesNow().map((n) => String(n.id));
      setGroup(ids);
      if (ids.length) select("node", ids[ids.length - 1], true);
    } else if (key === "Delete" || key === "Backspace") {
      const sel = selectionNow();
      if (state.group.size) {
        ev.preventDefault();
        send({ action: "delete_many", ids: [...state.group] });
      } else if (sel) {
        ev.preventDefault();
        send({ action: "delete", kind: sel.kind, id: sel.id });
      }
    } else if (key === "Escape") {
      if (!menu.hidden) closeMenu();
      else if (state.drag) onCancel();
      else if (selectionNow() || state.group.size) select(null);
    }
  });

  // ---------------------------------------------------------------- Python -> browser
  model.on(["nodes", "edges"], () => {
    state.overrides.clear();
    clearTimeout(state.settleTimer);
    // the group as Python last set it (copies of a copied group), without deleted nodes
    const ids = (plain(model.group) || []).map(String);
    if (ids.length || state.group.size) setGroup(ids);
    scheduleDraw();
  });
  model.on("group", () => {
    const ids = (plain(model.group) || []).map(String);
    if (ids.length !== state.group.size || ids.some((id) => !state.group.has(id))) {
      state.group = new Set(ids);
      scheduleDraw();
    }
  });
  model.on("selection", () => {
    // an older answer may still be on its way after a newer click: keep the click until
    // Python agrees with it (or the settle timeout hands the decision back to Python)
    if (state.localSelection && sameSelection(state.localSelection.value, pythonSelection())) {
      state.localSelection = null;
      clearTimeout(state.selectTimer);
    }
    scheduleDraw();
  });
  model.on(["palette", "kinds"], () => {
    drawPalette();
    scheduleDraw();
  });
  model.on("message", () => showMessage(model.message));
  model.on("msg:custom", (msg) => {
    const m = plain(msg) || {};
    if (m.command === "fit") fit();
    else if (m.command === "reset_view") {
      state.view = { tx: 0, ty: 0, k: 1 };
      applyView();
    }
  });
  model.on("after_layout", maybeInitialFit);
  model.on("remove", () => {
    endDrag();
    clearTimeout(state.toastTimer);
    clearTimeout(state.settleTimer);
    clearTimeout(state.selectTimer);
    if (state.frame) cancelAnimationFrame(state.frame);
  });

  applyView();
  drawPalette();
  state.group = new Set((plain(model.group) || []).map(String));
  drawAll();
  if (model.message) showMessage(model.message);
  requestAnimationFrame(maybeInitialFit);
  void background;
  return root;
}
