// Offline use of the coach's group screen, the participant's grid steps and the levels agreed
// on the comparison page (progressive enhancement: without this script the forms post as before).
// - The page asks the service worker (/sw.js) to keep its pages for this person only.
// - Every score typed, and every level agreed on a comparison ("kind": "agreement"), is kept in
//   IndexedDB (named by the person's opaque key) until the server has it; it is sent to the
//   page's sync endpoint, which applies the online rules: saved, conflict (both values shown,
//   nothing lost) or refused (the reason shown, kept).
// - At logout every offline store of this device is erased (the server also sends
//   Clear-Site-Data).
(function () {
  "use strict";
  var DB_PREFIX = "badger-offline-";
  var STORE = "scores";

  // ------------------------------------------------------------------ erasing at logout
  function eraseDevice() {
    var jobs = [];
    if (window.indexedDB && indexedDB.databases) {
      jobs.push(indexedDB.databases().then(function (list) {
        return Promise.all(list.filter(function (d) { return d.name && d.name.indexOf(DB_PREFIX) === 0; })
          .map(function (d) { return deleteDb(d.name); }));
      }));
    }
    if (window.caches) {
      jobs.push(caches.keys().then(function (keys) {
        return Promise.all(keys.map(function (k) { return caches.delete(k); }));
      }));
    }
    if (navigator.serviceWorker) {
      jobs.push(navigator.serviceWorker.getRegistrations().then(function (regs) {
        return Promise.all(regs.map(function (r) { return r.unregister(); }));
      }));
    }
    return Promise.all(jobs).catch(function () { return null; });
  }

  function deleteDb(name) {
    return new Promise(function (resolve) {
      var req = indexedDB.deleteDatabase(name);
      req.onsuccess = req.onerror = req.onblocked = function () { resolve(); };
    });
  }

  // A shared phone: the pages kept for someone whose session ended without logging out (the
  // next login replaced it) go as soon as the next person opens any page, so the service
  // worker never serves them to that person offline (the back button, the history).
  var me = document.querySelector("script[data-offline-user]");
  if (me && window.caches) {
    var mine = "badger-pages-" + me.getAttribute("data-offline-user");
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) {
        return k.indexOf("badger-pages-") === 0 && k !== mine;
      }).map(function (k) { return caches.delete(k); }));
    }).catch(function () { return null; });
  }

  var page = null; // set below on an offline-capable page

  document.querySelectorAll("form[action$='/logout']").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.erased === "1") { return; }
      event.preventDefault();
      var before = page ? page.flush() : Promise.resolve(0);
      before.then(function (left) {
        if (left > 0 && !window.confirm(page.msg("logout"))) { return; }
        var closing = page ? page.close() : Promise.resolve();
        closing.then(eraseDevice).then(function () { form.dataset.erased = "1"; form.submit(); });
      });
    });
  });

  // the page's offline settings: the group screen and the grid steps carry them as data-*
  // attributes; the comparison page as one JSON attribute (its state line is built here)
  var root = document.querySelector("[data-offline]");
  var conf = null;
  if (root) {
    conf = {mode: root.dataset.offline, key: root.dataset.offlineKey, scope: root.dataset.scope,
            syncUrl: root.dataset.syncUrl, pages: (root.dataset.pages || "").split(" ").filter(Boolean),
            refresh: (root.dataset.refresh || "").split(" ").filter(Boolean)};
  } else {
    root = document.querySelector("[data-offline-compare]");
    try { conf = root && root.dataset.offlineCompare ? JSON.parse(root.dataset.offlineCompare) : null; }
    catch (e) { conf = null; }
    if (conf) { conf.mode = "compare"; conf.refresh = []; }
  }
  if (!conf || !window.indexedDB) { return; }
  if (conf.mode === "compare") { stateBox(root, conf.msgs); }

  // ------------------------------------------------------------------ IndexedDB
  var dbName = DB_PREFIX + conf.key;
  var scope = conf.scope;
  var dbPromise = new Promise(function (resolve, reject) {
    var req = indexedDB.open(dbName, 1);
    req.onupgradeneeded = function () { req.result.createObjectStore(STORE, {keyPath: "id"}); };
    req.onsuccess = function () { resolve(req.result); };
    req.onerror = function () { reject(req.error); };
  });

  function tx(mode, work) {
    return dbPromise.then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode);
        var out = work(t.objectStore(STORE));
        t.oncomplete = function () { resolve(out && out.result !== undefined ? out.result : out); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }
  // every score this person keeps on the device (a session left with scores unsent is still
  // sent from here); ``page.owns`` tells this page's
  function all() { return tx("readonly", function (s) { return s.getAll(); }); }
  function key(r) { return (r.kind === "agreement" ? "a" : "") + (r.participant_id || "") + "-" + r.competence_id; }
  function isAgreement(r) { return r.kind === "agreement"; }
  function item(r) {
    if (isAgreement(r)) {
      var a = {competence_id: r.competence_id, level: parseInt(r.value, 10), version: r.version || 0};
      if (r.participant_id) { a.participant_id = r.participant_id; }
      return a;
    }
    if (r.participant_id) {
      var clear = r.value === "-" || r.value === "\u2013" || r.value === "\u2014";
      return {participant_id: r.participant_id, competence_id: r.competence_id,
              score: clear ? null : parseInt(r.value, 10), clear: clear, version: r.version};
    }
    return {competence_id: r.competence_id, score: r.value === "" ? null : parseInt(r.value, 10),
            comment: r.comment, version: r.version};
  }
  function put(rec) { return tx("readwrite", function (s) { s.put(rec); }); }
  function del(id) { return tx("readwrite", function (s) { s["delete"](id); }); }

  // another person's data never stays on this device (a shared phone)
  if (indexedDB.databases) {
    indexedDB.databases().then(function (list) {
      list.forEach(function (d) {
        if (d.name && d.name.indexOf(DB_PREFIX) === 0 && d.name !== dbName) { deleteDb(d.name); }
      });
    });
  }

  // the comparison page's state line (its texts come with the page's settings)
  function stateBox(after, msgs) {
    var box = document.createElement("div");
    box.className = "offline-box";
    var p = document.createElement("p");
    p.className = "offline-state";
    p.id = "offline-state";
    p.setAttribute("role", "status");
    p.setAttribute("aria-live", "polite");
    Object.keys(msgs || {}).forEach(function (k) { p.setAttribute("data-msg-" + k, msgs[k]); });
    var ul = document.createElement("ul");
    ul.className = "offline-problems";
    ul.id = "offline-problems";
    ul.hidden = true;
    box.appendChild(p);
    box.appendChild(ul);
    after.parentNode.insertBefore(box, after.nextSibling);
  }

  // ------------------------------------------------------------------ state line
  var stateLine = document.getElementById("offline-state");
  var problems = document.getElementById("offline-problems");
  function msg(name, values) {
    var text = stateLine.getAttribute("data-msg-" + name) || "";
    Object.keys(values || {}).forEach(function (k) { text = text.split("{" + k + "}").join(String(values[k])); });
    return text;
  }

  // "Hors ligne — 3 notes et 2 accords en attente", "2 accords en attente d'envoi", …
  function stateText(scores, agreed) {
    var v = {n: scores, a: agreed};
    var what = agreed ? (scores ? "-both" : "-agree") : "";
    if (!navigator.onLine) { return scores || agreed ? msg("offline" + what, v) : msg("offline-none"); }
    if (scores || agreed) { return msg("pending" + what, v); }
    return msg("saved");
  }

  function show(rows) {
    var waiting = rows.filter(function (r) { return r.status === "pending"; });
    var agreed = waiting.filter(isAgreement).length;
    var pending = waiting.length;
    var bad = rows.filter(function (r) { return r.status === "conflict" || r.status === "refused"; });
    var text = stateText(pending - agreed, agreed);
    if (bad.length) { text += " · " + msg("problems", {n: bad.length}); }
    stateLine.textContent = text;
    stateLine.dataset.pending = String(pending);
    stateLine.dataset.problems = String(bad.length);
    problems.textContent = "";
    problems.hidden = bad.length === 0;
    bad.forEach(function (r) {
      var li = document.createElement("li");
      li.className = "offline-problem " + r.status;
      var p = document.createElement("span");
      var pre = isAgreement(r) ? "agree-" : "";
      if (isAgreement(r)) { li.className += " agreement"; }
      p.textContent = problemText(r);
      li.appendChild(p);
      if (r.status === "conflict") {
        li.appendChild(button(msg(pre + "mine"), function () { resolve(r, true); }));
        li.appendChild(button(msg(pre + "theirs"), function () { resolve(r, false); }));
      } else {
        li.appendChild(button(msg(pre + "drop"), function () { resolve(r, false); }));
      }
      problems.appendChild(li);
    });
  }

  function problemText(r) {
    var pre = isAgreement(r) ? "agree-" : "";
    return r.status === "conflict"
      ? msg(pre + "conflict", {cell: r.label, yours: r.value, theirs: r.theirs === null ? "–" : r.theirs, by: r.by})
      : msg(pre + "refused", {cell: r.label, yours: r.value, reason: r.reason});
  }

  function button(text, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "button";
    b.textContent = text;
    b.addEventListener("click", onClick);
    return b;
  }

  function refresh() { return all().then(show); }

  // ------------------------------------------------------------------ sync
  var syncing = null;
  var closed = false;

  function csrfToken() {
    var input = document.querySelector("input[name=csrf_token]");
    return input ? input.value : "";
  }

  function freshToken() {
    // the page kept offline may carry an old token: read the live page's one
    return fetch(location.href, {credentials: "same-origin"}).then(function (r) { return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var input = doc.querySelector("input[name=csrf_token]");
        if (input) {
          document.querySelectorAll("input[name=csrf_token]").forEach(function (i) { i.value = input.value; });
        }
      });
  }

  function post(url, body, retried) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken()},
      body: JSON.stringify(body)
    }).then(function (r) {
      if (r.status === 400 && !retried) {
        return r.json().catch(function () { return {}; }).then(function (err) {
          if (err && err.error && err.error.details) { throw new Error("bad request"); }
          return freshToken().then(function () { return post(url, body, true); });
        });
      }
      if (!r.ok) {
        return r.json().catch(function () { return {}; }).then(function (err) {
          var reason = (err.error && err.error.message) || String(r.status);
          return {refusedAll: reason};
        });
      }
      return r.json();
    });
  }

  function apply(sent, answer) {
    return all().then(function (now) { return applyTo(sent, now, answer); });
  }

  // ``sent``: the records as sent; ``now``: as they are now (a cell may have been typed again
  // meanwhile: then only its base version moves on, and the newer value stays pending).
  function applyTo(sent, now, answer) {
    var byKey = {};
    var current = {};
    now.forEach(function (r) { current[r.id] = r; });
    sent.forEach(function (r) { byKey[key(r)] = r; });
    var writes = [];
    var rows = sent;
    if (answer.refusedAll) {
      rows.forEach(function (r) { r.status = "refused"; r.reason = answer.refusedAll; writes.push(put(r)); });
      return Promise.all(writes);
    }
    (answer.results || []).forEach(function (res) {
      var r = byKey[key(res)];
      if (!r) { return; }
      var later = current[r.id];
      if (later && (later.value !== r.value || later.comment !== r.comment)) {
        if (res.status === "saved") { later.version = res.version; writes.push(put(later)); }
        return;
      }
      if (res.status === "saved") {
        r.status = "saved";
        r.version = res.version;
        if (isAgreement(r)) { r.value = String(res.level); }
        else { r.value = res.score === null ? "" : String(res.score); }
        if (res.comment !== undefined) { r.comment = res.comment; }
      } else if (res.status === "conflict") {
        r.status = "conflict";
        r.theirs = res.theirs;
        r.by = res.by;
        r.serverVersion = res.version;
      } else {
        r.status = "refused";
        r.reason = res.reason;
      }
      if (page.owns(r)) { page.paint(r); }
      writes.push(put(r));
    });
    return Promise.all(writes);
  }

  // Send what is pending; resolves with how many scores are still waiting.
  function sync() {
    if (closed) { return Promise.resolve(0); }
    if (syncing) { return syncing; }
    syncing = all().then(function (rows) {
      var pending = rows.filter(function (r) { return r.status === "pending"; });
      if (!pending.length || !navigator.onLine) { return rows; }
      var byUrl = {};
      pending.forEach(function (r) {
        var url = r.url || conf.syncUrl;
        (byUrl[url] = byUrl[url] || []).push(r);
      });
      // one request per session or round, one after the other
      return Object.keys(byUrl).reduce(function (done, url) {
        return done.then(function () {
          var rows = byUrl[url];
          var body = {ratings: rows.filter(function (r) { return !isAgreement(r); }).map(item)};
          var agreed = rows.filter(isAgreement);
          if (agreed.length) { body.agreements = agreed.map(item); }
          return post(url, body).then(function (answer) {
            return apply(rows, answer).then(function () {
              var saved = (answer.results || []).some(function (x) { return x.status === "saved"; });
              if (page.synced && url === conf.syncUrl) { page.synced(saved, answer.results || []); }
            });
          });
        });
      }, Promise.resolve()).then(null, function () { return null; }).then(all);
    }).then(function (rows) {
      show(rows);
      syncing = null;
      var left = rows.filter(function (r) { return r.status === "pending"; }).length;
      return left ? syncAgain(left) : 0;
    }, function () { syncing = null; return 0; });
    return syncing;
  }
  // a score typed while a sync was running is sent right after it
  function syncAgain(left) {
    return all().then(function (rows) {
      var still = rows.filter(function (r) { return r.status === "pending"; }).length;
      if (still && navigator.onLine && still !== left) { return sync(); }
      return still;
    });
  }

  var timer = null;
  function soon() {
    clearTimeout(timer);
    timer = setTimeout(sync, 400);
  }

  function resolve(r, mine) {
    if (mine) {
      r.status = "pending";
      r.version = r.serverVersion || 0;
      put(r).then(refresh).then(sync);
    } else {
      var theirs = r.status === "conflict" ? (r.theirs === null ? "" : String(r.theirs)) : null;
      del(r.id).then(function () {
        if (theirs !== null && page.owns(r)) { page.paint({id: r.id, kind: r.kind, status: "saved", value: theirs, version: r.serverVersion, participant_id: r.participant_id, competence_id: r.competence_id, round_id: r.round_id}); }
        else if (page.owns(r) && isAgreement(r)) { page.paint({id: r.id, kind: r.kind, status: "dropped", competence_id: r.competence_id, round_id: r.round_id}); }
        return refresh();
      });
    }
  }

  // ------------------------------------------------------------------ the pages
  function scoreOfThisPage(r) { return r.scope === scope && !isAgreement(r); }

  function groupPage() {
    var sid = scope;
    function cellOf(pid, cid) { return root.querySelector("input[name='s-" + pid + "-" + cid + "']"); }
    function versionOf(pid, cid) { return root.querySelector("input[name='v-" + pid + "-" + cid + "']"); }
    return {
      owns: scoreOfThisPage,
      shownVersion: function (r) {
        var v = versionOf(r.participant_id, r.competence_id);
        return v ? parseInt(v.value || "0", 10) : null;
      },
      paint: function (r) {
        var cell = cellOf(r.participant_id, r.competence_id);
        if (!cell) { return; }
        if (document.activeElement !== cell || r.status !== "saved") { cell.value = r.value; }
        if (r.status === "saved") { versionOf(r.participant_id, r.competence_id).value = String(r.version); }
        cell.classList.toggle("cell-pending", r.status === "pending");
        cell.classList.toggle("cell-problem", r.status === "conflict" || r.status === "refused");
      },
      bind: function () {
        root.addEventListener("change", function (event) {
          var cell = event.target;
          if (!cell.classList || !cell.classList.contains("cell")) { return; }
          var parts = cell.name.split("-");
          var pid = parseInt(parts[1], 10), cid = parseInt(parts[2], 10);
          var id = sid + ":" + pid + "-" + cid;
          var value = cell.value.trim();
          if (!/^[0-5\-\u2013\u2014]$/.test(value)) {
            all().then(function (rows) {
              var r = rows.filter(function (x) { return x.id === id; })[0];
              if (r && r.status === "pending") { return del(id).then(refresh); }
              return null;
            });
            return;
          }
          put({id: id, scope: sid, url: conf.syncUrl, participant_id: pid, competence_id: cid, value: value,
               version: parseInt(versionOf(pid, cid).value || "0", 10), status: "pending",
               label: cell.getAttribute("aria-label")})
            .then(refresh).then(soon);
        });
        root.addEventListener("submit", function (event) {
          event.preventDefault();
          sync();
        });
      }
    };
  }

  function stepPage() {
    var cid = parseInt(root.dataset.competence, 10);
    var id = scope + ":" + cid;
    var title = document.getElementById("competence-title");
    function checked() {
      var c = root.querySelector("input[name=score]:checked");
      return c ? c.value : "";
    }
    return {
      owns: scoreOfThisPage,
      shownVersion: function (r) {
        if (r.competence_id !== cid) { return -1; }
        return parseInt(root.querySelector("input[name=v]").value || "0", 10);
      },
      paint: function (r) {
        if (r.competence_id !== cid) { return; }
        root.querySelectorAll("input[name=score]").forEach(function (i) { i.checked = i.value === r.value; });
        var comment = root.querySelector("textarea[name=comment]");
        if (comment && r.comment !== undefined) { comment.value = r.comment; }
        if (r.status === "saved") { root.querySelector("input[name=v]").value = String(r.version); }
      },
      bind: function () {
        root.addEventListener("submit", function (event) {
          event.preventDefault();
          var back = event.submitter && event.submitter.value === "back";
          var target = back ? root.dataset.backUrl : root.dataset.nextUrl;
          var comment = root.querySelector("textarea[name=comment]");
          var value = checked();
          var keepIt = value !== "" || (comment && comment.value.trim() !== "");
          var saved = keepIt ? put({id: id, scope: scope, url: conf.syncUrl,
                                    competence_id: cid, value: value,
                                    comment: comment ? comment.value : "", status: "pending",
                                    version: parseInt(root.querySelector("input[name=v]").value || "0", 10),
                                    label: title ? title.textContent : ""}) : Promise.resolve();
          saved.then(function () { return navigator.onLine ? sync() : 0; }).then(function () {
            return all();
          }).then(function (rows) {
            var mine = rows.filter(function (r) { return r.id === id; })[0];
            if (mine && (mine.status === "conflict" || mine.status === "refused")) { return; } // stay, shown
            location.assign(target);
          });
        });
      }
    };
  }

  // the end of the grid: only sends what the steps kept, then shows the page as saved
  function roundPage() {
    return {
      owns: scoreOfThisPage,
      shownVersion: function () { return -1; },
      paint: function () { return null; },
      bind: function () { return null; },
      synced: function (saved) { if (saved) { location.reload(); } }
    };
  }

  // the comparison: each "we agree on this level" form (form.agree-form in section.axis-item)
  // is queued like a score; online it is sent at once and the page then shows the server's state
  function comparePage() {
    var rid = conf.round;
    function formOf(cid) {
      var input = document.querySelector("form.agree-form input[name=competence][value='" + cid + "']");
      return input ? input.form : null;
    }
    function labelOf(form) {
      var section = form.closest(".axis-item");
      var h = section && section.querySelector("h3, h2");
      var what = h ? h.textContent.trim() : "";
      return conf.participant ? conf.name + " — " + what : what;
    }
    function line(form) {
      var p = form.querySelector(".agree-offline");
      if (!p) {
        p = document.createElement("p");
        p.className = "agree-offline";
        form.appendChild(p);
      }
      return p;
    }
    function record(form) {
      var cid = parseInt(form.querySelector("input[name=competence]").value, 10);
      var chosen = form.querySelector("input[name=level]:checked");
      var r = {id: scope + ":a" + rid + "-" + cid, kind: "agreement", scope: scope, url: conf.syncUrl,
               round_id: rid, competence_id: cid, value: chosen.value, status: "pending",
               version: parseInt(form.querySelector("input[name=v]").value || "0", 10), label: labelOf(form)};
      if (conf.participant) { r.participant_id = conf.participant; }
      return r;
    }
    return {
      owns: function (r) { return isAgreement(r) && r.round_id === rid; },
      shownVersion: function (r) {
        var form = formOf(r.competence_id);
        return form ? parseInt(form.querySelector("input[name=v]").value || "0", 10) : null;
      },
      paint: function (r) {
        var form = formOf(r.competence_id);
        if (!form) { return; }
        if (r.status === "dropped") { line(form).remove(); delete form.dataset.offlineStatus; return; }
        form.querySelectorAll("input[name=level]").forEach(function (i) { i.checked = i.value === r.value; });
        if (r.status === "saved") { form.querySelector("input[name=v]").value = String(r.version); }
        form.dataset.offlineStatus = r.status;
        line(form).textContent = r.status === "pending" ? msg("agree-pending", {n: r.value})
          : (r.status === "saved" ? msg("agree-saved", {n: r.value}) : problemText(r));
      },
      bind: function () {
        document.addEventListener("submit", function (event) {
          var form = event.target;
          if (!form.classList || !form.classList.contains("agree-form")) { return; }
          if (!form.querySelector("input[name=level]:checked")) {
            // no level chosen: online the server says so, as without this script
            if (!navigator.onLine) { event.preventDefault(); }
            return;
          }
          event.preventDefault();
          var r = record(form);
          put(r).then(function () { page.paint(r); return refresh(); })
            .then(function () { return navigator.onLine ? sync() : 0; });
        });
      },
      // an agreement of this page the server now holds: show the page as the server has it
      synced: function (saved, results) {
        var mine = results.filter(function (x) {
          return x.kind === "agreement" && x.status === "saved" &&
            (!conf.participant || x.participant_id === conf.participant);
        })[0];
        if (!mine) { return; }
        history.replaceState(null, "", location.pathname + location.search + "#axis-" + mine.competence_id);
        location.reload();
      }
    };
  }

  var mode = conf.mode;
  page = mode === "group" ? groupPage() : mode === "round" ? roundPage()
    : mode === "compare" ? comparePage() : stepPage();
  page.msg = msg;
  page.flush = function () { return sync().then(function () { return all(); }).then(function (rows) {
    return rows.filter(function (r) { return r.status !== "saved"; }).length;
  }); };
  page.close = function () {
    closed = true;
    return dbPromise.then(function (db) { db.close(); });
  };
  // a server that could not be reached is tried again now and then
  setInterval(function () { if (navigator.onLine) { sync(); } }, 30000);

  // a saved score is kept only while the page shown is older than it (a page kept offline)
  all().then(function (rows) {
    var others = rows.filter(function (r) { return !page.owns(r); });
    var shown = rows.filter(page.owns).filter(function (r) {
      var seen = page.shownVersion(r);
      if (r.status === "saved" && (seen === null || seen >= r.version)) { del(r.id); return false; }
      return true;
    });
    shown.forEach(page.paint);
    show(shown.concat(others));
  });
  page.bind();
  window.addEventListener("online", function () { sync(); });
  window.addEventListener("offline", refresh);
  if (navigator.onLine) { sync(); }

  // ------------------------------------------------------------------ keeping the pages
  // (the coach's comparison pages are kept by their session's group screen: such a page asks
  // nothing, so opening an older session's comparison never drops the open session's pages)
  var pages = conf.pages;
  if (navigator.serviceWorker && pages.length) {
    var assets = [];
    document.querySelectorAll("link[rel=stylesheet], script[src], img[src]").forEach(function (el) {
      var u = el.getAttribute("href") || el.getAttribute("src");
      if (u && u.indexOf("/static/") === 0) { assets.push(u); }
    });
    navigator.serviceWorker.register("/sw.js", {scope: "/"}).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (reg) {
      return new Promise(function (resolve) {
        var channel = new MessageChannel();
        channel.port1.onmessage = function (e) { resolve(e.data && e.data.ok); };
        reg.active.postMessage({type: "keep", user: conf.key, scope: scope, pages: pages,
                                refresh: conf.refresh, assets: assets}, [channel.port2]);
      });
    }).then(function (ok) {
      if (ok) { document.documentElement.dataset.offlineReady = "1"; }
    }).catch(function () { return null; });
  }
})();
