// Settings for coi-serviceworker (loaded right after this file). It registers a service worker
// that adds COOP/COEP headers on hosts that cannot set them, then reloads once. We note the reload
// so the app does not start a run on a page that is about to go away.
window.coi = {
  // `?build=single` and `?coi=0` mean: do not try to become isolated. Nor in a frame: a frame is
  // isolated only when the page around it is, and registering there only cost time (3.3 s when
  // the frame is cross-site: `serviceWorker.ready` never settles in a partitioned frame).
  shouldRegister: () => window.top === window && !/[?&](build=single|coi=0)\b/.test(location.search),
  doReload: () => { window.__coiReloading = true; location.reload(); },
  quiet: true,
};
