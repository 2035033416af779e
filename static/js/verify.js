// Progressive enhancement of the verify page: drop a file anywhere on the drop zone.
(function () {
  "use strict";
  var zone = document.querySelector("[data-drop-zone]");
  if (!zone) { return; }
  var input = zone.querySelector("input[type=file]");
  ["dragenter", "dragover"].forEach(function (name) {
    zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("dragging"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    zone.addEventListener(name, function () { zone.classList.remove("dragging"); });
  });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length && input) {
      input.files = event.dataTransfer.files;
      if (input.form) { input.form.requestSubmit ? input.form.requestSubmit() : input.form.submit(); }
    }
  });
}());
