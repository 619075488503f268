/* The Mini App's one way to the server: initData from Telegram, or from the URL's
   #tgWebAppData= in a plain browser (the sandbox's link), sent as Authorization: tma. */
"use strict";
var Dojo = (function () {
  var tg = window.Telegram && window.Telegram.WebApp;
  function fromHash() {
    var hash = new URLSearchParams(location.hash.slice(1));
    return hash.get("tgWebAppData") || "";
  }
  var initData = (tg && tg.initData) || fromHash();
  function call(method, path, body) {
    var init = {method: method, headers: {"Authorization": "tma " + initData}};
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(function (r) {
      return r.json().then(function (j) { j.status = r.status; return j; },
                           function () { return {status: r.status, error: "HTTP " + r.status}; });
    });
  }
  if (tg) { tg.ready(); tg.expand(); }
  return {tg: tg, initData: initData, get: function (p) { return call("GET", p); },
          post: function (p, b) { return call("POST", p, b); }};
})();
