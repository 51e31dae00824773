/*
 * anskaf – klientside-adfærd.
 *
 * Indlæses med `defer` efter dkfds.min.js og htmx.min.js. Ingen inline scripts
 * (streng CSP); al adfærd styres af data-attributter i markup:
 *
 *   data-autofocus        Efter et htmx-swap flyttes tastaturfokus til det første
 *                         element med denne attribut i det nye indhold (får
 *                         tabindex="-1", hvis det ikke i forvejen kan fokuseres).
 *   data-unsaved-warning  På en <form>: når et af dens felter ændres, får den
 *                         data-unsaved, og browseren advarer, før man forlader
 *                         siden (beforeunload). At sende formularen fjerner
 *                         markeringen. Siden virker uden JavaScript (ingen advarsel).
 *   data-plain-submit     På en submit-knap: sendes som almindelig formular (uden htmx).
 *
 * Tekstfelter (textarea.form-input) vokser med indholdet, mens man skriver (serveren
 * giver dem i forvejen rækker efter indholdet). En DKFDS-datovælger, hvis kalender ikke
 * kunne læse det skrevne, sender det skrevne, så serveren svarer med en tydelig fejl i
 * stedet for at tabe det (datovælgeren sender ellers et tomt felt).
 *   data-confirm="tekst"  På en <form> eller en submit-knap: window.confirm(tekst)
 *                         før formularen sendes (også htmx-formularer). På et
 *                         link eller en knap med hx-post/hx-delete o.l. uden for en
 *                         formular: confirm før klikket får lov at gå videre.
 *
 * DKFDS-komponenter initialiseres ved sideindlæsning med DKFDS.init() og
 * initialiseres igen – kun i det nye indhold – efter hvert htmx-swap.
 */
