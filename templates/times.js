// Fills the training-time cells of a report's tables from provenance.js (window.mgdlProvenance),
// written by mgdl-report beside provenance.json: wall times depend on the machine and the moment,
// so the pages themselves do not carry them. A cell names its runs (several when the row is the
// mean over repeats) and, for a grade's row, the grade (1-based).
(function () {
  "use strict";
  var record = window.mgdlProvenance;
  if (!record || !record.runs) { return; }
  function format(seconds) { return seconds >= 100 ? seconds.toFixed(0) : seconds >= 1 ? seconds.toFixed(1) : seconds.toFixed(2); }
  document.querySelectorAll("table[data-report] td.time").forEach(function (cell) {
    var report = cell.closest("table").getAttribute("data-report");
    var grade = cell.getAttribute("data-grade");
    var values = [];
    cell.getAttribute("data-runs").split(" ").forEach(function (run) {
      var entry = record.runs[report + "/" + run];
      if (!entry) { return; }
      var value = grade ? (entry.gradeSeconds || [])[Number(grade) - 1] : entry.seconds;
      if (typeof value === "number") { values.push(value); }
    });
    if (values.length === 0) { return; }
    var n = values.length, mean = values.reduce(function (a, b) { return a + b; }, 0) / n;
    var text = format(mean);
    if (n > 1) {
      var variance = values.reduce(function (a, b) { return a + (b - mean) * (b - mean); }, 0) / (n - 1);
      text += " ± " + format(Math.sqrt(variance)) + " (n = " + n + ")";
    }
    var ours = cell.querySelector(".ours");
    ours.textContent = text;
    ours.title = "wall time of this build's training, from provenance.json";
  });
})();
