// The share page right after a link is made (templates/portfolio/share_detail.html): a button
// copies the link (Clipboard API; where refused, the link is selected for the phone's own copy
// menu), and a button opens the phone's share sheet (Web Share API), shown only where the
// browser can share. Without JavaScript the link and its QR code are still on the page.
(function () {
  "use strict";
  var tools = document.querySelector("[data-share-tools]");
  if (!tools) { return; }
  var url = tools.getAttribute("data-url");
  var status = document.querySelector("[data-share-status]");
  var copyButton = tools.querySelector("[data-copy]");
  var shareButton = tools.querySelector("[data-share]");

  function say(text) { if (status) { status.textContent = text; } }

  function selectLink() {
    var code = document.getElementById("share-link");
    if (!code || !window.getSelection) { return; }
    var range = document.createRange();
    range.selectNodeContents(code);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  copyButton.addEventListener("click", function () {
    var failed = function () { selectLink(); say(tools.getAttribute("data-copy-failed")); };
    if (!navigator.clipboard || !navigator.clipboard.writeText) { failed(); return; }
    navigator.clipboard.writeText(url).then(function () {
      say(tools.getAttribute("data-copied"));
    }, failed);
  });

  var data = { title: tools.getAttribute("data-title"), url: url };
  if (navigator.share && (!navigator.canShare || navigator.canShare(data))) {
    shareButton.hidden = false;
    shareButton.addEventListener("click", function () {
      // Closing the share sheet rejects with AbortError: nothing to say then.
      navigator.share(data).catch(function () {});
    });
  }
  tools.hidden = false;
})();
