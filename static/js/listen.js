/* "Écouter": reads the page's main text aloud with the browser's own speech synthesis
   (nothing is sent anywhere), in the page's language (<html lang>). A second press stops.
   The button stays hidden when the browser has no speech synthesis. */
(function () {
  'use strict';
  var button = document.getElementById('listen-button');
  var synth = window.speechSynthesis;
  if (!button || !synth || typeof window.SpeechSynthesisUtterance !== 'function') { return; }

  var SKIP = 'script, style, template, noscript, svg, input, select, textarea, [hidden], ' +
    '[aria-hidden="true"], [data-listen="skip"], .visually-hidden';
  var label = button.querySelector('.listen-label');
  var startText = label.textContent;
  var stopText = button.getAttribute('data-stop') || startText;
  var reading = false;

  function visible(el) {
    var style = window.getComputedStyle(el);
    return style.display !== 'none' && style.visibility !== 'hidden';
  }

  /* The text a sighted reader sees in <main>, one block a line: hidden parts, form fields,
     technical parts (marked data-listen="skip") and this button left out; an image says its alt. */
  function collect(node, lines) {
    node.childNodes.forEach(function (child) {
      if (child.nodeType === Node.TEXT_NODE) {
        lines[lines.length - 1] += child.textContent;
        return;
      }
      if (child.nodeType !== Node.ELEMENT_NODE || child.matches(SKIP) || !visible(child)) { return; }
      if (child.tagName === 'BR') {
        lines.push('');
        return;
      }
      if (child.tagName === 'IMG') {
        if (child.alt) { lines[lines.length - 1] += ' ' + child.alt + ' '; }
        return;
      }
      var block = window.getComputedStyle(child).display.indexOf('inline') !== 0;
      if (block) { lines.push(''); }
      collect(child, lines);
      if (block) { lines.push(''); }
    });
  }

  function chunks() {
    var lines = [''];
    collect(document.querySelector('main') || document.body, lines);
    return lines
      .map(function (line) { return line.replace(/\s+/g, ' ').trim(); })
      .filter(function (line) { return line.length > 0; });
  }

  function reset() {
    reading = false;
    label.textContent = startText;
    button.setAttribute('aria-pressed', 'false');
  }

  function voiceFor(lang) {
    var voices = synth.getVoices ? synth.getVoices() : [];
    var primary = lang.split('-')[0].toLowerCase();
    for (var i = 0; i < voices.length; i++) {
      if ((voices[i].lang || '').toLowerCase().split(/[-_]/)[0] === primary) { return voices[i]; }
    }
    return null;
  }

  button.addEventListener('click', function () {
    if (reading) {
      synth.cancel();
      reset();
      return;
    }
    var lang = document.documentElement.lang || 'fr';
    var voice = voiceFor(lang);
    var parts = chunks();
    if (!parts.length) { return; }
    synth.cancel();
    reading = true;
    label.textContent = stopText;
    button.setAttribute('aria-pressed', 'true');
    /* One utterance a block: some engines stop a long utterance after about fifteen seconds. */
    parts.forEach(function (text, index) {
      var utterance = new window.SpeechSynthesisUtterance(text);
      utterance.lang = lang;
      if (voice) { utterance.voice = voice; }
      if (index === parts.length - 1) {
        utterance.onend = reset;
        utterance.onerror = reset;
      }
      synth.speak(utterance);
    });
  });

  button.hidden = false;
}());
