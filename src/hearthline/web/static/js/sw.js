// Keeps the pages openable when the network is gone, so an agent who reloads (or whose
// tab crashed) while offline finds their page, and their draft from local storage.
// Network first: online, the browser always runs the current pages; the cache is only
// the fallback. The API and the stream are never cached.

const CACHE = "hearthline-pages-v20";
const SHELL = [
  "/agent",
  "/static/css/app.css",
  "/static/favicon.svg",
  "/static/js/agent.js",
  "/static/js/agent_contact.js",
  "/static/js/agent_customer.js",
  "/static/js/agent_earlier.js",
  "/static/js/agent_guide.js",
  "/static/js/agent_knowledge.js",
  "/static/js/agent_side.js",
  "/static/js/agent_voicemail.js",
  "/static/js/dialling.js",
  "/static/js/agent_week.js",
  "/static/js/api.js",
  "/static/js/clock.js",
  "/static/js/consult.js",
  "/static/js/dom.js",
  "/static/js/drafts.js",
  "/static/js/format.js",
  "/static/js/ice.js",
  "/static/js/procedures.js",
  "/static/js/listen.js",
  "/static/js/ring.js",
  "/static/js/session.js",
  "/static/js/softphone.js",
  "/static/js/recording.js",
  "/static/js/recording_player.js",
  "/static/js/stream.js",
];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL))
      .catch(() => {})
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

function cacheable(url) {
  return (
    url.origin === self.location.origin &&
    (url.pathname.startsWith("/static/") ||
      ["/", "/agent", "/supervisor", "/admin"].includes(url.pathname))
  );
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || !cacheable(url)) return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(request, copy));
        }
        return response;
      })
      .catch(() =>
        caches.match(request, { ignoreSearch: true }).then(
          (hit) => hit || new Response("Offline", { status: 503, statusText: "Offline" }),
        ),
      ),
  );
});
