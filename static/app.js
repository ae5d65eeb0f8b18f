// Progressive enhancement only: every page works without this file.
// htmx sends the CSRF token from the page's meta tag on every state-changing request.
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) { event.detail.headers["X-CSRF-Token"] = meta.content; }
});
