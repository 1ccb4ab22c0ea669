// Two panes, one above the other, with a divider the user drags to share the height
// between them. `ratio` (the first pane's share) syncs back to Python; `mode` shows both
// panes ("split") or one of them full-size ("first", "second").
export function render({ model, el }) {
  const root = document.createElement("div");
  root.className = "sd-split";
  const first = document.createElement("div");
  first.className = "sd-pane sd-first";
  const divider = document.createElement("div");
  divider.className = "sd-divider";
  divider.setAttribute("role", "separator");
  divider.setAttribute("aria-orientation", "horizontal");
  divider.setAttribute("aria-label", "Drag to share the height between editor and activity");
  divider.tabIndex = 0;
  const second = document.createElement("div");
  second.className = "sd-pane sd-second";
  first.append(model.get_child("first"));
  second.append(model.get_child("second"));
  root.append(first, divider, second);

  function apply() {
    const r = Math.min(0.85, Math.max(0.15, Number(model.ratio) || 0.5));
    const mode = model.mode;
    root.dataset.mode = mode;
    first.style.display = mode === "second" ? "none" : "";
    second.style.display = mode === "first" ? "none" : "";
    divider.style.display = mode === "split" ? "" : "none";
    first.style.flex = mode === "split" ? `${r} 1 0` : "1 1 0";
    second.style.flex = mode === "split" ? `${1 - r} 1 0` : "1 1 0";
    window.dispatchEvent(new Event("resize")); // plots and the canvas follow their pane
  }

  let drag = null;
  divider.addEventListener("pointerdown", (ev) => {
    ev.preventDefault();
    divider.setPointerCapture(ev.pointerId);
    const box = root.getBoundingClientRect();
    drag = { top: box.top, height: box.height };
    root.classList.add("dragging");
  });
  divider.addEventListener("pointermove", (ev) => {
    if (!drag) return;
    const r = (ev.clientY - drag.top) / drag.height;
    first.style.flex = `${Math.min(0.85, Math.max(0.15, r))} 1 0`;
    second.style.flex = `${1 - Math.min(0.85, Math.max(0.15, r))} 1 0`;
  });
  const end = (ev) => {
    if (!drag) return;
    const r = (ev.clientY - drag.top) / drag.height;
    drag = null;
    root.classList.remove("dragging");
    model.ratio = Math.min(0.85, Math.max(0.15, r));
    apply();
  };
  divider.addEventListener("pointerup", end);
  divider.addEventListener("pointercancel", end);
  divider.addEventListener("keydown", (ev) => {
    const step = ev.key === "ArrowUp" ? -0.05 : ev.key === "ArrowDown" ? 0.05 : 0;
    if (!step) return;
    ev.preventDefault();
    model.ratio = Math.min(0.85, Math.max(0.15, Number(model.ratio) + step));
  });
  model.on(["ratio", "mode"], apply);
  apply();
  return root;
}
