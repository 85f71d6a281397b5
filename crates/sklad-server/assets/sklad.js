// Sklad back office: a little progressive enhancement. Every page works without it.
(function () {
  "use strict";

  // Menu: one section open at a time; Escape closes it.
  var sections = document.querySelectorAll("nav.menu details.section");
  sections.forEach(function (section) {
    section.addEventListener("toggle", function () {
      if (!section.open) { return; }
      sections.forEach(function (other) { if (other !== section) { other.open = false; } });
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    sections.forEach(function (section) {
      if (section.open) { section.open = false; section.querySelector("summary").focus(); }
    });
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest("nav.menu")) { return; }
    sections.forEach(function (section) { section.open = false; });
  });

  // A refused form: the first field with an error gets the focus (and scrolls into
  // view), so the merchant sees what to correct without searching for it.
  var firstInvalid = document.querySelector("main [aria-invalid=true]");
  if (firstInvalid) { firstInvalid.focus(); }

  // Forms that cannot be undone (annul) ask first; without script they post directly.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });

  // Goods form: "add barcode" clones the last barcode input.
  document.querySelectorAll("[data-add-barcode]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var list = document.getElementById(button.getAttribute("data-add-barcode"));
      var rows = list.querySelectorAll("[data-barcode-row]");
      var last = rows[rows.length - 1];
      var copy = last.cloneNode(true);
      var input = copy.querySelector("input");
      var n = rows.length;
      input.value = "";
      input.id = "barcode-" + n;
      var label = copy.querySelector("label");
      label.setAttribute("for", input.id);
      label.textContent = label.textContent.replace(/\d+\s*$/, String(n + 1));
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
      copy.querySelectorAll(".field-error").forEach(function (e) { e.remove(); });
      copy.querySelectorAll(".invalid").forEach(function (e) { e.classList.remove("invalid"); });
      list.appendChild(copy);
      input.focus();
    });
  });

  // Operation entry: line editing and live totals. Amounts are handled in integer
  // minor units, rounding half away from zero exactly as the server does.
  var form = document.querySelector("form[data-operation]");
  if (!form) { return; }
  var body = form.querySelector("tbody[data-lines]");
  var rate = 195583; // BGN per EUR, scaled by 100000

  function parseMinor(text) {
    var t = String(text || "").replace(/[\s\u00a0]/g, "").replace(",", ".");
    if (!/^-?\d*(\.\d{0,2})?$/.test(t) || t === "" || t === "-" || t === ".") { return null; }
    var neg = t.charAt(0) === "-";
    if (neg) { t = t.slice(1); }
    var parts = t.split(".");
    var minor = Number(parts[0] || "0") * 100 + Number(((parts[1] || "") + "00").slice(0, 2));
    return neg ? -minor : minor;
  }
  function parseMilli(text) {
    var t = String(text || "").trim().replace(",", ".");
    if (!/^\d*(\.\d{0,3})?$/.test(t) || t === "" || t === ".") { return null; }
    var parts = t.split(".");
    return Number(parts[0] || "0") * 1000 + Number(((parts[1] || "") + "000").slice(0, 3));
  }
  function divRound(n, d) {
    var q = Math.trunc(n / d), r = n - q * d;
    if (2 * Math.abs(r) >= d) { q += n < 0 ? -1 : 1; }
    return q;
  }
  function format(minor, currency) {
    var sign = minor < 0 ? "-" : "";
    var abs = Math.abs(minor);
    var whole = String(Math.trunc(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0");
    var cents = String(abs % 100).padStart(2, "0");
    return sign + whole + "," + cents + "\u00a0" + (currency === "EUR" ? "€" : "лв");
  }

  function recalc() {
    var currency = form.querySelector("[name=currency]").value;
    var gross = 0, vat = 0;
    body.querySelectorAll("tr").forEach(function (row) {
      var qty = parseMilli(row.querySelector("[data-qty]").value);
      var price = parseMinor(row.querySelector("[data-price]").value);
      var disc = parseMinor(row.querySelector("[data-discount]").value || "0");
      var pct = Number(row.querySelector("[data-vat]").value || "20");
      var cell = row.querySelector("[data-line-total]");
      if (qty === null || price === null || disc === null) { cell.textContent = "—"; return; }
      var total = divRound(qty * price * (10000 - disc), 1000 * 10000);
      var lineVat = divRound(total * pct, 100 + pct);
      gross += total; vat += lineVat;
      cell.textContent = format(total, currency);
    });
    form.querySelector("[data-total-gross]").textContent = format(gross, currency);
    form.querySelector("[data-total-vat]").textContent = format(vat, currency);
    form.querySelector("[data-total-net]").textContent = format(gross - vat, currency);
    var other = currency === "EUR" ? divRound(gross * rate, 100000) : divRound(gross * 100000, rate);
    form.querySelector("[data-total-other]").textContent = format(other, currency === "EUR" ? "BGN" : "EUR");
  }

  function renumber() {
    body.querySelectorAll("tr").forEach(function (row, i) {
      row.querySelectorAll("input, select").forEach(function (el) {
        var name = el.getAttribute("name");
        if (name) { el.setAttribute("name", name.replace(/^lines\[\d+\]/, "lines[" + i + "]")); }
        if (el.id) { el.id = el.id.replace(/^line-\d+-/, "line-" + i + "-"); }
      });
      row.querySelectorAll("label[for]").forEach(function (label) {
        label.setAttribute("for", label.getAttribute("for").replace(/^line-\d+-/, "line-" + i + "-"));
      });
    });
  }

  // Known goods (code or barcode → VAT % and default price) for the chosen object.
  var goods = {};
  var data = document.getElementById("goods-data");
  if (data) { try { goods = JSON.parse(data.textContent); } catch (e) { goods = {}; } }
  body.addEventListener("change", function (event) {
    var input = event.target.closest("[data-good]");
    if (!input) { return; }
    var good = goods[input.value.trim()];
    if (!good) { return; }
    var row = input.closest("tr");
    row.querySelector("[data-vat]").value = String(good.vat);
    var price = row.querySelector("[data-price]");
    if (price.value.trim() === "" && good.price) { price.value = good.price; }
    recalc();
  });

  form.addEventListener("input", recalc);
  form.addEventListener("change", recalc);
  body.addEventListener("click", function (event) {
    var button = event.target.closest("[data-remove-line]");
    if (!button) { return; }
    event.preventDefault();
    if (body.querySelectorAll("tr").length > 1) {
      button.closest("tr").remove();
    } else {
      button.closest("tr").querySelectorAll("input").forEach(function (i) { i.value = ""; });
    }
    renumber(); recalc();
  });
  var add = form.querySelector("[data-add-line]");
  if (add) {
    add.addEventListener("click", function (event) {
      event.preventDefault();
      var rows = body.querySelectorAll("tr");
      var copy = rows[rows.length - 1].cloneNode(true);
      copy.querySelectorAll("input").forEach(function (i) { i.value = i.hasAttribute("data-discount") ? "0" : ""; });
      copy.querySelectorAll(".field-error").forEach(function (e) { e.remove(); });
      copy.querySelectorAll(".invalid").forEach(function (e) { e.classList.remove("invalid"); });
      body.appendChild(copy);
      renumber(); recalc();
      copy.querySelector("input").focus();
    });
  }
  recalc();
})();
