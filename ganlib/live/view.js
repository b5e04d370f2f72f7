// The live view of ganlib.live.view.LiveView: draws packed frames (ganlib/live/wire.py) on canvases.
// Frames arrive from the kernel whenever it sends one; painting happens in requestAnimationFrame, once per new
// frame (or layer switch, or resize), so a burst of frames never queues paints. No network, no imports.

const COLORS = {
  real: "#1b7837", fake: "#762a83", arrow: "#222", manifold: "rgba(118, 42, 131, 0.55)",
  lossD: "#1b7837", lossG: "#762a83", half: "#555", change: "rgba(0, 0, 0, 0.35)",
  pData: "#1b7837", pG: "#762a83", d: "#e08214", dOpt: "#000",
};
// D's probability of "real", 0 (purple: fake) .. 1/2 (white) .. 1 (green: real), as in GAN Lab
// pastel at the ends, so the samples' dark dots stay visible on either side
const HEAT = [[175, 141, 195], [214, 196, 224], [247, 247, 247], [190, 228, 185], [127, 191, 123]];
const FONT = "13px system-ui, sans-serif";
const TITLE_FONT = "bold 14px system-ui, sans-serif";

function arraysOf(meta, frame) {
  const bytes = frame instanceof DataView ? new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength)
    : frame instanceof ArrayBuffer ? new Uint8Array(frame) : new Uint8Array(frame.buffer || frame);
  const copy = bytes.slice().buffer;  // aligned: every array starts on a 4-byte boundary of the copy
  const out = {};
  for (const [name, e] of Object.entries(meta.arrays || {})) {
    const n = e.shape.reduce((a, b) => a * b, 1);
    out[name] = e.dtype === "u1" ? new Uint8Array(copy, e.offset, n) : new Float32Array(copy, e.offset, n);
    out[name].shape = e.shape;
  }
  return out;
}

function niceTicks(lo, hi, count) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count, mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  const ticks = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-6; t += step) ticks.push(+t.toPrecision(12));
  return ticks;
}

function fmt(v) {
  const a = Math.abs(v);
  return a >= 10000 ? (v / 1000).toFixed(0) + "k" : a >= 100 || v === Math.round(v) ? v.toFixed(0) : v.toPrecision(2);
}

// A plot box in canvas pixels with data ranges: maps data to pixels and draws its axes.
function box(ctx, x, y, w, h, xr, yr) {
  const px = (v) => x + ((v - xr[0]) / (xr[1] - xr[0])) * w;
  const py = (v) => y + h - ((v - yr[0]) / (yr[1] - yr[0])) * h;
  return { ctx, x, y, w, h, xr, yr, px, py };
}

function axes(b, title, xlabel) {
  const { ctx } = b;
  ctx.save();
  ctx.strokeStyle = "#888"; ctx.lineWidth = 1; ctx.strokeRect(b.x, b.y, b.w, b.h);
  ctx.fillStyle = "#333"; ctx.font = FONT;
  ctx.textAlign = "center"; ctx.textBaseline = "top";
  for (const t of niceTicks(b.xr[0], b.xr[1], Math.max(2, Math.floor(b.w / 80)))) {
    ctx.fillText(fmt(t), b.px(t), b.y + b.h + 4);
  }
  ctx.textAlign = "right"; ctx.textBaseline = "middle";
  for (const t of niceTicks(b.yr[0], b.yr[1], Math.max(2, Math.floor(b.h / 40)))) {
    ctx.fillText(fmt(t), b.x - 5, b.py(t));
  }
  ctx.font = TITLE_FONT; ctx.textAlign = "left"; ctx.textBaseline = "bottom";
  ctx.fillText(title, b.x, b.y - 6);
  if (xlabel) { ctx.font = FONT; ctx.textAlign = "right"; ctx.textBaseline = "top"; ctx.fillText(xlabel, b.x + b.w, b.y + b.h + 20); }
  ctx.restore();
}

function polyline(b, xs, ys, color, width = 2, dash = []) {
  const { ctx } = b;
  ctx.save(); ctx.beginPath(); ctx.rect(b.x, b.y, b.w, b.h); ctx.clip();
  ctx.strokeStyle = color; ctx.lineWidth = width; ctx.setLineDash(dash); ctx.beginPath();
  let started = false;
  for (let i = 0; i < xs.length; i++) {
    if (!Number.isFinite(ys[i])) { started = false; continue; }
    const X = b.px(xs[i]), Y = b.py(ys[i]);
    started ? ctx.lineTo(X, Y) : ctx.moveTo(X, Y);
    started = true;
  }
  ctx.stroke(); ctx.restore();
}

