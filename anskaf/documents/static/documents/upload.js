/*
 * anskaf – upload af dokumenter på sagens trin.
 *
 * Uden JavaScript er upload-formularen en almindelig multipart-formular. Med
 * JavaScript sendes den med XMLHttpRequest, så en fremdriftslinje kan vise,
 * hvor langt uploaden er, og filer kan trækkes ind på feltet (drag and drop).
 * Al adfærd hænger på data-attributter (ingen inline scripts, streng CSP):
 *
 *   form[data-upload]        formularen
 *   [data-dropzone]          feltet man kan trække filer hen på
 *   [data-progress-wrap]     skjult indtil uploaden begynder
 *   progress[data-progress]  fremdriften i procent
 *   [data-upload-status]     role="status": læses op af skærmlæsere
 *
 * Lytterne sidder på document, så formularer, som htmx bytter ind, også virker.
 */
(function () {
  "use strict";

  function part(form, selector) { return form.querySelector(selector); }

  function say(form, text) {
    var status = part(form, "[data-upload-status]");
    if (status) { status.textContent = text; }
  }

  function reloadAt(url) {
    var target = new URL(url, window.location.href);
    if (target.pathname === window.location.pathname) {
      window.location.hash = target.hash;
      window.location.reload();
    } else {
      window.location.assign(target.href);
    }
  }

  // Uploaden er enten sin egen formular (form[data-upload]) eller en del af trinnets
  // formular: felterne har form="…" og knappen data-upload-button og formaction, så
  // bemærkninger og tjekliste sendes (og gemmes) med filerne. Capture-fasen kører før
  // htmx' lytter på trinnets formular.
  document.addEventListener("submit", function (event) {
    var owner = event.target;
    if (!owner.matches || !window.FormData) { return; }
    var submitter = event.submitter;
    var form = null;
    var url = owner.action;
    if (submitter && submitter.hasAttribute("data-upload-button")) {
      form = submitter.closest("[data-upload]");
      url = submitter.formAction;
    } else if (owner.matches("form[data-upload]")) {
      form = owner;
    }
    if (!form) { return; }
    var input = part(form, "input[type=file]");
    if (!input || !input.files || input.files.length === 0) {
      if (form !== owner) {  // ingen required-attribut her: "Gem" skal virke uden filer
        event.preventDefault();
        event.stopPropagation();
        owner.setAttribute("data-unsaved", "");
        say(form, "Vælg mindst én fil at uploade.");
      }
      return;  // ellers: lad browseren sige fra
    }
    event.preventDefault();
    event.stopPropagation();
    var wrap = part(form, "[data-progress-wrap]");
    var bar = part(form, "progress[data-progress]");
    var button = submitter || part(form, "button[type=submit]");
    if (wrap) { wrap.hidden = false; }
    if (bar) { bar.value = 0; }
    if (button) { button.disabled = true; }
    say(form, "Uploader " + input.files.length + (input.files.length === 1 ? " fil …" : " filer …"));

    var xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("X-Requested-With", "anskaf-upload");
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable && bar) { bar.value = Math.round((e.loaded / e.total) * 100); }
    });
    xhr.addEventListener("load", function () {
      var body = {};
      try { body = JSON.parse(xhr.responseText); } catch (ignore) { body = {}; }
      if (xhr.status >= 200 && xhr.status < 300 && body.redirect) {
        if (bar) { bar.value = 100; }
        say(form, "Uploadet. Siden opdateres …");
        reloadAt(body.redirect);
        return;
      }
      if (button) { button.disabled = false; }
      if (wrap) { wrap.hidden = true; }
      if (owner !== form) { owner.setAttribute("data-unsaved", ""); }  // intet er gemt
      say(form, body.message || "Uploaden mislykkedes (fejl " + xhr.status + "). Prøv igen.");
    });
    xhr.addEventListener("error", function () {
      if (button) { button.disabled = false; }
      if (wrap) { wrap.hidden = true; }
      say(form, "Forbindelsen blev afbrudt, og intet er gemt. Prøv igen.");
    });
    xhr.send(new FormData(owner));
  }, true);

  function zone(event) {
    return event.target.closest ? event.target.closest("[data-dropzone]") : null;
  }

  ["dragenter", "dragover"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var z = zone(event);
      if (!z) { return; }
      event.preventDefault();
      z.classList.add("anskaf-dropzone--over");
    });
  });

  document.addEventListener("dragleave", function (event) {
    var z = zone(event);
    if (z) { z.classList.remove("anskaf-dropzone--over"); }
  });

  document.addEventListener("drop", function (event) {
    var z = zone(event);
    if (!z) { return; }
    event.preventDefault();
    z.classList.remove("anskaf-dropzone--over");
    var input = z.querySelector("input[type=file]");
    if (!input || !event.dataTransfer || !event.dataTransfer.files.length) { return; }
    input.files = event.dataTransfer.files;
    var form = z.closest("[data-upload]");
    if (form) { say(form, event.dataTransfer.files.length + " fil(er) valgt. Tryk Upload."); }
  });
}());
