/*
 * The case page: a link to a step (#trin-N) opens the folded phase around it and the step's
 * own one-line <details>, so the overview's links and "Gå til trin" always land on
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
    // A step's own one-line <details> opens too (its body loads on "toggle", ADR 0013).
    var own = target.querySelector(":scope > details.anskaf-step-details");
    if (own && !own.open) {
      own.open = true;
    }
    target.scrollIntoView();
  }

  window.addEventListener("hashchange", reveal);
  document.addEventListener("DOMContentLoaded", reveal);
})();