function legend(b, items) {  // [label, color, dashed] in one row above the box's right end
  const { ctx } = b;
  ctx.save(); ctx.font = FONT; ctx.textBaseline = "bottom"; ctx.textAlign = "left";
  let x = b.x + b.w;
  for (const [label, color, dashed] of items.slice().reverse()) {
    x -= ctx.measureText(label).width + 30;
    ctx.strokeStyle = color; ctx.lineWidth = 3; ctx.setLineDash(dashed ? [4, 3] : []);
    ctx.beginPath(); ctx.moveTo(x, b.y - 12); ctx.lineTo(x + 18, b.y - 12); ctx.stroke();
    ctx.fillStyle = "#333"; ctx.fillText(label, x + 22, b.y - 5);
  }
  ctx.restore();
}

function heatColor(p) {
  const t = Math.min(Math.max(p, 0), 1) * (HEAT.length - 1), i = Math.min(Math.floor(t), HEAT.length - 2), f = t - i;
  return HEAT[i].map((c, k) => c + (HEAT[i + 1][k] - c) * f);
}

function drawPlane(ctx, a, meta, shown, size) {
  const [lo, hi] = meta.limits, pad = 34, b = box(ctx, pad, 26, size - pad - 8, size - pad - 40, [lo, hi], [lo, hi]);
  if (shown.heatmap && a.heatmap) {
    const r = a.heatmap.shape[0], img = new ImageData(r, r);
    for (let i = 0; i < r; i++) for (let j = 0; j < r; j++) {  // row i is y = axis[i]: drawn bottom-up
      const [R, G, B] = heatColor(a.heatmap[i * r + j]), o = ((r - 1 - i) * r + j) * 4;
      img.data[o] = R; img.data[o + 1] = G; img.data[o + 2] = B; img.data[o + 3] = 255;
    }
    const off = new OffscreenCanvas(r, r);
    off.getContext("2d").putImageData(img, 0, 0);
    ctx.save(); ctx.imageSmoothingEnabled = true; ctx.globalAlpha = 0.85; ctx.drawImage(off, b.x, b.y, b.w, b.h); ctx.restore();
  }
  ctx.save(); ctx.beginPath(); ctx.rect(b.x, b.y, b.w, b.h); ctx.clip();
  if (shown.manifold && a.manifold) {
    const [rows, cols] = a.manifold.shape, m = a.manifold, at = (i, j, k) => m[(i * cols + j) * 2 + k];
    ctx.strokeStyle = COLORS.manifold; ctx.lineWidth = 1;
    ctx.beginPath();
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
      const X = b.px(at(i, j, 0)), Y = b.py(at(i, j, 1));
      j ? ctx.lineTo(X, Y) : ctx.moveTo(X, Y);
    }
    for (let j = 0; rows > 1 && j < cols; j++) for (let i = 0; i < rows; i++) {
      const X = b.px(at(i, j, 0)), Y = b.py(at(i, j, 1));
      i ? ctx.lineTo(X, Y) : ctx.moveTo(X, Y);
    }
    ctx.stroke();
  }
  for (const [name, color] of [["fake", COLORS.fake], ["real", COLORS.real]]) {  // the data on top
    if (!shown[name] || !a[name]) continue;
    const p = a[name];
    ctx.fillStyle = color; ctx.strokeStyle = "white"; ctx.lineWidth = 0.8;
    for (let i = 0; i < p.length; i += 2) {
      ctx.beginPath(); ctx.arc(b.px(p[i]), b.py(p[i + 1]), 3, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
    }
  }
  if (shown.arrows && a.arrows_at && a.push) {
    const at = a.arrows_at, push = a.push;
    let longest = 1e-12;
    for (let i = 0; i < push.length; i += 2) longest = Math.max(longest, Math.hypot(push[i], push[i + 1]));
    const scale = (0.08 * b.w) / longest;  // the longest arrow is 8% of the plot's width
    ctx.strokeStyle = COLORS.arrow; ctx.fillStyle = COLORS.arrow; ctx.lineWidth = 1.5;
    for (let i = 0; i < at.length; i += 2) {
      const x0 = b.px(at[i]), y0 = b.py(at[i + 1]), dx = push[i] * scale, dy = -push[i + 1] * scale;
      const len = Math.hypot(dx, dy);
      if (len < 1) continue;
      const x1 = x0 + dx, y1 = y0 + dy, ux = dx / len, uy = dy / len, head = Math.min(6, len / 2);
      ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(x1, y1); ctx.stroke();
      ctx.beginPath(); ctx.moveTo(x1, y1);
      ctx.lineTo(x1 - head * (ux - uy / 2), y1 - head * (uy + ux / 2));
      ctx.lineTo(x1 - head * (ux + uy / 2), y1 - head * (uy - ux / 2)); ctx.fill();
    }
  }
  ctx.restore();
  const at = meta.coverage_step === meta.step ? "" : ` (step ${meta.coverage_step})`;
  axes(b, `step ${meta.step}: modes covered ${meta.modes_covered}/${meta.n_modes}${at}`, "");
  legend({ ...b, y: b.y + b.h + 38 }, [["real", COLORS.real], ["generated", COLORS.fake]]);
}

