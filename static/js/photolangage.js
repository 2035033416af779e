// Photolangage picker: a tap on a picture opens it full screen in a <dialog> with the form
// that notes the participant's choice. Without this script each picture is a link to its own
// enlarged page with the same form.
(function () {
  "use strict";
  var grid = document.querySelector(".photo-grid[data-dialog]");
  var dialog = grid && document.getElementById(grid.getAttribute("data-dialog"));
  if (!dialog || typeof dialog.showModal !== "function") { return; }
  var title = dialog.querySelector("h2");
  var frame = dialog.querySelector(".photo-dialog-img");
  var key = dialog.querySelector(".photo-key");
  var opener = null;

  grid.addEventListener("click", function (event) {
    var tile = event.target.closest(".photo-tile");
    if (!tile || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) { return; }
    event.preventDefault();
    opener = tile;
    title.textContent = tile.getAttribute("data-label");
    var img = document.createElement("img");
    img.src = tile.getAttribute("data-src");
    img.alt = tile.getAttribute("data-label");
    img.width = 320;
    img.height = 320;
    frame.replaceChildren(img);
    key.value = tile.getAttribute("data-key");
    dialog.showModal();
    dialog.scrollTop = 0;
  });
  dialog.querySelector(".photo-close").addEventListener("click", function () { dialog.close(); });
  dialog.addEventListener("close", function () {
    if (opener) { opener.focus(); }
  });
}());
