/*
 * The case page: a link to a step (#trin-N) inside a folded phase or a one-line step opens
 * the <details> around it, so the overview's links and "Gå til trin" always land on
 * something visible (ADR 0020). No inline scripts (strict CSP).
 */
(function () {
  "use strict";

  function reveal() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target) {
      return;
    }
    for (var el = target.parentElement; el; el = el.parentElement) {
      if (el.tagName === "DETAILS" && !el.open) {
        el.open = true;
      }
    }
    target.scrollIntoView();
  }

  window.addEventListener("hashchange", reveal);
  document.addEventListener("DOMContentLoaded", reveal);
})();