(function () {
  "use strict";

  var DKFDS = window.DKFDS;

  /* ------------------------------------------------------------------ *
   * DKFDS-initialisering
   * ------------------------------------------------------------------ */

  // Hvilke komponenter der er initialiseret på hvilke elementer, så et element
  // aldrig får dobbelte event listeners (fx når et innerHTML-swap har containeren
  // selv som mål).
  var done = new WeakMap();

  function markDone(el, key) {
    var keys = done.get(el);
    if (!keys) {
      keys = {};
      done.set(el, keys);
    }
    if (keys[key]) {
      return false;
    }
    keys[key] = true;
    return true;
  }

  function matchesIn(scope, selector) {
    var found = [];
    if (scope.nodeType === 1 && scope.matches(selector)) {
      found.push(scope);
    }
    var list = scope.querySelectorAll(selector);
    for (var i = 0; i < list.length; i++) {
      found.push(list[i]);
    }
    return found;
  }

  // Samme komponenter og selektorer som DKFDS.init() (dkfds/src/js/dkfds.js),
  // men afgrænset til `scope` og uden Navigation, som er global for siden og
  // ikke tåler at blive initialiseret to gange (den tilføjer fx "Mere"-menuen igen).
  var COMPONENTS = [
    ["accordion", ".accordion, .accordion-bordered", function (el) { new DKFDS.Accordion(el).init(); }],
    ["alert", ".alert.has-close", function (el) { new DKFDS.Alert(el).init(); }],
    ["backtotop", ".back-to-top-button", function (el) { new DKFDS.BackToTop(el).init(); }],
    ["charlimit", ".form-limit", function (el) { new DKFDS.CharacterLimit(el).init(); }],
    ["checkboxtoggle", ".js-checkbox-toggle-content", function (el) { new DKFDS.CheckboxToggleContent(el).init(); }],
    ["dropdown", ".js-dropdown", function (el) { new DKFDS.Dropdown(el).init(); }],
    ["dropdownsort", ".overflow-menu--sort", function (el) { new DKFDS.DropdownSort(el).init(); }],
    ["modal", ".fds-modal", function (el) { new DKFDS.Modal(el).init(); }],
    ["menudropdown", ".js-menudropdown", function (el) { new DKFDS.MenuDropdown(el).init(); }],
    ["radiotoggle", ".js-radio-toggle-group", function (el) { new DKFDS.RadioToggleGroup(el).init(); }],
    ["responsivetable",
      "table.table--responsive-headers, table.table-sm-responsive-headers, " +
      "table.table-md-responsive-headers, table.table-lg-responsive-headers",
      function (el) { new DKFDS.ResponsiveTable(el); }],
    ["selectabletable", "table.table--selectable", function (el) { new DKFDS.TableSelectableRows(el).init(); }],
    ["tabs", "div.tab-container", function (el) { new DKFDS.Tabs(el).init(); }],
    ["tooltip", ".tooltip-wrapper", function (el) { new DKFDS.Tooltip(el).init(); }],
    ["datepicker", ".date-picker", null] // håndteres samlet nedenfor
  ];

  // Markér alt, som DKFDS.init() allerede har taget sig af ved sideindlæsning.
  function markAll(scope) {
    COMPONENTS.forEach(function (c) {
      matchesIn(scope, c[1]).forEach(function (el) { markDone(el, c[0]); });
    });
  }

  function initScope(scope) {
    if (!DKFDS || !scope || scope.nodeType !== 1 || !scope.isConnected) {
      return;
    }
    COMPONENTS.forEach(function (c) {
      if (!c[2]) {
        return;
      }
      matchesIn(scope, c[1]).forEach(function (el) {
        if (markDone(el, c[0])) {
          try {
            c[2](el);
          } catch (err) {
            if (window.console) { window.console.error("anskaf: DKFDS " + c[0], err); }
          }
        }
      });
    });

    // Datovælgeren er en "behavior": DKFDS.init() har allerede lagt dens
    // (delegerede) event listeners på document, så nye datovælgere skal kun
    // "forbedres" (init), ikke have listeners igen (on) – ellers dobbelt-håndtering.
    // init springer datovælgere over, der allerede er forbedret.
    var pickers = matchesIn(scope, ".date-picker").filter(function (el) {
      return markDone(el, "datepicker");
    });
    if (pickers.length && DKFDS.datePicker && typeof DKFDS.datePicker.init === "function") {
      try {
        DKFDS.datePicker.init(scope.parentElement || scope);
      } catch (err) {
        if (window.console) { window.console.error("anskaf: DKFDS datePicker", err); }
      }
    }

    // Fejlopsummering: DKFDS flytter fokus til den og gør dens links til at
    // fokusere det tilhørende felt.
    var summary = matchesIn(scope, '[data-module="error-summary"]')[0];
    if (summary && markDone(summary, "errorsummary")) {
      new DKFDS.ErrorSummary(summary).init();
    }
  }

  function initPage() {
    if (!DKFDS || typeof DKFDS.init !== "function") {
      return;
    }
    try {
      DKFDS.init();
    } catch (err) {
      // Fx en accordion uden knapper – DKFDS stopper ved første fejl.
      if (window.console) { window.console.error("anskaf: DKFDS.init()", err); }
    }
    markAll(document.documentElement);
    var summary = document.querySelector('[data-module="error-summary"]');
    if (summary) {
      markDone(summary, "errorsummary");
    }
  }

  /* ------------------------------------------------------------------ *
   * Fokus efter htmx-swap
   * ------------------------------------------------------------------ */

  var NATIVELY_FOCUSABLE =
    "a[href], area[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), " +
    "select:not([disabled]), textarea:not([disabled]), summary, iframe, [contenteditable=''], " +
    "[contenteditable='true'], [tabindex]";

  function moveFocus(scope) {
    if (!scope || scope.nodeType !== 1 || !scope.isConnected) {
      return false;
    }
    var target = matchesIn(scope, "[data-autofocus]")[0];
    if (!target) {
      return false;
    }
    if (!target.matches(NATIVELY_FOCUSABLE)) {
      target.setAttribute("tabindex", "-1");
    }
    target.focus();
    return document.activeElement === target;
  }

  /* ------------------------------------------------------------------ *
   * data-confirm
   * ------------------------------------------------------------------ */

  function isSubmitter(el) {
    if (!el.form) {
      return false;
    }
    var tag = el.tagName;
    var type = (el.getAttribute("type") || "").toLowerCase();
    return (tag === "BUTTON" && (type === "" || type === "submit")) ||
      (tag === "INPUT" && (type === "submit" || type === "image"));
  }

  function cancel(evt) {
    evt.preventDefault();
    evt.stopImmediatePropagation();
    evt.stopPropagation();
  }

  // Capture-fasen på document kører før htmx' egen submit-lytter på formularen,
  // så et "Annuller" stopper både almindelige og htmx-formularer.
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (!(form instanceof HTMLFormElement)) {
      return;
    }
    var submitter = evt.submitter;
    var text = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (text && !window.confirm(text)) {
      cancel(evt);
    }
  }, true);

  // Links og htmx-knapper uden for en formular (fx hx-delete på en knap).
  document.addEventListener("click", function (evt) {
    var el = evt.target instanceof Element ? evt.target.closest("[data-confirm]") : null;
    if (!el || el instanceof HTMLFormElement || isSubmitter(el)) {
      return; // formularer håndteres af submit-lytteren ovenfor
    }
    if (el.matches("input, select, textarea, label")) {
      return;
    }
    if (!window.confirm(el.getAttribute("data-confirm"))) {
      cancel(evt);
    }
  }, true);

  /* ------------------------------------------------------------------ *
   * data-unsaved-warning
   * ------------------------------------------------------------------ */

  function markUnsaved(evt) {
    var form = evt.target && evt.target.form;
    if (form && form.hasAttribute("data-unsaved-warning")) {
      form.setAttribute("data-unsaved", "");
    }
  }
  document.addEventListener("input", markUnsaved);

  // Tekstfelter vokser med indholdet (aldrig under de rækker, serveren gav dem).
  function grow(area) {
    if (area.scrollHeight > area.clientHeight) {
      area.style.height = area.scrollHeight + 2 + "px";
    }
  }
  document.addEventListener("input", function (evt) {
    var el = evt.target;
    if (el instanceof HTMLTextAreaElement && el.classList.contains("form-input")) {
      grow(el);
    }
  });

  // Datovælgeren: det skrevne sendes, også når kalenderen ikke kunne læse det.
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (!(form instanceof HTMLFormElement)) {
      return;
    }
    var pickers = form.querySelectorAll(".date-picker");
    for (var i = 0; i < pickers.length; i++) {
      var internal = pickers[i].querySelector(".date-picker__internal-input");
      var external = pickers[i].querySelector(".date-picker__external-input");
      if (internal && external && !internal.value && external.value.trim()) {
        internal.value = external.value.trim();
      }
    }
  }, true);
  document.addEventListener("change", markUnsaved);

  // Efter data-confirm-lytteren: en annulleret formular (stopImmediatePropagation)
  // beholder sin markering; en sendt formular mister den.
  document.addEventListener("submit", function (evt) {
    if (evt.target instanceof HTMLFormElement) {
      evt.target.removeAttribute("data-unsaved");
    }
  }, true);

  // data-plain-submit på en submit-knap: formularen sendes som almindelig formular
  // til knappens formaction (htmx' lytter på formularen nås ikke).
  document.addEventListener("submit", function (evt) {
    if (evt.submitter && evt.submitter.hasAttribute("data-plain-submit")) {
      evt.stopPropagation();
    }
  }, true);

  window.addEventListener("beforeunload", function (evt) {
    if (document.querySelector("form[data-unsaved-warning][data-unsaved]")) {
      evt.preventDefault();
      evt.returnValue = "";
    }
  });

  /* ------------------------------------------------------------------ *
   * htmx
   * ------------------------------------------------------------------ */

  // htmx:afterSettle udløses på hvert element i det nye indhold (for innerHTML
  // på målet, for outerHTML på de nye elementer, og for out-of-band-swaps).
  document.addEventListener("htmx:afterSettle", function (evt) {
    var scope = evt.target;
    initScope(scope);
    moveFocus(scope);
  });

  // Markér det område, der opdateres, som optaget for skærmlæsere.
  document.addEventListener("htmx:beforeRequest", function (evt) {
    var target = evt.detail && evt.detail.target;
    if (target && target.setAttribute) {
      target.setAttribute("aria-busy", "true");
    }
  });
  document.addEventListener("htmx:afterRequest", function (evt) {
    var target = evt.detail && evt.detail.target;
    if (target && target.removeAttribute) {
      target.removeAttribute("aria-busy");
    }
  });

  /* ------------------------------------------------------------------ */

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", initPage);
  } else {
    initPage();
  }

  // Til test og fejlsøgning.
  window.anskaf = { initScope: initScope, moveFocus: moveFocus };
})();

