// Bulk award forms: one submit only, and a visible progress message while the server signs.
(function () {
  "use strict";
  document.querySelectorAll("form[data-award-form]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent === "1") {
        event.preventDefault();
        return;
      }
      form.dataset.sent = "1";
      form.querySelectorAll("button[type=submit]").forEach(function (b) {
        b.setAttribute("aria-disabled", "true");
      });
      var note = form.querySelector(".award-progress");
      if (note) { note.hidden = false; }
    });
  });
})();
