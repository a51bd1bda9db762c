// Live reload for `sitegen serve`. The preview server adds this script to the HTML it
// serves; files written by `sitegen build` never contain it. It listens to the server's
// Server-Sent Events: "reload" (this page's bytes changed), "css" (only stylesheets did),
// "problems" (the build failed: show its errors over the page; [] hides them again).
// EventSource reconnects by itself, so a restarted server picks up open pages.
(function () {
  "use strict";
  var script = document.currentScript;
  var etag = (script && script.getAttribute("data-etag")) || "";
  var scrollKey = "sitegen-scroll:" + location.pathname;

  function restoreScroll() {
    var saved = null;
    try { saved = sessionStorage.getItem(scrollKey); sessionStorage.removeItem(scrollKey); } catch (e) { return; }
    if (!saved) return;
    var pos = JSON.parse(saved);
    var go = function () { window.scrollTo(pos[0], pos[1]); };
    if (document.readyState === "complete") go(); else window.addEventListener("load", go);
  }

  function reload() {
    try { sessionStorage.setItem(scrollKey, JSON.stringify([window.scrollX, window.scrollY])); } catch (e) { /* private mode */ }
    location.reload();
  }

  function swapStylesheets(paths) {
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    for (var i = 0; i < links.length; i++) {
      var url = new URL(links[i].href, location.href);
      if (url.origin === location.origin && paths.indexOf(url.pathname) !== -1) {
        url.searchParams.set("sitegen", String(Date.now()));
        links[i].href = url.pathname + url.search;
      }
    }
  }

  function showProblems(lines) {
    var box = document.getElementById("sitegen-problems");
    if (!lines.length) {
      if (box) box.parentNode.removeChild(box);
      return;
    }
    if (!box) {
      box = document.createElement("div");
      box.id = "sitegen-problems";
      box.setAttribute("role", "alert");
      document.body.appendChild(box);
    }
    box.textContent = "";
    var intro = document.createElement("p");
    var strong = document.createElement("strong");
    strong.textContent = "The site has errors.";
    intro.appendChild(strong);
    intro.appendChild(document.createTextNode(" Showing the last good build; fix and save, and this page recovers by itself."));
    box.appendChild(intro);
    var list = document.createElement("ol");
    lines.forEach(function (line) {
      var item = document.createElement("li");
      var code = document.createElement("code");
      code.textContent = line;  // text, never HTML: messages quote the author's input
      item.appendChild(code);
      list.appendChild(item);
    });
    box.appendChild(list);
  }

  restoreScroll();
  if (!window.EventSource) return;
  var query = "?path=" + encodeURIComponent(location.pathname) + "&etag=" + encodeURIComponent(etag);
  var events = new EventSource("/__sitegen/events" + query);
  events.addEventListener("reload", function () { events.close(); reload(); });
  events.addEventListener("css", function (e) { swapStylesheets(JSON.parse(e.data)); });
  events.addEventListener("problems", function (e) {
    var lines = JSON.parse(e.data);
    if (document.body) showProblems(lines);
    else document.addEventListener("DOMContentLoaded", function () { showProblems(lines); });
  });
})();
