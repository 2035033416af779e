// The header's two menus (templates/base.html, _nav.html) are <details> disclosures and work
// without this file. It adds what people expect of a menu button: Escape closes the open menu
// and puts the focus back on its button, and a tap or a focus outside the menu closes it.
(function () {
  "use strict";
  var menus = document.querySelectorAll("details.header-menu");
  if (!menus.length) { return; }
  function openMenu() {
    for (var i = 0; i < menus.length; i++) { if (menus[i].open) { return menus[i]; } }
    return null;
  }
  document.addEventListener("keydown", function (event) {
    var menu = openMenu();
    if (event.key === "Escape" && menu && getComputedStyle(menu.querySelector("summary")).display !== "none") {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });
  function closeOutside(event) {
    var menu = openMenu();
    if (menu && !menu.contains(event.target) && getComputedStyle(menu.querySelector("summary")).display !== "none") {
      menu.open = false;
    }
  }
  document.addEventListener("click", closeOutside);
  document.addEventListener("focusin", closeOutside);
})();
