// The spatial activity view: the neurons of spatial nodes at their positions, coloured by
// recent activity, drawn on a 2D canvas (no WebGL needed, so it works in any browser and in
// headless tests). 3D layers turn with the mouse (drag) and reset on double-click.
// model.layers: [{id, label, dims, marker, points: [x, y, z, ...]}]; model.activity:
// {node id: [one value per neuron, 0..1]}; model.azimuth / model.elevation (degrees) are
// written back while dragging, so Python (and tests) can read the view's rotation.

const STOPS = [
  [0.0, [40, 40, 60]], [0.25, [59, 82, 139]], [0.5, [33, 145, 140]],
  [0.75, [94, 201, 98]], [1.0, [253, 231, 37]],
];  // dark grey to viridis' yellow

function colour(v) {
  v = Math.max(0, Math.min(1, v || 0));
  for (let i = 1; i < STOPS.length; i++) {
    const [b, cb] = STOPS[i];
    const [a, ca] = STOPS[i - 1];
    if (v <= b) {
      const f = (v - a) / (b - a);
      const c = ca.map((x, k) => Math.round(x + f * (cb[k] - x)));
      return `rgb(${c[0]},${c[1]},${c[2]})`;
    }
  }
  return "rgb(253,231,37)";
}

function mark(ctx, marker, x, y, r) {
  ctx.beginPath();
  if (marker === "square") ctx.rect(x - r, y - r, 2 * r, 2 * r);
  else if (marker === "triangle") {
    ctx.moveTo(x, y - r); ctx.lineTo(x + r, y + r); ctx.lineTo(x - r, y + r); ctx.closePath();
  } else if (marker === "diamond") {
    ctx.moveTo(x, y - r); ctx.lineTo(x + r, y); ctx.lineTo(x, y + r); ctx.lineTo(x - r, y);
    ctx.closePath();
  } else ctx.arc(x, y, r, 0, 2 * Math.PI);
  ctx.fill();
}

export function render({ model, el }) {
  const wrap = document.createElement("div");
  wrap.className = "spatial-view";
  wrap.style.position = "relative";
  const canvas = document.createElement("canvas");
  canvas.className = "spatial-canvas";
  canvas.style.width = "100%";
  canvas.style.height = "100%";
  canvas.style.cursor = "grab";
  const legend = document.createElement("div");
  legend.className = "spatial-legend";
  legend.style.cssText = "position:absolute;left:8px;top:6px;font:12px sans-serif;color:#ddd;";
  wrap.append(canvas, legend);
  el.append(wrap);
  const ctx = canvas.getContext("2d");
  let dragging = null;

  function three() { return model.layers.some((l) => l.dims === 3); }

  function draw() {
    const w = Math.max(50, el.clientWidth || 400), h = Math.max(50, model.height || 360);
    wrap.style.height = `${h}px`;
    if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
    ctx.fillStyle = "#141418";
    ctx.fillRect(0, 0, w, h);
    const az = (model.azimuth * Math.PI) / 180, el_ = (model.elevation * Math.PI) / 180;
    const ca = Math.cos(az), sa = Math.sin(az), ce = Math.cos(el_), se = Math.sin(el_);
    // project every point (3D: turned by azimuth about z, then by elevation about x)
    const turn = three();  // 2D layers turn with 3D ones (at z = 0) in a mixed view
    const projected = [];
    let lo = [Infinity, Infinity], hi = [-Infinity, -Infinity];
    for (const layer of model.layers) {
      const p = layer.points, d = layer.dims, out = [];
      for (let i = 0; i < p.length / d; i++) {
        let x = p[i * d], y = p[i * d + 1], z = d === 3 ? p[i * d + 2] : 0, depth = 0;
        if (turn) {
          const x1 = x * ca - y * sa, y1 = x * sa + y * ca;
          const y2 = y1 * ce - z * se;
          depth = y1 * se + z * ce;
          x = x1; y = -y2;
        }
        out.push([x, y, depth, i]);
        lo = [Math.min(lo[0], x), Math.min(lo[1], y)];
        hi = [Math.max(hi[0], x), Math.max(hi[1], y)];
      }
      projected.push(out);
    }
    const span = Math.max(hi[0] - lo[0], hi[1] - lo[1], 1e-9);
    const scale = (Math.min(w, h) - 40) / span;
    const cx = w / 2 - ((lo[0] + hi[0]) / 2) * scale, cy = h / 2 + ((lo[1] + hi[1]) / 2) * scale;
    let total = 0;
    model.layers.forEach((layer, k) => {
      const act = (model.activity || {})[layer.id] || [];
      const n = projected[k].length;
      const r = Math.max(1.5, Math.min(6, (0.35 * Math.min(w, h)) / Math.sqrt(n + 1)));
      const order = turn ? projected[k].slice().sort((a, b) => a[2] - b[2]) : projected[k];
      for (const [x, y, , i] of order) {
        ctx.fillStyle = colour(act[i]);
        mark(ctx, layer.marker, cx + x * scale, cy - y * scale, r);
        total += act[i] || 0;
      }
    });
    canvas.dataset.drawn = String(model.layers.reduce((a, l) => a + l.points.length / l.dims, 0));
    canvas.dataset.activity = total.toFixed(3);
    canvas.dataset.azimuth = String(Math.round(model.azimuth));
    legend.textContent = model.layers.map((l) => `${l.marker === "circle" ? "●" : l.marker === "square" ? "■" : l.marker === "triangle" ? "▲" : "◆"} ${l.label}`).join("   ")
      + (three() ? "   (drag to turn)" : "");
  }

  canvas.addEventListener("pointerdown", (e) => {
    if (!three()) return;
    dragging = { x: e.clientX, y: e.clientY, az: model.azimuth, el: model.elevation };
    canvas.setPointerCapture(e.pointerId);
    canvas.style.cursor = "grabbing";
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!dragging) return;
    model.azimuth = dragging.az + (e.clientX - dragging.x) * 0.5;
    model.elevation = Math.max(-90, Math.min(90, dragging.el + (e.clientY - dragging.y) * 0.5));
    draw();
  });
  const stop = () => { dragging = null; canvas.style.cursor = "grab"; };
  canvas.addEventListener("pointerup", stop);
  canvas.addEventListener("pointercancel", stop);
  canvas.addEventListener("dblclick", () => { model.azimuth = 30; model.elevation = 25; draw(); });
  model.on(["layers", "activity", "azimuth", "elevation", "height"], draw);
  new ResizeObserver(draw).observe(el);
  draw();
}
