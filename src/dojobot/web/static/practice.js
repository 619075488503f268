/* The practice page: one problem at a time, the answer timed on the device from the frame
   that first paints the problem (requestAnimationFrame) to the submit. */
"use strict";
(function () {
  var $ = function (id) { return document.getElementById(id); };
  var parts = location.pathname.split("/").filter(Boolean);  // practice, field, subject, topic
  var query = new URLSearchParams(location.search);
  var where = {field: parts[1], subject: parts[2], topic: parts[3]};
  var difficulty = parseInt(query.get("difficulty") || "", 10) || null;
  var T = {}, current = null, done = [], typed = "", shownAt = 0, pending = null;
  var submittedAt = 0;
  Dojo.lags = [];

  function showStage(stage) {
    Dojo.text("stage-name", stage.name);
    var needed = stage.needed;
    $("stage-fill").style.width = needed ? Math.min(100, stage.reps * 100 / needed) + "%" : "100%";
    Dojo.text("stage-reps", needed ? Dojo.integer(stage.reps) + "/" + Dojo.integer(needed)
      : Dojo.integer(stage.reps));
  }
  function showStats() {
    var right = done.filter(function (d) { return d[0]; }).length;
    Dojo.text("s-answers", Dojo.integer(done.length));
    // A dash, not "no answers yet": the box keeps its size in every language.
    Dojo.text("s-accuracy", done.length ? Dojo.percent(right / done.length) : "—");
    var m = Dojo.median(done.map(function (d) { return d[1]; }));
    Dojo.text("s-median", m === null ? "—" : Dojo.seconds(m, T));
  }
  function showEntry() {
    $("entry").textContent = Dojo.written(typed) || "\u00a0";
    $("entry").classList.toggle("empty", !typed);
  }
  function showProblem(p) {
    current = p;
    typed = "";
    showEntry();
    Dojo.text("position", T.problem.replace("{number}", Dojo.integer(p.n))
      .replace("{total}", Dojo.integer(p.of)));
    Dojo.text("question", p.question);
    $("k-frac").hidden = !p.fraction;
    $("play").hidden = false;
    $("end").hidden = true;
    // The clock starts in the frame that paints the problem, not when the answer arrived.
    requestAnimationFrame(function () {
      shownAt = performance.now();
      // For benchmarks/webapp.py: when the page became usable, and submit-to-paint lags.
      if (!Dojo.readyAt) Dojo.readyAt = shownAt;
      if (submittedAt) Dojo.lags.push(shownAt - submittedAt);
      submittedAt = 0;
    });
  }
  function showEnd(body) {
    current = null;
    $("play").hidden = true;
    $("end").hidden = false;
    $("summary").innerHTML = (body.summary || "").replace(/\n/g, "<br>");
    $("celebration").hidden = !body.celebration;
    $("celebration").innerHTML = body.celebration || "";
    $("verdict").hidden = !body.test_out_result;
    $("verdict").innerHTML = (body.test_out_result || "").replace(/\n/g, "<br>");
    $("again").focus();
  }
  function labels() {
    Dojo.text("l-answers", T.answers);
    Dojo.text("l-accuracy", T.accuracy);
    Dojo.text("l-median", T.median);
    Dojo.text("again", T.again);
    Dojo.text("to-progress", T.progress);
    Dojo.text("retry", T.retry);
    $("entry").setAttribute("aria-label", T.answer);
    $("k-back").setAttribute("aria-label", T.erase);
    $("k-enter").setAttribute("aria-label", T.enter);
    $("k-dec").textContent = Dojo.fmt.decimal || ".";
    // Digit keys in the language's digits (Persian ۰–۹); what they type stays 0-9.
    document.querySelectorAll("#keypad [data-key]").forEach(function (key) {
      if (/^[0-9]$/.test(key.dataset.key)) key.textContent = Dojo.written(key.dataset.key);
    });
    $("to-progress").href = "/progress" + location.hash;
  }
  function note(message) {
    $("problem-note").hidden = !message;
    $("problem-note").textContent = message || "";
  }
  function render(state) {
    if (state.t) { T = state.t; Dojo.setLocale(state.locale); labels(); }
    if (state.title) Dojo.text("title", state.title);
    if (state.stage) showStage(state.stage);
    if (state.done) done = state.done;
    showStats();
    $("app").setAttribute("aria-busy", "false");
    if (state.set) showProblem(state.set);
    else if (!$("end").hidden) return;
    else showEnd(state);
  }
  function start(fresh) {
    note("");
    var body = {field: where.field, subject: where.subject, topic: where.topic,
                difficulty: difficulty, resume: !fresh,
                test_out: query.get("test_out") === "1" && fresh !== "again"};
    Dojo.post("/api/practice/start", body).then(function (state) {
      if (state.error) { note(state.error); return; }
      done = [];
      render(state);
    }, offline);
  }
  function offline() {
    note(T.offline || "Offline");
    $("retry").hidden = false;
  }
  function submit() {
    if (!current || pending || !typed) return;
    submittedAt = performance.now();
    var deviceMs = Math.round(submittedAt - shownAt);
    pending = {set: current.id, n: current.n, answer: typed, device_ms: deviceMs};
    send();
  }
  function send(again) {
    $("retry").hidden = true;
    Dojo.post("/api/practice/answer", pending).then(function (body) {
      // Too many requests at once: the line says so, and the answer goes again once
      // when the server says (keyed by the problem, it counts once however often sent).
      if (body.status === 429 && !again) {
        note(body.error);
        setTimeout(function () { send(true); }, body.retryAfter * 1000);
        return;
      }
      if (body.status === 429) { note(body.error); $("retry").hidden = false; return; }
      judged(body);
    }, function () {
      offline();  // the same answer is sent again on retry: it is keyed by the problem
    });
  }
  function judged(body) {
    var asked = pending;
    pending = null;
    note("");
    if (body.status === 422) { Dojo.text("feedback", body.error); return; }
    if (body.error) { note(body.error); return; }
    if (body.feedback) {
      var f = body.feedback;
      var took = Dojo.seconds(f.ms, T);
      $("feedback").className = "feedback " + (f.correct ? "right" : "wrong");
      Dojo.text("feedback", f.correct ? "✓ " + took
        // One left-to-right island for the equation: in Persian "7 + 5 = 12" stays in order.
        : "✗ \u2066" + f.question + " = " + f.answer + "\u2069 · " + took);
      done.push([f.correct ? 1 : 0, f.ms]);
      showStats();
      if (body.stage) showStage(body.stage);
      if (body.set) showProblem(body.set); else showEnd(body);
      return;
    }
    if (body.already || body.stale) {
      // The set ended elsewhere (the chat, another tab) or with this answer sent twice.
      if (body.stale && !body.set) { showEnd(body.summary ? body : {summary: T.counted}); return; }
      if (asked && body.set && body.set.n === asked.n) return;
      render(body);
    }
  }
  function press(key) {
    if (!current) return;
    if (key === "enter") { submit(); return; }
    if (key === "back") typed = typed.slice(0, -1);
    else if (typed.length >= 16) return;
    else if (key === "-") typed = typed ? typed : "-";
    else if (key === "dec") { if (!/[.,٫]/.test(typed)) typed += Dojo.fmt.decimal || "."; }
    else if (key === "/") { if (current.fraction && typed.indexOf("/") < 0) typed += "/"; }
    else typed += key;
    showEntry();
  }
  $("keypad").addEventListener("click", function (e) {
    var key = e.target.closest("button");
    if (key) press(key.dataset.key);
  });
  // A tapped or clicked key does not take the focus, so Enter typed after it submits
  // instead of pressing that key again; a key reached by Tab has it, and Enter presses it.
  $("keypad").addEventListener("mousedown", function (e) { e.preventDefault(); });
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var k = e.key, map = {Enter: "enter", Backspace: "back", "-": "-", "−": "-", ".": "dec",
                          ",": "dec", "/": "/"};
    // Enter on a focused button or link is theirs: its click, its navigation.
    if (k === "Enter" && document.activeElement.closest("button, a")) return;
    if (/^[0-9]$/.test(k)) press(k);
    else if (map[k]) press(map[k]);
    else return;
    e.preventDefault();
  });
  $("again").addEventListener("click", function () { start("again"); });
  $("retry").addEventListener("click", function () { if (pending) send(); else start(false); });
  start(false);
})();
