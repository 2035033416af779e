// Group screen, fast entry from paper: one keystroke per score. A digit 0–5 (or "–" to clear)
// writes the cell and moves to the next one; Tab or Enter moves without changing the cell.
// The hint above the table says so once this script runs (without it, Tab moves as usual).
// Progressive enhancement only: the form posts the same without JavaScript.
(function () {
  "use strict";
  var MARK = /^[0-5\-\u2013\u2014]$/;
  var cells = Array.prototype.slice.call(document.querySelectorAll(".group-table .cell"));
  var hint = document.getElementById("entry-hint");
  if (hint && hint.dataset.jsHint) { hint.textContent = hint.dataset.jsHint; }

  function next(i) {
    for (var j = i + 1; j < cells.length; j++) {
      if (!cells[j].disabled) { cells[j].focus(); cells[j].select(); return; }
    }
  }
  function changed(cell) { cell.dispatchEvent(new Event("change", {bubbles: true})); }

  cells.forEach(function (cell, i) {
    cell.addEventListener("focus", function () { cell.select(); });
    cell.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.altKey || event.metaKey || event.isComposing) { return; }
      if (MARK.test(event.key)) {
        event.preventDefault();
        cell.value = event.key;
        changed(cell);
        next(i);
      } else if (event.key === "Enter") {
        event.preventDefault();
        next(i);
      }
    });
    // touch keyboards that send no key value: the typed mark arrives as input
    cell.addEventListener("input", function () {
      if (MARK.test(cell.value)) { changed(cell); next(i); }
    });
  });
})();
