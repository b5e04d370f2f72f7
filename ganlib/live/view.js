// The live view of ganlib.live.view.LiveView: draws packed frames (ganlib/live/wire.py) on canvases.
// Frames arrive from the kernel whenever it sends one; painting happens in requestAnimationFrame, once per new
// frame (or layer switch, or resize), so a burst of frames never queues paints. No network, no imports.
// The reader may also draw data on the 2D view (sent back in `drawn`) and point at a name to read what it means.

// the workbook's colours (ganlib/plots/style.py): real blue, generated orange, D green, D* dashed black
const COLORS = {
  real: "#1f77b4", fake: "#ff7f0e", arrow: "#222", manifold: "rgba(60, 60, 60, 0.45)", drawn: "#08306b",
  lossD: "#2ca02c", lossG: "#ff7f0e", half: "#555", change: "rgba(0, 0, 0, 0.35)", js: "#6a3d9a",
  pData: "#1f77b4", pG: "#ff7f0e", d: "#2ca02c", dOpt: "#000",
};
// D's probability of "real", 0 (red: fake) .. 1/2 (white) .. 1 (blue: real): matplotlib's RdBu at alpha 0.55 over
// white, as the still figures draw it
const HEAT = [[171, 115, 132], [218, 138, 143], [241, 187, 172], [253, 228, 215], [250, 250, 251],
  [220, 236, 244], [172, 209, 229], [137, 176, 212], [118, 141, 168]];
const FONT = "13px system-ui, sans-serif";
const TITLE_FONT = "bold 14px system-ui, sans-serif";
const DRAW_SPACING = 0.3;  // data units between points placed by a drag
const MAX_DRAWN = 200;  // as ganlib.live.drawing.MAX_POINTS

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
  if (!(hi > lo)) return { ticks: [lo], step: 1 };
  const raw = (hi - lo) / count, mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  const ticks = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-6; t += step) ticks.push(+t.toPrecision(12));
  return { ticks, step };
}

// a tick's label with as many decimals as the ticks' spacing needs: -0.5, 0, 0.5 (never "-0.50"), 2k for 2000
function tickLabel(v, step) {
  if (Math.abs(v) >= 10000) return (v / 1000).toFixed(0) + "k";
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
  const text = v.toFixed(decimals);
  return /^-0?\.?0*$/.test(text) ? text.slice(1) : text;  // no "-0"
}

// a plot box left of which the y labels fit: its left edge is placed after measuring them
function box(ctx, x, y, w, h, xr, yr) {
  const px = (v) => x + ((v - xr[0]) / (xr[1] - xr[0])) * w;
  const py = (v) => y + h - ((v - yr[0]) / (yr[1] - yr[0])) * h;
  return { ctx, x, y, w, h, xr, yr, px, py };
}

function yTicks(h, yr) { return niceTicks(yr[0], yr[1], Math.max(2, Math.floor(h / 40))); }

// a box in the rectangle (left, top, width, height), leaving room for its y labels, its x labels and title
function fittedBox(ctx, left, top, width, height, xr, yr, bottom = 36) {
  ctx.save(); ctx.font = FONT;
  const { ticks, step } = yTicks(height - top - bottom, yr);
  const labels = Math.max(...ticks.map((t) => ctx.measureText(tickLabel(t, step)).width));
  ctx.restore();
  const x = left + Math.ceil(labels) + 9;
  return box(ctx, x, top, width - (x - left) - 8, height - top - bottom, xr, yr);
}