function drawLine(ctx, a, meta, size) {
  const x = a.x, lo = x[0], hi = x[x.length - 1];
  let top = 1e-9;
  for (const name of ["p_data", "p_g"]) for (const v of a[name]) top = Math.max(top, v);
  const b = box(ctx, 44, 26, size - 52, size - 82, [lo, hi], [0, 1.05]);
  const scaled = (arr) => Array.from(arr, (v) => v / top);  // densities on the probability axis, peak at 1
  polyline(b, x, scaled(a.p_data), COLORS.pData, 2.5);
  polyline(b, x, scaled(a.p_g), COLORS.pG, 2.5);
  polyline(b, x, a.d, COLORS.d, 2.5);
  polyline(b, x, a.d_optimal, COLORS.dOpt, 1.5, [5, 4]);
  axes(b, `step ${meta.step}: JS(p_data, p_g) = ${meta.js.toFixed(3)} nats`, "x");
  legend({ ...b, y: b.y + b.h + 52 }, [["p_data", COLORS.pData], ["p_g", COLORS.pG], ["D(x)", COLORS.d], ["D*(x)", COLORS.dOpt, true]]);
}

function drawImages(ctx, a, meta, size) {
  const imgs = a.images, [n, h, w] = imgs.shape, per = Math.ceil(Math.sqrt(n)), rows = Math.ceil(n / per);
  const img = new ImageData(per * w, rows * h);
  for (let k = 0; k < n; k++) for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) {
    const v = imgs[(k * h + i) * w + j], o = (((Math.floor(k / per) * h + i) * per * w) + (k % per) * w + j) * 4;
    img.data[o] = img.data[o + 1] = img.data[o + 2] = v; img.data[o + 3] = 255;
  }
  const off = new OffscreenCanvas(per * w, rows * h);
  off.getContext("2d").putImageData(img, 0, 0);
  const side = size - 40;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(off, 20, 30, side, side);
  ctx.fillStyle = "#333"; ctx.font = TITLE_FONT; ctx.textBaseline = "bottom";
  ctx.fillText(`step ${meta.step}: G on ${n} fixed noise vectors`, 20, 24);
}

function drawCurves(ctx, a, meta, w, h, which) {
  const steps = a.curve_step, last = steps.length ? steps[steps.length - 1] : 1;
  const xr = [0, Math.max(1, last)], b0 = { x: 48, y: 26, w: w - 60, h: h - 64 };
  let yr = [0, 1], names = [["curve_d_real", "D(x)", COLORS.real], ["curve_d_fake", "D(G(z))", COLORS.fake]];
  if (which === "loss") {
    names = [["curve_loss_d", "loss D", COLORS.lossD], ["curve_loss_g", "loss G", COLORS.lossG]];
    let lo = Infinity, hi = -Infinity;
    for (const [n] of names) for (const v of a[n]) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    if (!(hi > lo)) { lo = (Number.isFinite(lo) ? lo : 0) - 1; hi = lo + 2; }
    const t = niceTicks(lo, hi, 4), s = t.length > 1 ? t[1] - t[0] : 1;
    yr = [Math.floor(lo / s) * s, Math.ceil(hi / s) * s];
  }
  const b = box(ctx, b0.x, b0.y, b0.w, b0.h, xr, yr);
  for (const c of meta.changes || []) polyline(b, [c.step, c.step], [yr[0], yr[1]], COLORS.change, 1, [2, 3]);
  if (which !== "loss") polyline(b, xr, [0.5, 0.5], COLORS.half, 1.5, [6, 4]);
  for (const [n, , color] of names) polyline(b, steps, a[n], color, 2);
  axes(b, which === "loss" ? "losses" : "D's mean output", "step");
  legend(b, which === "loss" ? names.map(([, l, c]) => [l, c]) : [...names.map(([, l, c]) => [l, c]), ["1/2", COLORS.half, true]]);
}