/*
 * Tabeller på en smal skærm: hver tabel ruller inden for sin egen ramme
 * (.table--responsive-scroll; en tabel uden ramme får en), og en ramme, hvis
 * tabel er bredere end skærmen, får en synlig hint-tekst og kan fokuseres, så
 * den også kan rulles med piletasterne.
 */
(function () {
  "use strict";

  function wrapBareTables(scope) {
    Array.prototype.forEach.call(scope.querySelectorAll("main table.table"), function (table) {
      var parent = table.parentElement;
      if (!parent || parent.classList.contains("table--responsive-scroll")) {
        return;
      }
      var frame = document.createElement("div");
      frame.className = "table--responsive-scroll";
      parent.insertBefore(frame, table);
      frame.appendChild(table);
    });
  }

  function markScrollable(scope) {
    Array.prototype.forEach.call(scope.querySelectorAll(".table--responsive-scroll"), function (frame) {
      var wide = frame.scrollWidth > frame.clientWidth + 1;
      frame.classList.toggle("anskaf-scrollable", wide);
      if (wide) {
        frame.setAttribute("tabindex", "0");
        frame.setAttribute("role", "region");
        var caption = frame.querySelector("caption");
        frame.setAttribute("aria-label", (caption ? caption.textContent.trim() + ". " : "") +
                           "Tabellen kan rulles vandret");
      } else if (frame.getAttribute("role") === "region") {
        frame.removeAttribute("tabindex");
        frame.removeAttribute("role");
        frame.removeAttribute("aria-label");
      }
    });
  }

  function run(scope) {
    if (!scope || !scope.querySelectorAll) { return; }
    wrapBareTables(scope);
    markScrollable(document);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { run(document); });
  } else {
    run(document);
  }
  document.addEventListener("htmx:afterSettle", function (e) { run(e.target); });
  var pending;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(function () { markScrollable(document); }, 150);
  });
})();
