// Settings for coi-serviceworker. It registers a service worker that adds COOP/COEP headers on
// hosts that cannot set them, then reloads once. We note the reload so the app does not start a
// run on a page that is about to go away.
//
// The service worker script is only loaded where it can help (a top-level page that is not
// cross-origin isolated), and without blocking the parser: on a host that sends the headers it
// is never fetched, and the engine starts sooner (the page is ready in well under a second).
window.coi = {
  // `?build=single` and `?coi=0` mean: do not try to become isolated. Nor in a frame: a frame is
  // isolated only when the page around it is, and registering there only cost time (3.3 s when
  // the frame is cross-site: `serviceWorker.ready` never settles in a partitioned frame).
  shouldRegister: () => window.top === window && !/[?&](build=single|coi=0)\b/.test(location.search),
  doReload: () => { window.__coiReloading = true; location.reload(); },
  quiet: true,
};
if (!window.crossOriginIsolated && window.coi.shouldRegister()) {
  const s = document.createElement('script');
  s.src = new URL('coi-serviceworker.js', document.currentScript.src).href;
  document.head.append(s);
}
