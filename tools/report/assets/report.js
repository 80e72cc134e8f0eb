(function () {
  "use strict";
  // kida-mcp report: ARIA tabs synced with the URL hash, and hover readouts on the Go-drawn SVG charts.
  // Data is read from the JSON block and written with textContent and attributes only.
  var d = document;
  var tabs = [].slice.call(d.querySelectorAll('[role="tab"]'));
  var ids = tabs.map(function (t) { return t.getAttribute("aria-controls"); });

  function select(id, focus) {
    if (ids.indexOf(id) < 0) return false;
    tabs.forEach(function (t, i) {
      var on = ids[i] === id;
      t.setAttribute("aria-selected", on ? "true" : "false");
      t.tabIndex = on ? 0 : -1;
      var p = d.getElementById(ids[i]);
      if (p) p.classList.toggle("on", on);
      if (on && focus) t.focus();
    });
    return true;
  }
  function go(id, focus) {
    if (select(id, focus) && location.hash !== "#" + id) {
      try { history.replaceState(null, "", "#" + id); } catch (e) { location.hash = id; }
    }
  }
  tabs.forEach(function (t, i) {
    t.addEventListener("click", function (e) { e.preventDefault(); go(ids[i]); });
    t.addEventListener("keydown", function (e) {
      var j = i, n = tabs.length;
      if (e.key === "ArrowRight") j = (i + 1) % n;
      else if (e.key === "ArrowLeft") j = (i - 1 + n) % n;
      else if (e.key === "Home") j = 0;
      else if (e.key === "End") j = n - 1;
      else return;
      e.preventDefault();
      go(ids[j], true);
    });
  });
  function fromHash() {
    var h = location.hash.slice(1);
    try { h = decodeURIComponent(h); } catch (e) { return false; }
    return select(h);
  }
  window.addEventListener("hashchange", function () { if (fromHash()) window.scrollTo(0, 0); });
  if (fromHash()) {
    // the browser jumps to the panel on load; keep the header in view
    window.addEventListener("load", function () { setTimeout(function () { window.scrollTo(0, 0); }); });
  } else {
    select(ids[0]);
  }

  var data;
  try { data = JSON.parse(d.getElementById("kida-data").textContent); } catch (e) { return; }
  var L = data.box[0], T = data.box[1], W = data.box[2], H = data.box[3];
  var t0 = data.t0, span = Math.max(1, data.t1 - data.t0), NS = "http://www.w3.org/2000/svg";
  var zones = data.zones || [];
  // when formats a window offset like the axes: local time in the check's zone (offsets from Go's tz
  // database), then UTC
  // (in a Korean page the local date is in words, "11월 22일 15:10", like the tables)
  var ko = d.documentElement.lang === "ko";
  function day(iso) {
    return ko ? +iso.slice(5, 7) + "월 " + +iso.slice(8, 10) + "일 " + iso.slice(11, 16) : iso.slice(0, 10) + " " + iso.slice(11, 16);
  }
  function when(t) {
    var ms = (t0 + t) * 1000, u = new Date(ms).toISOString(), z = null;
    for (var i = 0; i < zones.length; i++) if (zones[i].from <= t) z = zones[i];
    if (!z || data.tz === "UTC") return day(u) + " UTC";
    var l = new Date(ms + z.off * 1000).toISOString();
    return day(l) + " " + z.abbr + " · " + u.slice(11, 16) + " UTC";
  }
  function sig(v) { return String(parseFloat(v.toPrecision(3))); }
  function num(v) {
    var a = Math.abs(v), s = [1e12, "T", 1e9, "G", 1e6, "M", 1e3, "k"];
    if (a === 0) return "0";
    if (a >= 1e5) { for (var i = 0; i < s.length; i += 2) if (a >= s[i] * 0.9995) return sig(v / s[i]) + s[i + 1]; }
    if (a >= 999.5) return Math.round(v).toLocaleString("en-US");
    return sig(v);
  }

  var charts = {}, byPanel = {};
  data.charts.forEach(function (c) {
    var svg = d.getElementById(c.id);
    if (!svg) return;
    var fig = svg.closest("figure"), panel = svg.closest('[role="tabpanel"]');
    c.svg = svg;
    c.xh = svg.querySelector(".xh");
    c.rt = fig.querySelector(".rt");
    c.rows = [].slice.call(fig.querySelectorAll(".stats tbody tr"));
    c.off = [];
    var g = d.createElementNS(NS, "g");
    g.setAttribute("class", "dots");
    svg.appendChild(g);
    c.dots = c.s.map(function (s, i) {
      var acc = 0;
      for (var k = 0; k < s.t.length; k++) { acc += s.t[k]; s.t[k] = acc; }
      var dot = d.createElementNS(NS, "circle"), b = fig.querySelector('button.lg[data-s="' + i + '"]');
      dot.setAttribute("r", "3.2");
      dot.setAttribute("visibility", "hidden");
      dot.setAttribute("class", b ? b.getAttribute("class").replace("lg", "").trim() : "");
      g.appendChild(dot);
      return dot;
    });
    var key = panel ? panel.id : "";
    (byPanel[key] = byPanel[key] || []).push(c);
    c.peers = byPanel[key];
    charts[c.id] = c;
    svg.addEventListener("pointermove", function (e) { move(c, e); });
    svg.addEventListener("pointerleave", function () { clear(c.peers); });
  });

  // near returns the index of the drawn point nearest to t, or -1 when t falls in a gap.
  function near(s, t, gap) {
    var lo = 0, hi = s.t.length;
    while (lo < hi) { var m = (lo + hi) >> 1; if (s.t[m] <= t) lo = m + 1; else hi = m; }
    var a = lo - 1, b = lo;
    if (a >= 0 && b < s.t.length && (s.v[a] === null || s.v[b] === null)) return -1;
    var k = -1;
    if (a >= 0 && s.v[a] !== null) k = a;
    if (b < s.t.length && s.v[b] !== null && (k < 0 || s.t[b] - t < t - s.t[a])) k = b;
    if (k < 0 || Math.abs(s.t[k] - t) > gap) return -1;
    return k;
  }
  function y(c, v) {
    var f = (v - c.lo) / ((c.hi - c.lo) || 1);
    return T + (1 - Math.max(0, Math.min(1, f))) * H;
  }
  function show(c, t) {
    c.xh.setAttribute("transform", "translate(" + (L + t / span * W).toFixed(1) + " 0)");
    c.xh.setAttribute("visibility", "visible");
    if (c.rt) c.rt.textContent = when(t);
    c.s.forEach(function (s, i) {
      var k = near(s, t, c.gap), row = c.rows[i], cell = row && row.querySelector(".ro"), dot = c.dots[i];
      if (k < 0 || c.off[i]) {
        if (cell) cell.textContent = c.off[i] ? "" : "–";
        dot.setAttribute("visibility", "hidden");
        return;
      }
      if (cell) cell.textContent = num(s.v[k]) + c.suf;
      dot.setAttribute("cx", (L + s.t[k] / span * W).toFixed(1));
      dot.setAttribute("cy", y(c, s.v[k]).toFixed(1));
      dot.setAttribute("visibility", "visible");
    });
  }
  function clear(list) {
    list.forEach(function (c) {
      c.xh.setAttribute("visibility", "hidden");
      if (c.rt) c.rt.textContent = "";
      c.dots.forEach(function (x) { x.setAttribute("visibility", "hidden"); });
      c.rows.forEach(function (r) { var x = r.querySelector(".ro"); if (x) x.textContent = ""; });
    });
  }
  function move(c, e) {
    var r = c.svg.getBoundingClientRect();
    if (!r.width) return;
    var vx = (e.clientX - r.left) * 560 / r.width;
    if (vx < L || vx > L + W) { clear(c.peers); return; }
    var t = (vx - L) / W * span;
    c.peers.forEach(function (p) { show(p, t); });
  }

  // series toggles: the legend entries in each chart's table
  d.addEventListener("click", function (e) {
    var b = e.target.closest ? e.target.closest("button.lg") : null;
    if (!b) return;
    var fig = b.closest("figure"), svg = fig && fig.querySelector("svg.plot"), i = b.getAttribute("data-s");
    if (!svg) return;
    var hide = b.getAttribute("aria-pressed") !== "false";
    b.setAttribute("aria-pressed", hide ? "false" : "true");
    var p = svg.querySelector('.ln path[data-s="' + i + '"]');
    if (p) p.classList.toggle("off", hide);
    var row = b.closest("tr");
    if (row) row.classList.toggle("off", hide);
    var c = charts[svg.id];
    if (c) { c.off[+i] = hide; if (hide) c.dots[+i].setAttribute("visibility", "hidden"); }
  });
})();
