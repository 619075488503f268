/* The class dashboard: members, facts, weeks and the weekly focus of one class.
   Every word comes from the API in the admin's language (L); every figure is written by
   the server. Text goes in with textContent, never as HTML; the charts are the server's
   own SVG. */
"use strict";
(function () {
  var L = {}, state = {period: null, topic: null, tab: "members", sort: "reps", desc: true};
  var overview = null;
  var view = document.getElementById("view");
  var tg = Dojo.tg;

  function classId() {
    var text = new URLSearchParams(location.search).get("class") ||
      ((tg && tg.initDataUnsafe && tg.initDataUnsafe.start_param) || "").replace(/^dash-/, "");
    var m = /^([np])([1-9][0-9]{0,19})$/.exec(text || "");
    return m ? (m[1] === "n" ? "-" : "") + m[2] : "0";
  }
  var base = "/api/dashboard/" + classId();

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { node.textContent = attrs[k]; }
      else if (k === "on") { node.addEventListener("click", attrs[k]); }
      else { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { if (c) { node.appendChild(c); } });
    return node;
  }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }
  function show(nodes) { clear(view); nodes.forEach(function (n) { if (n) { view.appendChild(n); } }); }

  // 403: not an admin (🔒); 400 a broken link, 404 a group without a class now (⚠️).
  function refuse(r) {
    document.getElementById("tabs").hidden = true;
    document.getElementById("title").textContent = r.status === 403 ? "🔒" : "⚠️";
    // No page words came: the line's own script sets its direction (Persian: right to left).
    show([el("p", {"class": "refusal", id: "refusal", dir: "auto", text: r.error})]);
  }

  function query(extra) {
    var q = new URLSearchParams(extra || {});
    if (state.period) { q.set("period", state.period); }
    q.set("topic", state.topic === null ? "all" : String(state.topic));
    return "?" + q.toString();
  }

  function select(id, options, value, onchange) {
    var s = el("select", {id: id});
    options.forEach(function (o) {
      var opt = el("option", {value: String(o.value), text: o.label});
      if (String(o.value) === String(value)) { opt.selected = true; }
      s.appendChild(opt);
    });
    s.addEventListener("change", function () { onchange(s.value); });
    return s;
  }

  function filters(withPeriod) {
    var topics = [{value: "all", label: L.all_topics}].concat(overview.topics.map(function (t) {
      return {value: t.id, label: t.name};
    }));
    var row = el("div", {"class": "filters"});
    if (withPeriod) {
      row.appendChild(el("label", {}, [el("span", {text: L.period}), select("period",
        ["week", "month", "all"].map(function (p) { return {value: p, label: L[p]}; }),
        state.period, function (v) { state.period = v; load(false); })]));
    }
    row.appendChild(el("label", {}, [el("span", {text: L.topic}), select("topic", topics,
      state.topic === null ? "all" : state.topic,
      function (v) {
        state.topic = v === "all" ? null : Number(v);
        if (state.tab === "members") { load(false); } else { render(); }
      })]));
    return row;
  }

  function tabs() {
    var nav = document.getElementById("tabs");
    clear(nav);
    nav.hidden = false;
    ["members", "facts", "trends", "focus"].forEach(function (name) {
      nav.appendChild(el("button", {role: "tab", id: "tab-" + name, text: L[name],
        "aria-selected": String(state.tab === name),
        on: function () { state.tab = name; render(); }}));
    });
  }

  var COLUMNS = [["name", "name"], ["stage", "stage"], ["reps", "reps"],
    ["accuracy", "accuracy"], ["median", "median"], ["last", "last"], ["streak", "streak"],
    ["focus_sets", "focus_sets"]];

  function sorted(rows) {
    var key = state.sort, sign = state.desc ? -1 : 1;
    if (/^t:/.test(key)) {  // a topic of the grid: highest stage, then most reps, first
      var topic = key.slice(2), none = {stage: 0, reps: 0};
      return rows.slice().sort(function (a, b) {
        var x = a.topics[topic] || none, y = b.topics[topic] || none;
        return (y.stage - x.stage) || (y.reps - x.reps) || a.name.localeCompare(b.name);
      });
    }
    return rows.slice().sort(function (a, b) {
      var x = a[key], y = b[key];
      if (x === null || x === undefined) { return 1; }
      if (y === null || y === undefined) { return -1; }
      if (typeof x === "string") { return sign * x.localeCompare(y); }
      return sign * (x - y) || a.name.localeCompare(b.name);
    });
  }

  function membersView() {
    var rows = overview.members;
    if (!rows.length) { return [filters(true), el("p", {"class": "muted", text: L.no_members})]; }
    var idle = rows.filter(function (r) { return !r.week; });
    var idleBox = el("section", {"class": "card idle", id: "idle"}, [el("h2", {text: L.idle})]);
    if (idle.length) {
      var list = el("ul", {"class": "chips"});
      idle.forEach(function (r) {
        list.appendChild(el("li", {}, [el("button", {"class": "chip", text: r.name,
          on: function () { member(r.id); }})]));
      });
      idleBox.appendChild(list);
    } else {
      idleBox.appendChild(el("p", {text: L.none_idle}));
    }
    var columns = COLUMNS.filter(function (c) { return c[0] !== "focus_sets" || overview.focus; });
    var topicsGrid = topicGrid(rows);
    var head = el("tr", {}, columns.map(function (c) {
      var mark = state.sort === c[0] ? (state.desc ? " ▼" : " ▲") : "";
      return el("th", {scope: "col", "aria-sort": state.sort === c[0] ?
        (state.desc ? "descending" : "ascending") : "none"}, [el("button", {
          text: L[c[1]] + mark, "data-sort": c[0],
          on: function () {
            state.desc = state.sort === c[0] ? !state.desc : c[0] !== "name";
            state.sort = c[0];
            render();
          }})]);
    }));
    var body = el("tbody", {});
    sorted(rows).forEach(function (r) {
      var cells = [el("th", {scope: "row"}, [el("button", {"class": "link", text: r.name,
        on: function () { member(r.id); }})])];
      cells.push(el("td", {text: r.stage_text}));
      cells.push(el("td", {"class": "num", text: r.reps_text}));
      cells.push(el("td", {"class": "num", text: r.accuracy_text}));
      cells.push(el("td", {"class": "num", text: r.median_text}));
      cells.push(el("td", {text: r.last_text}));
      cells.push(el("td", {"class": "num", text: r.streak_text}));
      if (overview.focus) {
        cells.push(el("td", {"class": "num", text: (r.focus_met ? "✓ " : "") + r.focus_sets}));
      }
      body.appendChild(el("tr", {"data-id": String(r.id)}, cells));
    });
    var table = el("div", {"class": "scroll"}, [el("table", {id: "members"},
      [el("thead", {}, [head]), body])]);
    var exportBox = el("section", {"class": "card"}, [
      el("button", {id: "export", "class": "primary", text: L.export, on: sendExport}),
      el("p", {"class": "muted", text: L.export_hint}),
      el("p", {id: "export-status", role: "status"})]);
    var caption = el("h2", {text: (state.topic === null ? L.all_topics :
      overview.topics.filter(function (t) { return t.id === state.topic; })[0].name) +
      " · " + L[state.period]});
    return [filters(true), idleBox, topicsGrid, caption,
      el("p", {"class": "muted", text: L.sort_hint}), table, exportBox];
  }

  /* Members × topics: a row per member (the name column stays while the grid scrolls
     sideways), a column per topic the class has practised; each cell the stage now and
     the reps in the period, shaded by stage. A topic's head sorts by it; a cell opens
     the member on that topic with every figure. */
  function topicGrid(rows) {
    var topics = overview.grid_topics;
    var box = el("section", {"class": "card", id: "topic-grid"}, [el("h2", {text: L.grid})]);
    if (!topics.length) {
      box.appendChild(el("p", {"class": "muted", text: L.grid_empty}));
      return box;
    }
    var key = /^t:/.test(state.sort) ? state.sort.slice(2) : null;
    var head = el("tr", {}, [el("th", {scope: "col", text: L.name})].concat(topics.map(
      function (t) {
        return el("th", {scope: "col", title: t.name,
          "aria-sort": key === String(t.id) ? "descending" : "none"}, [el("button", {
            text: t.sign + (key === String(t.id) ? " ▼" : ""), "data-topic": String(t.id),
            "aria-label": t.name, on: function () { state.sort = "t:" + t.id; render(); }})]);
      })));
    var body = el("tbody", {});
    sorted(rows).forEach(function (r) {
      var cells = [el("th", {scope: "row", text: r.name})];
      topics.forEach(function (t) {
        var c = r.topics[String(t.id)];
        if (!c) { cells.push(el("td", {"class": "empty", text: "·"})); return; }
        cells.push(el("td", {}, [el("button", {"class": "st st-" + c.stage,
          "aria-label": r.name + ", " + t.name + ": " + c.stage_text + ", " + L.reps + " " +
            Dojo.integer(c.reps),
          on: function () { member(r.id, t.id); }}, [
            el("span", {"class": "st-name", text: c.stage_text}),
            el("span", {"class": "st-reps", text: Dojo.integer(c.reps)})])]));
      });
      body.appendChild(el("tr", {"data-id": String(r.id)}, cells));
    });
    box.appendChild(el("div", {"class": "scroll"}, [el("table", {"class": "topics",
      id: "topics"}, [el("thead", {}, [head]), body])]));
    box.appendChild(el("p", {"class": "muted", text: L.grid_hint}));
    box.appendChild(el("p", {"class": "muted key", text: topics.map(function (t) {
      return t.sign + " " + t.name; }).join(" · ")}));
    return box;
  }

  function sendExport() {
    var status = document.getElementById("export-status");
    status.textContent = L.loading;
    Dojo.post(base + "/export", {period: state.period, topic: state.topic}).then(function (r) {
      status.textContent = r.error || r.message;
    });
  }

  function grid(cells, paint) {
    var rows = [], cols = [];
    cells.forEach(function (c) {
      if (rows.indexOf(c.r) < 0) { rows.push(c.r); }
      if (cols.indexOf(c.c) < 0) { cols.push(c.c); }
    });
    rows.sort(function (a, b) { return a - b; });
    cols.sort(function (a, b) { return a - b; });
    var box = el("div", {"class": "grid", role: "list",
      style: "grid-template-columns: repeat(" + cols.length + ", minmax(2rem, 1fr))"});
    cells.forEach(function (c) {
      var cell = el("div", {role: "listitem", "class": "cell", title: c.q,
        style: "grid-row:" + (rows.indexOf(c.r) + 1) + ";grid-column:" + (cols.indexOf(c.c) + 1)},
        [el("span", {"class": "q", text: c.q})]);
      paint(cell, c);
      box.appendChild(cell);
    });
    return el("div", {"class": "scroll"}, [box]);
  }

  function factsView() {
    var box = el("div", {}, [filters(false), el("p", {"class": "muted", text: L.loading})]);
    Dojo.get(base + "/facts" + query()).then(function (r) {
      if (r.error) { return refuse(r); }
      clear(box);
      box.appendChild(filters(false));
      if (!r.topic) { box.appendChild(el("p", {"class": "muted", text: L.grid_topic_none})); return; }
      box.appendChild(el("h2", {text: r.topic_name + " · " + L.grid_caption}));
      if (!r.cells.some(function (c) { return c.share !== null; })) {
        box.appendChild(el("p", {"class": "muted", text: L.no_grid}));
      }
      box.appendChild(grid(r.cells, function (cell, c) {
        var share = c.share;
        cell.appendChild(el("span", {"class": "v", text: c.text}));
        cell.setAttribute("aria-label", c.q + ": " + c.text);
        if (c.colour) {  // the step of /board facts' legend; dark ink reads on all four
          cell.style.background = c.colour;
          cell.style.color = "#1f2328";
        }
      }));
      box.appendChild(el("ul", {"class": "legend"}, r.legend.map(function (entry) {
        var swatch = el("span", {"class": "swatch"});
        swatch.style.background = entry.colour;
        return el("li", {}, [swatch, el("span", {text: entry.text})]);
      })));
    });
    return [box];
  }

  function trendsView() {
    var box = el("div", {}, [filters(false), el("p", {"class": "muted", text: L.loading})]);
    Dojo.get(base + "/trends" + query()).then(function (r) {
      if (r.error) { return refuse(r); }
      clear(box);
      box.appendChild(filters(false));
      r.charts.forEach(function (chart) {
        var figure = el("figure", {"class": "card"}, [el("figcaption", {text: chart.title})]);
        figure.insertAdjacentHTML("beforeend", chart.svg);  // the server's SVG, escaped there
        box.appendChild(figure);
      });
      var head = el("tr", {}, ["week_of", "reps", "active", "accuracy", "median"].map(function (k) {
        return el("th", {scope: "col", text: L[k]});
      }));
      var body = el("tbody", {});
      r.rows.forEach(function (w) {
        body.appendChild(el("tr", {}, [el("th", {scope: "row", text: w.week}),
          el("td", {"class": "num", text: w.reps}), el("td", {"class": "num", text: w.active}),
          el("td", {"class": "num", text: w.accuracy}), el("td", {"class": "num", text: w.median})]));
      });
      box.appendChild(el("div", {"class": "scroll"}, [el("table", {id: "weeks"},
        [el("thead", {}, [head]), body])]));
    });
    return [box];
  }

  function focusView() {
    var f = overview.focus;
    var current = el("section", {"class": "card", id: "focus-now"}, f ? [
      el("h2", {text: "🎯 " + f.name + (f.each ? " · " + f.each : "")}),
      el("p", {text: f.summary})] : [el("p", {text: L.no_focus})]);
    var topics = overview.topics.map(function (t) { return {value: t.id, label: t.name}; });
    var topicSel = select("focus-topic", topics, f ? f.topic_id : topics[0].value, fillLevels);
    var levelSel = el("select", {id: "focus-level"});
    function fillLevels() {
      var topic = overview.topics.filter(function (t) { return String(t.id) === topicSel.value; })[0];
      clear(levelSel);
      overview.levels.forEach(function (lv) {
        if (topic.levels.indexOf(lv.id) >= 0) {
          var opt = el("option", {value: String(lv.id), text: lv.name});
          if (f && lv.id === f.level_id) { opt.selected = true; }
          levelSel.appendChild(opt);
        }
      });
    }
    fillLevels();
    var target = el("input", {id: "focus-target", type: "number", inputmode: "numeric",
      min: "1", max: String(overview.max_target)});
    if (f && f.target) { target.value = String(f.target); }
    var status = el("p", {id: "focus-status", role: "status"});
    function send(body) {
      status.textContent = L.loading;
      Dojo.post(base + "/focus", body).then(function (r) {
        if (r.error) { status.textContent = r.error; return; }
        overview.focus = r.focus;
        render();
        document.getElementById("focus-status").textContent = r.message;
      });
    }
    var form = el("section", {"class": "card form"}, [
      el("label", {}, [el("span", {text: L.topic}), topicSel]),
      el("label", {}, [el("span", {text: L.level}), levelSel]),
      el("label", {}, [el("span", {text: L.target}), target]),
      el("button", {id: "focus-set", "class": "primary", text: L.set_focus, on: function () {
        var t = target.value.trim();
        send({topic_id: Number(topicSel.value), level_id: Number(levelSel.value),
              target: t === "" ? null : Number(t)});
      }}),
      f ? el("button", {id: "focus-clear", text: L.clear_focus,
        on: function () { send({clear: true}); }}) : null,
      status]);
    return [current, form];
  }

  function member(id, topic) {
    state.member = id;
    show([el("p", {"class": "muted", text: L.loading})]);
    if (tg && tg.BackButton) { tg.BackButton.show(); }
    var q = topic ? "?" + new URLSearchParams({topic: String(topic), period: state.period}) : "";
    Dojo.get(base + "/member/" + id + q).then(function (r) {
      if (r.status === 403) { return refuse(r); }
      var back = el("button", {id: "back", "class": "link", text: L.back, on: leaveMember});
      if (r.error) { return show([back, el("p", {"class": "refusal", text: r.error})]); }
      var parts = [back, el("h2", {id: "member-name", text: r.name})];
      if (r.figures) { parts.push(figures(r.figures)); }
      var list = el("ul", {"class": "plain"});
      r.topics.forEach(function (t) {
        list.appendChild(el("li", {text: t.name + " · " + t.stage + " · " + t.reps + " · " + t.accuracy}));
      });
      parts.push(list);
      parts.push(el("h3", {text: L.fluency}));
      if (r.fluency) {
        parts.push(el("p", {text: r.fluency.topic_name + " · " + r.fluency.caption}));
        parts.push(grid(r.fluency.cells, function (cell, c) {
          cell.classList.add("s-" + c.s);
          if (c.due) { cell.classList.add("due"); }
          cell.setAttribute("aria-label", c.q + ": " + L[c.s] + (c.due ? " " + L.due : ""));
        }));
        parts.push(el("ul", {"class": "legend"}, ["fluent", "slow", "missed", "unseen"].map(function (s) {
          return el("li", {}, [el("span", {"class": "swatch s-" + s}), el("span", {text: L[s]})]);
        }).concat([el("li", {text: L.due})])));
      } else {
        parts.push(el("p", {"class": "muted", text: L.no_map}));
      }
      parts.push(el("h3", {text: L.recent_sets}));
      if (!r.sets.length) { parts.push(el("p", {"class": "muted", text: L.no_sets})); }
      var sets = el("ul", {"class": "plain sets", id: "sets"});
      r.sets.forEach(function (s) {
        sets.appendChild(el("li", {}, [el("strong", {text: s.what}),
          el("span", {text: s.day + " · " + s.reps + " · " + s.accuracy + " · " + s.median})]));
      });
      parts.push(sets);
      show(parts);
    });
  }

  // One member in one topic: every figure of the members table, for the period.
  function figures(f) {
    var list = el("dl", {"class": "figures", id: "figures"});
    [["stage", f.stage], ["reps", f.reps], ["accuracy", f.accuracy], ["median", f.median],
     ["last", f.last], ["streak", f.streak]].forEach(function (pair) {
      list.appendChild(el("div", {}, [el("dt", {text: L[pair[0]]}), el("dd", {text: pair[1]})]));
    });
    return el("section", {"class": "card"}, [el("h3", {text: f.title}), list]);
  }

  function leaveMember() {
    state.member = null;
    if (tg && tg.BackButton) { tg.BackButton.hide(); }
    render();
  }
  if (tg && tg.BackButton) { tg.BackButton.onClick(leaveMember); }

  function render() {
    tabs();
    var parts = {members: membersView, facts: factsView, trends: trendsView, focus: focusView};
    show(parts[state.tab]());
  }

  function load(initial) {
    // At first the class's own board settings (no query); then the page's choices.
    Dojo.get(initial ? base : base + query()).then(function (r) {
      if (r.error) { return refuse(r); }
      overview = r;
      L = r.labels;
      Dojo.setLocale(r.locale);
      state.period = r.period;
      state.topic = r.topic;
      document.title = r.title;
      document.getElementById("title").textContent = r.labels.title + " · " + r.title;
      document.getElementById("span").textContent = r.span;
      render();
    });
  }
  load(true);
})();
