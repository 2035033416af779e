// Group screen: typing a score 0–5 (or "–" to clear one) moves to the next cell (progressive enhancement only;
// the form works the same without JavaScript).
(function () {
  "use strict";
  var cells = Array.prototype.slice.call(document.querySelectorAll(".group-table .cell"));
  cells.forEach(function (cell, i) {
    cell.addEventListener("input", function () {
      if (/^[0-5\-\u2013\u2014]$/.test(cell.value) && i + 1 < cells.length) {
        cells[i + 1].focus();
        cells[i + 1].select();
      }
    });
    cell.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && i + 1 < cells.length) {
        event.preventDefault();
        cells[i + 1].focus();
        cells[i + 1].select();
      }
    });
  });
})();
