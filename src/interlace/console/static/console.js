// Interlace console: keep the live parts of a page fresh without reloading it.
// An element with data-refresh="URL" data-every="MS" is replaced by the HTML fragment at URL every MS
// milliseconds (only while the page is visible). The focused control keeps its focus across a swap
// (found again by id); data-follow keeps the element scrolled to its end while it is at its end.
// A fragment answering 401 means the session ended: go to the login page.
// A flow diagram's nodes show their details on click or focus (see below).
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

  // A flow diagram's node (a focusable <g class="node"> with data-* attributes) shows its details
  // (kind, file:line, settings, problems, its step in a trace) in the panel under the diagram when it
  // is clicked or focused; a node calling a sequence offers the link to that sequence's page (Enter on
  // it follows the link).
  function add(parent, tag, text, className) {
    var element = document.createElement(tag);
    if (text !== undefined) element.textContent = text;
    if (className) element.className = className;
    parent.appendChild(element);
    return element;
  }

  function parsed(value) {
    try { return JSON.parse(value); } catch (e) { return null; }
  }

  // For an admin (the section names the step editor), a step also offers to change it or to add a step
  // after it: the editor's address names the file and the step's place in it (data-path).
  function editLinks(panel, node, editor) {
    var path = parsed(node.getAttribute("data-path") || "null");
    var location = node.getAttribute("data-location") || "";
    var file = location.slice(0, location.lastIndexOf(":"));
    if (!editor || !file || !path || !path.length || typeof path[path.length - 1] !== "number") return;
    var after = path.slice(0, -1).concat([path[path.length - 1] + 1]);
    var links = add(panel, "p", undefined, "node-edit");
    function link(text, mode, where) {
      var query = "?file=" + encodeURIComponent(file) + "&path=" + encodeURIComponent(JSON.stringify(where)) +
        "&mode=" + mode + "&back=" + encodeURIComponent(window.location.pathname + window.location.search);
      if (mode === "edit") query += "&kind=" + encodeURIComponent(node.getAttribute("data-kind") || "");
      var anchor = add(links, "a", text, "button");
      anchor.href = editor + query;
    }
    link("Change this step", "edit", path);
    add(links, "span", " ");
    link("Add a step after it", "add", after);
  }

  function showNode(figure, node, sequencePage, editor) {
    var panel = figure.querySelector(".node-details");
    if (!panel) return;
    var selected = figure.querySelector(".node.selected");
    if (selected) selected.classList.remove("selected");
    node.classList.add("selected");
    panel.textContent = "";
    var title = add(panel, "p", undefined, "node-title");
    add(title, "strong", node.getAttribute("data-kind") || "");
    add(title, "span", " at ");
    add(title, "code", node.getAttribute("data-location") || "");
    var link = node.getAttribute("data-link") || "";
    if (link.indexOf("sequence:") === 0 && sequencePage) {
      var name = link.slice("sequence:".length);
      var anchor = add(add(panel, "p"), "a", "Open the sequence " + name);
      anchor.href = sequencePage + encodeURIComponent(name);
    } else if (link) {
      add(panel, "p", "Refers to " + link);
    }
    var settings = parsed(node.getAttribute("data-settings") || "null");
    if (settings !== null && Object.keys(settings).length) {
      add(panel, "pre", JSON.stringify(settings, null, 2), "node-settings");
    }
    var problems = parsed(node.getAttribute("data-problems") || "null") || [];
    if (problems.length) {
      var list = add(panel, "ul", undefined, "node-problems");
      for (var i = 0; i < problems.length; i++) add(list, "li", String(problems[i]));
    }
    if (node.hasAttribute("data-duration-ms")) {
      add(panel, "p", "Ran in " + node.getAttribute("data-duration-ms") + " ms");
    }
    if (node.hasAttribute("data-error")) add(panel, "p", "Failed: " + node.getAttribute("data-error"), "error");
    editLinks(panel, node, editor);
    panel.hidden = false;
  }

  function diagrams(section) {
    var sequencePage = section.getAttribute("data-sequence-page");
    var editor = section.getAttribute("data-step-editor");
    var figures = section.querySelectorAll("figure.diagram");
    Array.prototype.forEach.call(figures, function (figure) {
      function select(event) {
        var node = event.target.closest ? event.target.closest(".node") : null;
        if (node && figure.contains(node)) showNode(figure, node, sequencePage, editor);
      }
      figure.addEventListener("click", select);
      figure.addEventListener("focusin", select);
      figure.addEventListener("keydown", function (event) {
        // Enter on a node that calls a sequence opens that sequence's page; on another node it moves
        // the focus to the first link of its details (changing the step, adding one after it).
        var node = event.key === "Enter" && event.target.closest ? event.target.closest(".node") : null;
        var link = node ? node.getAttribute("data-link") || "" : "";
        if (link.indexOf("sequence:") === 0 && sequencePage) {
          window.location.assign(sequencePage + encodeURIComponent(link.slice("sequence:".length)));
        } else if (node) {
          var first = figure.querySelector(".node-details a");
          if (first) first.focus();
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var regions = document.querySelectorAll("[data-refresh]");
    for (var i = 0; i < regions.length; i++) refresh(regions[i]);
    var sections = document.querySelectorAll("section.flows");
    for (var j = 0; j < sections.length; j++) diagrams(sections[j]);
  });
})();