function render({ model, el }) {
  el.classList.add("ganlib-live-view");
  el.innerHTML = `<div class="glv-readout ganlib-readout"></div><div class="glv-warnings"></div>
    <div class="glv-row"><div class="glv-main"><canvas class="ganlib-canvas"></canvas><div class="glv-layers"></div></div>
    <div class="glv-side"><canvas class="glv-loss"></canvas><canvas class="glv-probs"></canvas></div></div>`;
  const [main, loss, probs] = ["canvas.ganlib-canvas", "canvas.glv-loss", "canvas.glv-probs"].map((s) => el.querySelector(s));
  const layersBox = el.querySelector(".glv-layers");
  let dirty = true, data = null, meta = null, drawn = 0, sizes = null, alive = true;
  el.dataset.framesDrawn = "0";

  const titles = model.get("titles");
  for (const name of Object.keys(titles)) {
    const label = document.createElement("label");
    label.className = `glv-layer ganlib-layer-${name}`;
    label.innerHTML = `<input type="checkbox" value="${name}"> ${titles[name]}`;
    label.firstChild.checked = model.get("layers").includes(name);
    label.firstChild.addEventListener("change", () => {
      model.set("layers", [...layersBox.querySelectorAll("input:checked")].map((i) => i.value));
      model.save_changes();
      dirty = true;
    });
    layersBox.appendChild(label);
  }

  function layout() {
    const width = el.clientWidth || 800, dpr = window.devicePixelRatio || 1;
    const wide = width >= 720, side = wide ? Math.min(560, Math.floor(width * 0.5)) : width;
    const cw = wide ? width - side - 12 : width, ch = wide ? Math.floor(side / 2) - 4 : 220;
    sizes = { side, cw, ch };
    for (const [c, w, h] of [[main, side, side], [loss, cw, ch], [probs, cw, ch]]) {
      c.width = Math.round(w * dpr); c.height = Math.round(h * dpr);
      c.style.width = `${w}px`; c.style.height = `${h}px`;
      c.getContext("2d").setTransform(dpr, 0, 0, dpr, 0, 0);
    }
    el.querySelector(".glv-row").style.flexDirection = wide ? "row" : "column";
    dirty = true;
  }

  function receive() {
    meta = model.get("meta");
    if (!meta || !meta.arrays) return;
    data = arraysOf(meta, model.get("frame"));
    dirty = true;
  }

  function paint() {
    if (!alive) return;
    if (dirty && data && sizes) {
      dirty = false;
      const shown = Object.fromEntries(model.get("layers").map((n) => [n, true]));
      for (const c of [main, loss, probs]) c.getContext("2d").clearRect(0, 0, c.width, c.height);
      const ctx = main.getContext("2d");
      if (meta.kind === "plane") drawPlane(ctx, data, meta, shown, sizes.side);
      else if (meta.kind === "line") drawLine(ctx, data, meta, sizes.side);
      else drawImages(ctx, data, meta, sizes.side);
      drawCurves(loss.getContext("2d"), data, meta, sizes.cw, sizes.ch, "loss");
      drawCurves(probs.getContext("2d"), data, meta, sizes.cw, sizes.ch, "probs");
      layersBox.style.display = meta.kind === "plane" ? "" : "none";
      el.querySelector(".glv-readout").textContent = model.get("readout");
      const warnings = model.get("warnings");
      el.querySelector(".glv-warnings").innerHTML = warnings.map((w) => `<div>\u26a0 ${w}</div>`).join("");
      el.dataset.framesDrawn = String(++drawn);  // for tests and bench/live_view.py: paints of new content
      el.dataset.step = String(meta.step);
      el.dataset.layers = meta.layers ? meta.layers.join(" ") : "";
    }
    requestAnimationFrame(paint);
  }

  const observer = new ResizeObserver(layout);
  observer.observe(el);
  model.on("change:frame", receive);
  model.on("change:layers", () => {
    for (const input of layersBox.querySelectorAll("input")) input.checked = model.get("layers").includes(input.value);
    dirty = true;
  });
  layout();
  receive();
  requestAnimationFrame(paint);
  return () => { alive = false; observer.disconnect(); };
}

export default { render };
