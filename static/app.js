// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // The texts come from the server's catalogue (base.html: <script type="application/json" id="i18n-js">).
  var TEXT = {};
  try { TEXT = JSON.parse(document.getElementById("i18n-js").textContent); } catch (e) { TEXT = {}; }

  function text(name, values) {  // gettext's python-format: %(name)s, and %% for a percent sign
    return String(TEXT[name] || "").replace(/%\((\w+)\)s|%%/g, function (match, key) {
      return key === undefined ? "%" : String(values && key in values ? values[key] : match);
    });
  }

  var pending = 0;

  function statusFor(elt) {
    var id = elt && elt.id ? elt.id.replace(/^item-/, "status-") : null;
    return id ? document.getElementById(id) : null;
  }

  // htmx sends the CSRF token from the page's meta tag on every state-changing request.
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) { event.detail.headers["X-CSRF-Token"] = meta.content; }
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    pending += 1;
    var status = statusFor(event.detail.elt);
    if (status) { status.className = "save-status"; status.textContent = text("saving"); }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    pending = Math.max(0, pending - 1);
    var elt = event.detail.elt;
    var xhr = event.detail.xhr;
    var status = statusFor(elt);
    var failed = event.detail.failed;
    var retryable = !xhr || xhr.status === 0 || xhr.status >= 500;
    if (failed && retryable && elt && elt.classList.contains("item")) {
      var attempt = (parseInt(elt.dataset.attempt || "0", 10) || 0) + 1;
      elt.dataset.attempt = String(attempt);
      var seconds = Math.min(30, Math.pow(2, attempt));
      if (status) {
        status.className = "save-status error";
        status.setAttribute("role", "alert");
        status.textContent = text("retry", { s: seconds });
      }
      window.setTimeout(function () { htmx.trigger(elt, "retry"); }, seconds * 1000);
    } else if (!failed && elt) {
      elt.dataset.attempt = "0";
    }
  });

  // Show the server's explanation (read-only, invalid value, signed out …) instead of dropping it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var code = event.detail.xhr.status;
    if (code === 409 || code === 422 || code === 403 || code === 404) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  window.addEventListener("beforeunload", function (event) {
    if (pending > 0) { var leave = text("leave"); event.preventDefault(); event.returnValue = leave; return leave; }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) { event.preventDefault(); window.print(); }
  });

  // The API token page: a button copies the new token (the field itself is selectable without JS).
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var field = document.getElementById(button.getAttribute("data-copy"));
      var done = document.getElementById("copy-done");
      if (!field) { return; }
      field.select();
      var shown = function () { if (done) { done.textContent = done.getAttribute("data-copied"); } };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(shown, function () {});
      } else if (document.execCommand && document.execCommand("copy")) {
        shown();
      }
    });
  });

  document.documentElement.classList.add("js");
})();
