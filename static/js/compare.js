// Comparison page: a number on the chart (or any link) leads to "#axis-<id>", which may sit in a
// folded line of the compact list. Chromium unfolds it by itself; this does the same in browsers
// that do not, on arrival (after agreeing or consenting) and on each jump. Without JavaScript the
// links still lead to the right place.
(function () {
  "use strict";
  function unfold() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target) { return; }
    var opened = false;
    for (var el = target.parentElement; el; el = el.parentElement) {
      if (el.tagName === "DETAILS" && !el.open) { el.open = true; opened = true; }
    }
    if (opened) { target.scrollIntoView(); }
  }
  window.addEventListener("hashchange", unfold);
  unfold();
})();
