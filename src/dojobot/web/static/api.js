/* The Mini App's one way to the server: initData from Telegram, or from the URL's
   #tgWebAppData= in a plain browser (the sandbox's link), sent as Authorization: tma.
   Kept for the tab's session, so moving between the app's pages keeps it. */
"use strict";
var Dojo = (function () {
  var tg = window.Telegram && window.Telegram.WebApp;
  var hash = new URLSearchParams(location.hash.slice(1)).get("tgWebAppData");
  var initData = (tg && tg.initData) || hash || sessionStorage.getItem("dojo.initData") || "";
  if (initData) sessionStorage.setItem("dojo.initData", initData);
  if (tg && tg.initData) { tg.ready(); tg.expand(); }

  /* Telegram's theme chooses the buttons' colours, and its dark theme's (#5288c1 under
     white) is 3.7:1, under WCAG AA's 4.5:1: such a button colour is darkened (lightened,
     under dark text) just enough, on every page and whenever the theme changes. */
  function hex(name) {
    var v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    var m = /^#([0-9a-f]{6})$/i.exec(v);
    return m && [0, 2, 4].map(function (i) { return parseInt(m[1].substr(i, 2), 16); });
  }
  function luminance(c) {
    var l = c.map(function (v) {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
  }
  function contrast(a, b) {
    var x = luminance(a), y = luminance(b);
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
  }
  function readableAccent() {
    var root = document.documentElement.style;
    root.removeProperty("--accent");
    var button = hex("--tg-theme-button-color"), label = hex("--tg-theme-button-text-color");
    if (!button || !label) return;  // the page's own colours, which pass
    var toward = luminance(label) > 0.5 ? 0 : 255, c = button;
    for (var t = 0.05; contrast(c, label) < 4.5 && t <= 1; t += 0.05) {
      c = button.map(function (v) { return Math.round(v + (toward - v) * t); });
    }
    if (c !== button) root.setProperty("--accent", "rgb(" + c.join(",") + ")");
  }
  readableAccent();
  if (tg && tg.onEvent) tg.onEvent("themeChanged", readableAccent);

  function call(method, path, body) {
    var init = {method: method, headers: {"Authorization": "tma " + initData}};
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(function (r) {
      // A 429 (too many requests at once) says in Retry-After when to try again.
      var wait = Number(r.headers.get("Retry-After")) || 1;
      return r.json().then(function (j) { j.status = r.status; j.retryAfter = wait; return j; },
        function () { return {status: r.status, error: "HTTP " + r.status}; });
    });
  }
  /* Numbers as the learner's language writes them. A formatter is made once per language
     and kept: making one costs ~0.1 ms here, more on a phone, and an answer writes eight
     numbers between its reply and the next problem's paint. */
  var fmt = {lang: "en"}, formats = {};
  function setLocale(locale) {
    if (locale.lang !== fmt.lang) formats = {};
    fmt.lang = locale.lang;
    fmt.decimal = locale.decimal;
    document.documentElement.lang = locale.lang;
    document.documentElement.dir = locale.dir || "ltr";
  }
  function format(kind, options) {
    return formats[kind] || (formats[kind] = new Intl.NumberFormat(fmt.lang, options));
  }
  function seconds(ms, t) {
    var s = format("seconds", {minimumFractionDigits: 1, maximumFractionDigits: 1});
    return t.seconds.replace("{seconds}", s.format(Math.round(ms / 100) / 10));
  }
  function percent(x) {
    return format("percent", {style: "percent", maximumFractionDigits: 0})
      .format(Math.floor(x * 100) / 100);
  }
  function integer(n) { return format("integer", {}).format(n); }
  /* Typed text (ASCII digits) in the language's own digits: Persian shows ۱۲ for 12. */
  function written(text) {
    return text.replace(/[0-9]/g, function (d) { return integer(Number(d)); });
  }
  function median(values) {
    if (!values.length) return null;
    var v = values.slice().sort(function (a, b) { return a - b; });
    var m = v.length >> 1;
    return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
  }
  function text(id, value) { document.getElementById(id).textContent = value; }
  return {tg: tg, initData: initData, get: function (p) { return call("GET", p); },
          post: function (p, b) { return call("POST", p, b); }, setLocale: setLocale,
          seconds: seconds, percent: percent, integer: integer, written: written,
          median: median, text: text,
          fmt: fmt};
})();
