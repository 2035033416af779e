// badger's service worker: keeps the open session's pages (group screen and its participants'
// comparisons, or a participant's grid steps and own comparison) for the logged-in person, and
// answers from them only when the network is gone.
// It caches nothing by itself: a page (offline.js) says which of its person's pages to keep.
// Online, the network always answers; a page that now redirects (the login ended) is forgotten.
"use strict";

var STATIC = "badger-static-v1";
var META = "badger-meta";
var PAGES = "badger-pages-";
var META_KEY = "/__badger_offline_meta__";

function readMeta() {
  return caches.open(META).then(function (c) { return c.match(META_KEY); })
    .then(function (r) { return r ? r.json() : null; });
}

function writeMeta(meta) {
  return caches.open(META).then(function (c) {
    return c.put(META_KEY, new Response(JSON.stringify(meta), {headers: {"Content-Type": "application/json"}}));
  });
}

function forgetPages(keep) {
  return caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) {
      return k.indexOf(PAGES) === 0 && k !== keep;
    }).map(function (k) { return caches.delete(k); }));
  });
}

function forgetAll() {
  return caches.keys().then(function (keys) {
    return Promise.all(keys.map(function (k) { return caches.delete(k); }));
  });
}

function store(cache, url, force) {
  return cache.match(url).then(function (hit) {
    if (hit && !force) { return null; }
    var got = fetch(url, {credentials: "same-origin", redirect: "manual"}).then(function (r) {
      if (r.ok && r.type === "basic") { return cache.put(url, r); }
      return null;
    });
    // a page kept already stays as it is when the network fails
    return hit ? got.catch(function () { return null; }) : got;
  });
}

// Keep the pages of one scope (a session, a round) for one person; anything else goes.
// ``refresh`` pages (a session's comparisons) are fetched again each time: they change.
function keep(data) {
  var name = PAGES + data.user;
  return readMeta().then(function (meta) {
    var same = meta && meta.user === data.user && meta.scope === data.scope;
    return forgetPages(same ? name : null).then(function () { return caches.open(name); });
  }).then(function (cache) {
    var refresh = data.refresh || [];
    return Promise.all(data.pages.concat(refresh).map(function (url) {
      return store(cache, url, refresh.indexOf(url) >= 0);
    }));
  }).then(function () {
    return caches.open(STATIC);
  }).then(function (cache) {
    return Promise.all(data.assets.map(function (url) { return store(cache, url, false); }));
  }).then(function () {
    return writeMeta({user: data.user, scope: data.scope});
  });
}

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("message", function (event) {
  var data = event.data || {};
  var port = event.ports && event.ports[0];
  var answer = function (ok) { if (port) { port.postMessage({ok: ok}); } };
  var work = null;
  if (data.type === "keep") { work = keep(data); }
  if (data.type === "forget") { work = forgetAll(); }
  if (work) {
    event.waitUntil(work.then(function () { answer(true); }, function () { answer(false); }));
  }
});

function pageCache() {
  return readMeta().then(function (meta) {
    return meta ? caches.open(PAGES + meta.user) : null;
  });
}

// A navigation: the network answers; a kept page is refreshed from it, or served when offline.
function navigate(request) {
  return fetch(request).then(function (response) {
    return pageCache().then(function (cache) {
      if (!cache) { return response; }
      return cache.match(request.url).then(function (hit) {
        if (!hit) { return response; }
        if (response.type === "opaqueredirect" || response.redirected || response.status === 401 ||
            response.status === 403) {
          // the person is no longer logged in here: nothing of theirs stays
          return forgetPages(null).then(function () { return response; });
        }
        if (response.ok) { return cache.put(request.url, response.clone()).then(function () { return response; }); }
        return response;
      });
    });
  }, function () {
    return pageCache().then(function (cache) {
      return cache ? cache.match(request.url) : null;
    }).then(function (hit) { return hit || Response.error(); });
  });
}

function asset(request) {
  return fetch(request).catch(function () {
    return caches.open(STATIC).then(function (c) { return c.match(request.url); })
      .then(function (hit) { return hit || Response.error(); });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate") {
    event.respondWith(navigate(request));
  } else if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(asset(request));
  }
});
