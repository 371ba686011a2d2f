// Pitwall's small client side: confirmations, unsaved drafts (minutes, reviews), meeting mode, and error notices.
(function () {
  "use strict";

  // Forms with data-confirm ask before they are sent (runs before htmx sees the submit).
  document.addEventListener("submit", function (event) {
    var message = event.target.dataset && event.target.dataset.confirm;
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // A running count of ticked boxes with its verdict (the manager assessment): levels are
  // [minimum, label] pairs, highest first; the server computes the verdict that is saved.
  function tally(form) {
    var boxes = form.querySelectorAll("input[type=checkbox][name^='" + form.dataset.tally + "']");
    var count = Array.prototype.filter.call(boxes, function (b) { return b.checked; }).length;
    var levels = JSON.parse(form.dataset.tallyLevels), verdict = "";
    for (var i = 0; i < levels.length; i++) { if (count >= levels[i][0]) { verdict = levels[i][1]; break; } }
    document.getElementById(form.dataset.tallyTarget).textContent =
      form.dataset.tallyText.replace("{count}", count).replace("{verdict}", verdict);
  }
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form[data-tally]");
    if (form) tally(form);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-tally]").forEach(tally);
  });

  function notice(text, kind) {
    var box = document.getElementById("flashes");
    if (!box) return;
    var div = document.createElement("div");
    div.className = "flash flash-" + (kind || "danger");
    div.setAttribute("role", "alert");
    div.textContent = text;
    box.appendChild(div);
    window.scrollTo({ top: 0, behavior: "smooth" });
  }

  // Minutes keep a copy in this browser until the server has them, so a dropped connection or an
  // expired login loses nothing: the copy is restored (and saved) when the page is opened again.
  function draftKey(form) { return "pitwall-draft-" + form.dataset.draftKey; }

  // Every textarea of the form is kept (the minutes have one, a monthly review four).
  function textareas(form) { return form.querySelectorAll("textarea[name]"); }

  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("form[data-draft-key]");
    if (!form || event.target.tagName !== "TEXTAREA") return;
    var fields = {};
    textareas(form).forEach(function (area) { fields[area.name] = area.value; });
    try {
      localStorage.setItem(draftKey(form), JSON.stringify({
        version: form.querySelector("input[name=version]").value, fields: fields,
      }));
    } catch (e) { /* storage full or disabled: autosave still runs */ }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt.closest && event.detail.elt.closest("form[data-draft-key]");
    if (form && event.detail.xhr && event.detail.xhr.status === 200) {
      localStorage.removeItem(draftKey(form));
    }
  });

  function restoreDrafts() {
    document.querySelectorAll("form[data-draft-key]").forEach(function (form) {
      var raw = localStorage.getItem(draftKey(form));
      if (!raw) return;
      var draft = JSON.parse(raw);
      // Drafts written before several fields were kept hold one `text`: the minutes.
      var fields = draft.fields || { minutes: draft.text };
      var changed = false;
      textareas(form).forEach(function (area) {
        if (fields[area.name] !== undefined && fields[area.name] !== area.value) changed = true;
      });
      if (!changed) { localStorage.removeItem(draftKey(form)); return; }
      textareas(form).forEach(function (area) {
        if (fields[area.name] !== undefined) area.value = fields[area.name];
      });
      form.querySelector("input[name=version]").value = draft.version;
      notice(document.body.dataset.msgDraft, "warning");
      if (window.htmx && form.getAttribute("hx-post")) window.htmx.trigger(form, "submit");
    });
  }

  // Meeting mode. "+ Action item" / "+ Decision" open the form at the end of the page for the agenda
  // item they were clicked in (without JS the link reloads with ?item= and the anchor).
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-add]");
    if (!link) return;
    var form = document.getElementById("add-" + link.dataset.add);
    if (!form) return;
    event.preventDefault();
    var select = form.querySelector("select[name$='agenda_item_id']");
    if (select && link.dataset.addFor) select.value = link.dataset.addFor;
    form.scrollIntoView({ block: "center" });
    var first = form.querySelector("input[type=text], textarea");
    if (first) first.focus({ preventScroll: true });
  });

  // A review choice that asks for a date or reason puts the cursor in its first field.
  document.addEventListener("htmx:load", function (event) {
    var field = event.detail.elt.querySelector && event.detail.elt.querySelector("[data-autofocus]");
    if (field) field.focus();
  });

  // The meeting clock: the minutes since the start the server counted, counted on from page load
  // (so the browser's own time zone does not matter).
  var loadedAt = Date.now();
  function tick() {
    document.querySelectorAll("[data-elapsed]").forEach(function (out) {
      out.textContent = Number(out.dataset.elapsed) + Math.floor((Date.now() - loadedAt) / 60000);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { window.setInterval(tick, 20000); });

  // Buttons with data-print print the page (no inline onclick: the CSP allows no inline script).
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) window.print();
  });

  // A wide table opens scrolled so that its current column ([data-current]) and the one before it are
  // in view (the KPI grid: the months being entered now), without sideways scrolling by hand.
  function scrollToCurrent() {
    document.querySelectorAll("[data-scroll-to-current]").forEach(function (box) {
      var cell = box.querySelector("[data-current]");
      if (!cell || box.scrollWidth <= box.clientWidth) return;
      var right = cell.offsetLeft + cell.offsetWidth;
      if (right > box.clientWidth) box.scrollLeft = right - box.clientWidth + 8;
    });
  }
  document.addEventListener("DOMContentLoaded", scrollToCurrent);

  document.addEventListener("htmx:responseError", function () { notice(document.body.dataset.msgError); });
  document.addEventListener("htmx:sendError", function () { notice(document.body.dataset.msgError); });
  document.addEventListener("DOMContentLoaded", restoreDrafts);

  // The header's "More" closes when one clicks elsewhere or presses Escape, as a menu does.
  function closeMenus(except) {
    document.querySelectorAll("details.nav-more[open]").forEach(function (menu) {
      if (menu !== except) { menu.removeAttribute("open"); }
    });
  }
  document.addEventListener("click", function (event) { closeMenus(event.target.closest("details.nav-more")); });
  document.addEventListener("keydown", function (event) { if (event.key === "Escape") { closeMenus(null); } });
})();
