// The survey pages' banner preview follows the form as the admin types: the texts,
// the language of the scale's ends, and (on a new survey) the metric's scale. The
// preview is drawn by the server; without this script it shows what was last sent.
"use strict";
(function () {
  var banner = document.getElementById("banner");
  if (!banner) return;
  var ALIASES = { no: "nb", nn: "nb" };
  var metrics = {};
  try { metrics = JSON.parse(banner.getAttribute("data-ends") || "{}"); } catch (e) { metrics = {}; }
  var locale = document.querySelector("[data-preview-locale]");
  var metric = document.querySelector("[data-preview-metric]");

  document.querySelectorAll("[data-preview-source]").forEach(function (field) {
    var target = document.getElementById(field.getAttribute("data-preview-source"));
    if (!target) return;
    field.addEventListener("input", function () { target.textContent = field.value; });
  });

  function currentMetric() {
    return metric ? metric.value : banner.getAttribute("data-metric");
  }

  function redrawEnds() {
    var found = metrics[currentMetric()];
    if (!found) return;
    var tag = locale ? locale.value.trim() : "";
    var language = tag.split(/[-_]/)[0].toLowerCase();
    language = ALIASES[language] || language;
    var words = found.ends[language] || found.ends.en;
    banner.setAttribute("lang", tag || "en");
    document.getElementById("preview-low").textContent = words[0];
    document.getElementById("preview-high").textContent = words[1];
  }

  function redrawScale() {
    var found = metrics[currentMetric()];
    var scale = document.getElementById("preview-scale");
    if (!found || !scale) return;
    while (scale.firstChild) scale.removeChild(scale.firstChild);
    for (var n = found.scale[0]; n <= found.scale[1]; n++) {
      var item = document.createElement("li");
      item.textContent = String(n);
      scale.appendChild(item);
    }
    redrawEnds();
  }

  if (locale) locale.addEventListener("input", redrawEnds);
  if (metric) metric.addEventListener("change", redrawScale);
})();
