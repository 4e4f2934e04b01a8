// The survey pages' banner preview follows the texts form as the admin types. The
// preview is drawn by the server; without this script it shows the saved texts.
"use strict";
(function () {
  var banner = document.getElementById("banner");
  if (!banner) return;
  var ALIASES = { no: "nb", nn: "nb" };
  var ends = {};
  try { ends = JSON.parse(banner.getAttribute("data-ends") || "{}"); } catch (e) { ends = {}; }

  document.querySelectorAll("[data-preview-source]").forEach(function (field) {
    var target = document.getElementById(field.getAttribute("data-preview-source"));
    if (!target) return;
    field.addEventListener("input", function () { target.textContent = field.value; });
  });

  var locale = document.querySelector("[data-preview-locale]");
  if (!locale) return;
  locale.addEventListener("input", function () {
    var tag = locale.value.trim();
    var language = tag.split(/[-_]/)[0].toLowerCase();
    language = ALIASES[language] || language;
    var words = ends[language] || ends.en;
    if (!words) return;
    banner.setAttribute("lang", tag || "en");
    document.getElementById("preview-low").textContent = words[0];
    document.getElementById("preview-high").textContent = words[1];
  });
})();
