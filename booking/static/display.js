// A display keeps itself current: it asks for its day every few seconds with the ETag it
// has (an unchanged day is a 304), keeps showing what it has while the server does not
// answer (a restart), and says so; a display switched off is told so and stops asking.
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live) { return; }
  var offline = document.getElementById("offline");
  var url = live.getAttribute("data-live-url");
  var every = parseInt(live.getAttribute("data-every"), 10) || 15000;
  var etag = live.getAttribute("data-etag");

  function ask() {
    var headers = etag ? { "If-None-Match": '"' + etag + '"' } : {};
    fetch(url, { cache: "no-store", headers: headers, credentials: "omit" })
      .then(function (response) {
        if (response.status === 404) {
          live.innerHTML = '<div class="wall"><h1>This display has been switched off.</h1></div>';
          offline.hidden = true;
          return null;
        }
        if (response.status === 304) { offline.hidden = true; return "wait"; }
        if (!response.ok) { throw new Error("status " + response.status); }
        etag = (response.headers.get("ETag") || "").replace(/^W\//, "").replace(/"/g, "");
        return response.text().then(function (html) {
          live.innerHTML = html;
          live.setAttribute("data-etag", etag);
          offline.hidden = true;
          return "wait";
        });
      })
      .catch(function () { offline.hidden = false; return "wait"; })
      .then(function (next) { if (next) { window.setTimeout(ask, every); } });
  }
  window.setTimeout(ask, every);
})();
