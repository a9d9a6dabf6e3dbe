(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var req = $("f-req"), tag = $("f-tag"), text = $("f-text");
  var scenarios = document.querySelectorAll("section.scenario");
  function listed(list, value) { return !value || list.split(" ").indexOf(value) >= 0; }
  function apply() {
    var q = text.value.trim().toLowerCase(), shown = 0;
    for (var i = 0; i < scenarios.length; i++) {
      var s = scenarios[i], d = s.dataset;
      s.hidden = !(listed(d.req, req.value) && listed(d.tag, tag.value) &&
        d.search.toLowerCase().indexOf(q) >= 0);
      if (!s.hidden && $("show-" + d.verdict).checked) shown++;
    }
    $("f-shown").textContent = shown;
    $("no-match").hidden = shown > 0;
  }
  $("f-more").hidden = false;
  document.addEventListener("input", apply);
  document.addEventListener("change", apply);
  apply();
})();
