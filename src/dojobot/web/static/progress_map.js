/* The progress page's fluency map (one cell per fact in its band's colour: fluent, not
   fluent yet, likely forgotten, not seen; a dot when due today; arrow keys move, Enter or a tap shows the fact's last
   answers) and the recent sets' chart (accuracy bars, median time line, a list for screen
   readers). Both come from GET /api/progress/map. */
"use strict";
var DojoMap = (function () {
  var state = {topic: null, t: null, body: null};
  /* One colour per band (engine/cards.band), as the chat's map: the fluent cells are the
     caption's count, and every colour is in the legend. */
  var BANDS = {fluent: "var(--fluent)", slow: "var(--slow)", missed: "var(--missed)",
               unseen: "var(--unseen)"};

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function when(ms) {
    return new Intl.DateTimeFormat(Dojo.fmt.lang, {dateStyle: "medium", timeStyle: "short"})
      .format(new Date(ms));
  }
  function cellLabel(fact, t) {
    var words = [fact.label, fact.recall === null ? t.unseen : Dojo.percent(fact.recall)];
    if (fact.due) words.push(t.due_today.replace(/^•\s*/, ""));
    return words.join(", ");
  }

  function drawGrid(body, t) {
    var map = document.getElementById("map");
    var cols = body.cols, rows = body.rows, oneRow = rows.length === 1;
    map.style.gridTemplateColumns = (oneRow ? "" : "minmax(14px, auto) ") +
      "repeat(" + cols.length + ", minmax(0, 1fr))";
    var cells = [];
    var parts = [];
    if (!oneRow) parts.push(el("span", "head"));
    cols.forEach(function (c) { parts.push(el("span", "head", Dojo.integer(c))); });
    var byPlace = {};
    body.facts.forEach(function (f) { byPlace[f.row + " " + f.col] = f; });
    rows.forEach(function (r) {
      if (!oneRow) parts.push(el("span", "head", Dojo.integer(r)));
      cols.forEach(function (c) {
        var fact = byPlace[r + " " + c];
        if (!fact) { parts.push(el("span")); return; }
        var b = el("button", "cell" + (fact.due ? " due" : ""));
        b.type = "button";
        b.dataset.key = fact.key;
        b.setAttribute("role", "gridcell");
        b.setAttribute("aria-label", cellLabel(fact, t));
        b.title = cellLabel(fact, t);
        b.tabIndex = cells.length ? -1 : 0;
        if (fact.band !== "unseen") b.style.background = BANDS[fact.band];
        if (body.facts.length <= 30) b.textContent = fact.label;
        b.addEventListener("click", function () { choose(b); });
        cells.push(b);
        parts.push(b);
      });
    });
    map.replaceChildren.apply(map, parts);
    map.onkeydown = function (e) {  /* one tab stop; arrows move inside the grid */
      var i = cells.indexOf(document.activeElement);
      if (i < 0) return;
      var step = {ArrowRight: 1, ArrowLeft: -1, ArrowDown: cols.length, ArrowUp: -cols.length}[e.key];
      if (!step) return;
      e.preventDefault();
      var next = cells[Math.max(0, Math.min(cells.length - 1, i + step))];
      cells[i].tabIndex = -1;
      next.tabIndex = 0;
      next.focus();
    };
  }
  function choose(button) {
    document.querySelectorAll("#map .cell[aria-selected]").forEach(function (c) {
      c.removeAttribute("aria-selected");
    });
    button.setAttribute("aria-selected", "true");
    Dojo.get("/api/progress/map?topic=" + state.topic + "&fact=" + encodeURIComponent(button.dataset.key))
      .then(function (body) { if (!body.error) showFact(body.detail, state.t); });
  }
  function showFact(detail, t) {
    var box = document.getElementById("fact");
    var parts = [el("h3", "", detail.label)];
    if (!detail.answers.length) parts.push(el("p", "", t.no_answers));
    else {
      parts.push(el("p", "", t.recent));
      var list = el("ol", "num");
      detail.answers.forEach(function (a) {
        var li = el("li", a.correct ? "right" : "wrong",
                    (a.correct ? "✓ " : "✗ ") + Dojo.seconds(a.ms, t) + " · " + when(a.at));
        list.appendChild(li);
      });
      parts.push(list);
    }
    parts.push(el("p", "num", t.next_due + ": " + (detail.next_due ? when(detail.next_due) : "—")));
    box.replaceChildren.apply(box, parts);
  }
  function legend(t) {
    var list = document.getElementById("legend");
    var items = [["var(--fluent)", t.fluent], ["var(--slow)", t.learning],
                 ["var(--missed)", t.forgotten], ["var(--unseen)", t.unseen]];
    var parts = items.map(function (item) {
      var li = el("li"), swatch = el("i");
      swatch.style.background = item[0];
      li.append(swatch, el("span", "", item[1]));
      return li;
    });
    parts.push(el("li", "", t.due_today));
    list.replaceChildren.apply(list, parts);
  }

  var NS = "http://www.w3.org/2000/svg";
  function svg(tag, attrs, text) {
    var e = document.createElementNS(NS, tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function drawChart(sets, t) {
    var box = document.getElementById("chart");
    document.getElementById("sets-title").textContent = t.sets;
    if (!sets.length) { box.replaceChildren(el("p", "", t.none)); return; }
    var W = 300, H = 150, L = 30, R = 30, T = 26, B = 10, w = W - L - R, h = H - T - B;
    var slot = w / sets.length;
    var top = Math.max.apply(null, sets.map(function (s) { return s.median || 0; })) || 1000;
    var chart = svg("svg", {viewBox: "0 0 " + W + " " + H, "aria-hidden": "true",
                            focusable: "false"});
    chart.appendChild(svg("line", {x1: L, y1: T + h, x2: L + w, y2: T + h, "class": "axis"}));
    chart.appendChild(svg("text", {x: 2, y: 10}, t.accuracy_axis));
    chart.appendChild(svg("text", {x: W - 2, y: 10, "text-anchor": "end"}, t.median_axis));
    chart.appendChild(svg("text", {x: L - 3, y: T + 8, "text-anchor": "end"}, Dojo.integer(100)));
    chart.appendChild(svg("text", {x: L + w + 3, y: T + 8},
                          Dojo.seconds(top, {seconds: "{seconds}"})));
    var points = [];
    sets.forEach(function (s, i) {
      var x = L + i * slot;
      if (s.accuracy !== null) {
        var bh = h * s.accuracy;
        chart.appendChild(svg("rect", {x: x + slot * 0.15, y: T + h - bh, width: slot * 0.7,
                                       height: bh, "class": "acc"}));
      }
      if (s.median !== null) points.push([x + slot / 2, T + h - h * s.median / top]);
    });
    if (points.length) {
      chart.appendChild(svg("polyline", {points: points.map(function (p) { return p.join(","); })
        .join(" "), "class": "med"}));
      points.forEach(function (p) {
        chart.appendChild(svg("circle", {cx: p[0], cy: p[1], r: 2.5, "class": "dot"}));
      });
    }
    var list = el("ol", "num");  /* the chart's text alternative, read instead of the drawing */
    sets.forEach(function (s, i) {
      list.appendChild(el("li", "", t.set_line.replace("{number}", Dojo.integer(i + 1))
        .replace("{accuracy}", s.accuracy === null ? "—" : Dojo.percent(s.accuracy))
        .replace("{median}", s.median === null ? "—" : Dojo.seconds(s.median, t))));
    });
    var details = el("details"), summary = el("summary", "", t.sets);
    details.append(summary, list);
    box.replaceChildren(chart, details);
  }

  function load(t, topic) {
    state.t = t;
    var path = "/api/progress/map" + (topic ? "?topic=" + topic : "");
    return Dojo.get(path).then(function (body) {
      if (body.error) return;
      state.topic = body.topic;
      document.getElementById("map-part").hidden = false;
      Dojo.text("map-title", t.fluency);
      Dojo.text("topic-label", t.topic);
      var select = document.getElementById("map-topic");
      select.replaceChildren.apply(select, body.topics.map(function (o) {
        var option = el("option", "", o.name);
        option.value = o.id;
        option.selected = o.id === body.topic;
        return option;
      }));
      select.onchange = function () { load(t, select.value); };
      Dojo.text("map-caption", t.fluent_of.replace("{fluent}", Dojo.integer(body.fluent))
        .replace("{total}", Dojo.integer(body.total)));
      drawGrid(body, t);
      legend(t);
      document.getElementById("fact").replaceChildren();
      drawChart(body.sets, t);
    });
  }
  return {load: load};
})();