function axes(b, title, xlabel) {
  const { ctx } = b;
  ctx.save();
  ctx.strokeStyle = "#888"; ctx.lineWidth = 1; ctx.strokeRect(b.x, b.y, b.w, b.h);
  ctx.fillStyle = "#333"; ctx.font = FONT;
  ctx.textAlign = "center"; ctx.textBaseline = "top";
  const xt = niceTicks(b.xr[0], b.xr[1], Math.max(2, Math.floor(b.w / 80)));
  for (const t of xt.ticks) ctx.fillText(tickLabel(t, xt.step), b.px(t), b.y + b.h + 4);
  ctx.textAlign = "right"; ctx.textBaseline = "middle";
  const yt = yTicks(b.h, b.yr);
  for (const t of yt.ticks) ctx.fillText(tickLabel(t, yt.step), b.x - 5, b.py(t));
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
  ctx.stroke();
  if (xs.length === 1 && Number.isFinite(ys[0])) {  // one measurement so far: a dot, not an invisible line
    ctx.fillStyle = color; ctx.beginPath(); ctx.arc(b.px(xs[0]), b.py(ys[0]), 3, 0, 2 * Math.PI); ctx.fill();
  }
  ctx.restore();
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

function message(ctx, text, size) {  // words instead of a picture, wrapped to the canvas
  ctx.save(); ctx.fillStyle = "#b2182b"; ctx.font = TITLE_FONT; ctx.textBaseline = "top";
  let line = "", y = 40;
  for (const word of text.split(" ")) {
    if (ctx.measureText(line + word).width > size - 40 && line) { ctx.fillText(line, 20, y); line = ""; y += 20; }
    line += word + " ";
  }
  ctx.fillText(line, 20, y); ctx.restore();
}

function drawPlane(ctx, a, meta, shown, size, drawn) {
  const [lo, hi] = meta.limits, b = fittedBox(ctx, 4, 26, size, size, [lo, hi], [lo, hi], 40);
  if (shown.heatmap && a.heatmap) {
    const r = a.heatmap.shape[0], img = new ImageData(r, r);
    for (let i = 0; i < r; i++) for (let j = 0; j < r; j++) {  // row i is y = axis[i]: drawn bottom-up
      const [R, G, B] = heatColor(a.heatmap[i * r + j]), o = ((r - 1 - i) * r + j) * 4;
      img.data[o] = R; img.data[o + 1] = G; img.data[o + 2] = B; img.data[o + 3] = 255;
    }
    const off = new OffscreenCanvas(r, r);
    off.getContext("2d").putImageData(img, 0, 0);
    ctx.save(); ctx.imageSmoothingEnabled = true; ctx.drawImage(off, b.x, b.y, b.w, b.h); ctx.restore();
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
  ctx.strokeStyle = COLORS.drawn; ctx.lineWidth = 2;  // the reader's points, before the kernel's samples arrive
  for (const [x, y] of drawn) {
    const X = b.px(x), Y = b.py(y);
    ctx.beginPath(); ctx.moveTo(X - 5, Y - 5); ctx.lineTo(X + 5, Y + 5); ctx.moveTo(X - 5, Y + 5); ctx.lineTo(X + 5, Y - 5); ctx.stroke();
  }
  ctx.restore();
  const at = meta.coverage_step === meta.step ? "" : ` (step ${meta.coverage_step})`;
  axes(b, `step ${meta.step}: modes covered ${meta.modes_covered}/${meta.n_modes}${at}`, "");
  legend({ ...b, y: b.y + b.h + 38 }, [["real", COLORS.real], ["generated", COLORS.fake]]);
  return b;
}

function drawLine(ctx, a, meta, size) {
  const x = a.x, lo = x[0], hi = x[x.length - 1];
  let top = 1e-9;
  for (const name of ["p_data", "p_g"]) for (const v of a[name]) top = Math.max(top, v);
  const b = fittedBox(ctx, 4, 26, size, size - 16, [lo, hi], [0, 1.05], 40);
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

const CURVES = {  // name: [arrays, title, legend]
  loss: [[["curve_loss_d", "loss D", COLORS.lossD], ["curve_loss_g", "loss G", COLORS.lossG]], "losses"],
  probs: [[["curve_d_real", "D(x)", COLORS.real], ["curve_d_fake", "D(G(z))", COLORS.fake]], "D's mean output"],
  js: [[["curve_js", "JS(p_data, p_g)", COLORS.js]], "divergence (nats)"],
};

function drawCurves(ctx, a, meta, w, h, which) {
  const [names, title] = CURVES[which], steps = which === "js" ? a.curve_js_step : a.curve_step;
  const lastStep = a.curve_step.length ? a.curve_step[a.curve_step.length - 1] : 1;
  const xr = [0, Math.max(1, lastStep)];
  let yr = [0, 1];
  if (which !== "probs") {
    let lo = Infinity, hi = -Infinity;
    for (const [n] of names) for (const v of a[n] || []) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    if (which === "js") { lo = 0; hi = Math.max(Number.isFinite(hi) ? hi : 0, 0.1); }
    if (!(hi > lo)) { lo = (Number.isFinite(lo) ? lo : 0) - 1; hi = lo + 2; }
    const { step } = niceTicks(lo, hi, 4);
    yr = [Math.floor(lo / step) * step, Math.ceil(hi / step) * step];
  }
  const b = fittedBox(ctx, 4, 26, w, h, xr, yr, 38);
  for (const c of meta.changes || []) polyline(b, [c.step, c.step], [yr[0], yr[1]], COLORS.change, 1, [2, 3]);
  const items = names.map(([, l, c]) => [l, c]);
  if (which === "probs") { polyline(b, xr, [0.5, 0.5], COLORS.half, 1.5, [6, 4]); items.push(["1/2", COLORS.half, true]); }
  if (which === "js" && yr[1] >= Math.LN2) { polyline(b, xr, [Math.LN2, Math.LN2], COLORS.half, 1.5, [6, 4]); items.push(["ln 2: apart", COLORS.half, true]); }
  for (const [n, , color] of names) if (a[n] && steps) polyline(b, steps, a[n], color, 2);
  axes(b, title, "step");
  legend(b, items);
}

function render({ model, el }) {
  el.classList.add("ganlib-live-view");
  el.innerHTML = `<div class="glv-readout ganlib-readout"></div><div class="glv-warnings ganlib-warnings"></div>
    <div class="glv-row"><div class="glv-main"><canvas class="ganlib-canvas"></canvas><div class="glv-layers"></div>
    <div class="glv-draw"><label class="ganlib-draw"><input type="checkbox"> draw your own data</label>
    <button class="ganlib-clear-drawing" type="button">clear drawing</button></div></div>
    <div class="glv-side"><canvas class="glv-loss"></canvas><canvas class="glv-probs"></canvas><canvas class="glv-js"></canvas>
    <div class="glv-terms"></div></div></div><div class="glv-explain ganlib-explain"></div>`;
  const [main, loss, probs, js] = ["canvas.ganlib-canvas", "canvas.glv-loss", "canvas.glv-probs", "canvas.glv-js"].map((s) => el.querySelector(s));
  const layersBox = el.querySelector(".glv-layers"), explain = el.querySelector(".glv-explain");
  const drawBox = el.querySelector(".glv-draw"), drawing = drawBox.querySelector("input");
  let dirty = true, data = null, meta = null, drawn = 0, sizes = null, alive = true, plane = null;
  let points = (model.get("drawn") || []).map((p) => p.slice()), stroke = null;
  el.dataset.framesDrawn = "0";

  const explanations = model.get("explanations");
  function term(name, text) {  // a name the reader can point at (or click, or tab to) to read what it means
    const span = document.createElement("span");
    span.className = `glv-term ganlib-term-${name}`; span.tabIndex = 0; span.textContent = text;
    span.title = explanations[name] || "";
    const say = () => { explain.textContent = explanations[name] || ""; el.dataset.explained = name; };
    for (const event of ["mouseenter", "focus", "click"]) span.addEventListener(event, say);
    return span;
  }
  const titles = model.get("titles");
  for (const name of Object.keys(titles)) {
    const label = document.createElement("span");
    label.className = `glv-layer ganlib-layer-${name}`;
    const input = document.createElement("input");
    input.type = "checkbox"; input.value = name; input.checked = model.get("layers").includes(name);
    input.addEventListener("change", () => {
      model.set("layers", [...layersBox.querySelectorAll("input:checked")].map((i) => i.value));
      model.save_changes();
      dirty = true;
    });
    label.append(input, " ", term(name, titles[name]));
    layersBox.appendChild(label);
  }
  const terms = el.querySelector(".glv-terms");
  terms.append("point at a name to read what it means: ", term("losses", "losses"), " \u00b7 ",
    term("outputs", "D's mean output"), " \u00b7 ", term("divergence", "divergence"));

  function layout() {
    const width = el.clientWidth || 800, dpr = window.devicePixelRatio || 1;
    const wide = width >= 720, side = wide ? Math.min(560, Math.floor(width * 0.5)) : width;
    const cw = wide ? width - side - 12 : width, ch = wide ? Math.floor((side - 40) / 3) - 6 : 200;
    sizes = { side, cw, ch };
    for (const [c, w, h] of [[main, side, side], [loss, cw, ch], [probs, cw, ch], [js, cw, ch]]) {
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
      for (const c of [main, loss, probs, js]) c.getContext("2d").clearRect(0, 0, c.width, c.height);
      const ctx = main.getContext("2d");
      plane = null;
      if (meta.kind === "plane") plane = drawPlane(ctx, data, meta, shown, sizes.side, points);
      else if (meta.kind === "line") drawLine(ctx, data, meta, sizes.side);
      else if (meta.kind === "images") drawImages(ctx, data, meta, sizes.side);
      else message(ctx, meta.problem || "nothing to draw", sizes.side);
      drawCurves(loss.getContext("2d"), data, meta, sizes.cw, sizes.ch, "loss");
      drawCurves(probs.getContext("2d"), data, meta, sizes.cw, sizes.ch, "probs");
      js.style.display = data.curve_js ? "" : "none";
      if (data.curve_js) drawCurves(js.getContext("2d"), data, meta, sizes.cw, sizes.ch, "js");
      layersBox.style.display = drawBox.style.display = meta.kind === "plane" ? "" : "none";
      main.style.cursor = drawing.checked && plane ? "crosshair" : "";
      el.querySelector(".glv-readout").textContent = model.get("readout");
      const warnings = [...(meta.problem ? [meta.problem] : []), ...model.get("warnings").filter((w) => w !== meta.problem)];
      el.querySelector(".glv-warnings").innerHTML = "";
      for (const w of warnings) { const div = document.createElement("div"); div.textContent = `\u26a0 ${w}`; el.querySelector(".glv-warnings").appendChild(div); }
      el.dataset.framesDrawn = String(++drawn);  // for tests and bench/live_view.py: paints of new content
      el.dataset.step = String(meta.step);
      el.dataset.kind = meta.kind;
      el.dataset.layers = meta.layers ? meta.layers.join(" ") : "";
      el.dataset.plotBox = plane ? [plane.x, plane.y, plane.w, plane.h].join(" ") : "";  // CSS pixels, for tests
      el.dataset.limits = meta.limits ? meta.limits.join(" ") : "";
    }
    requestAnimationFrame(paint);
  }

  // drawing your own data: a click places a point, a drag a stroke of points DRAW_SPACING apart
  function dataPoint(event) {
    if (!plane) return null;
    const r = main.getBoundingClientRect(), X = event.clientX - r.left, Y = event.clientY - r.top;
    if (X < plane.x || X > plane.x + plane.w || Y < plane.y || Y > plane.y + plane.h) return null;
    const [lo, hi] = plane.xr;
    return [lo + ((X - plane.x) / plane.w) * (hi - lo), lo + ((plane.y + plane.h - Y) / plane.h) * (hi - lo)];
  }
  function place(p) {
    if (!p || points.length >= MAX_DRAWN) return;
    const last = points[points.length - 1];
    if (stroke && last && Math.hypot(p[0] - last[0], p[1] - last[1]) < DRAW_SPACING) return;
    points.push(p); dirty = true;
  }
  function send() { model.set("drawn", points.map((p) => p.slice())); model.save_changes(); }
  main.addEventListener("mousedown", (e) => { if (drawing.checked) { stroke = null; place(dataPoint(e)); stroke = true; } });
  main.addEventListener("mousemove", (e) => { if (drawing.checked && stroke && e.buttons) place(dataPoint(e)); });
  const release = () => { if (stroke) { stroke = null; send(); } };
  window.addEventListener("mouseup", release);
  drawing.addEventListener("change", () => { dirty = true; });
  drawBox.querySelector("button").addEventListener("click", () => { points = []; send(); dirty = true; });

  const observer = new ResizeObserver(layout);
  observer.observe(el);
  model.on("change:frame", receive);
  for (const words of ["change:readout", "change:warnings"]) model.on(words, () => { dirty = true; });  // same picture, new words
  model.on("change:drawn", () => { points = (model.get("drawn") || []).map((p) => p.slice()); el.dataset.drawn = String(points.length); dirty = true; });
  model.on("change:layers", () => {
    for (const input of layersBox.querySelectorAll("input")) input.checked = model.get("layers").includes(input.value);
    dirty = true;
  });
  layout();
  receive();
  requestAnimationFrame(paint);
  return () => { alive = false; observer.disconnect(); window.removeEventListener("mouseup", release); };
}

export default { render };
