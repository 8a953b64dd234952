// Interlace console: keep the live parts of a page fresh without reloading it.
// An element with data-refresh="URL" data-every="MS" is replaced by the HTML fragment at URL every MS
// milliseconds (only while the page is visible). The focused control keeps its focus across a swap
// (found again by id); data-follow keeps the element scrolled to its end while it is at its end.
// A fragment answering 401 means the session ended: go to the login page.
(function () {
  "use strict";

  function refresh(region) {
    var url = region.getAttribute("data-refresh");
    var every = parseInt(region.getAttribute("data-every") || "3000", 10);
    var busy = false;

    function tick() {
      if (busy || document.hidden) return;
      busy = true;
      fetch(url, { credentials: "same-origin", headers: { "X-Console-Fragment": "1" } })
        .then(function (response) {
          if (response.status === 401) {
            window.location.assign("/console/login");
            return null;
          }
          return response.ok ? response.text() : null;
        })
        .then(function (html) {
          if (html === null) return;
          var focused = document.activeElement;
          var focusedId = focused && region.contains(focused) ? focused.id : "";
          var atEnd = region.scrollTop + region.clientHeight >= region.scrollHeight - 4;
          region.innerHTML = html;
          if (focusedId) {
            var again = document.getElementById(focusedId);
            if (again) again.focus();
          }
          if (region.hasAttribute("data-follow") && atEnd) region.scrollTop = region.scrollHeight;
          region.setAttribute("data-refreshed", String(Date.now()));
        })
        .catch(function () { /* the server is away for a moment: try again next time */ })
        .then(function () { busy = false; });
    }

    if (region.hasAttribute("data-follow")) region.scrollTop = region.scrollHeight;
    window.setInterval(tick, every);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var regions = document.querySelectorAll("[data-refresh]");
    for (var i = 0; i < regions.length; i++) refresh(regions[i]);
  });
})();
