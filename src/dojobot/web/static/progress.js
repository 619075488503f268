/* The progress page: each topic's stage and reps bar; a tap practises the topic. */
"use strict";
(function () {
  function row(topic) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.className = "topic button";
    a.href = topic.path + location.hash;
    var name = document.createElement("span");
    name.className = "topic-name";
    name.textContent = topic.name;
    var stage = document.createElement("span");
    stage.className = "stage";
    var label = document.createElement("span");
    label.textContent = topic.stage;
    var bar = document.createElement("span");
    bar.className = "bar";
    var fill = document.createElement("span");
    fill.style.width = topic.needed ? Math.min(100, topic.reps * 100 / topic.needed) + "%" : "100%";
    bar.appendChild(fill);
    var reps = document.createElement("span");
    reps.className = "num";
    reps.textContent = topic.needed ? Dojo.integer(topic.reps) + "/" + Dojo.integer(topic.needed)
      : Dojo.integer(topic.reps);
    stage.append(label, bar, reps);
    a.append(name, stage);
    li.appendChild(a);
    return li;
  }
  function load() {
    Dojo.get("/api/progress").then(function (body) {
      var note = document.getElementById("problem-note");
      if (body.error) { note.hidden = false; note.textContent = body.error; return; }
      Dojo.setLocale(body.locale);
      Dojo.text("title", body.t.stages);
      var list = document.getElementById("topics");
      list.replaceChildren.apply(list, body.topics.map(row));
      DojoMap.load(body.t, document.getElementById("map-topic").value || null);
      document.getElementById("app").setAttribute("aria-busy", "false");
    });
  }
  document.addEventListener("visibilitychange", function () { if (!document.hidden) load(); });
  load();
})();
