// Site search, offline: lunr indexes the documents of search-data.js (written at build time:
// sections, captions, experiments and run names of every report) and ranks them for ?q=.
// Results are built with textContent only; nothing from the data is parsed as HTML.
(function () {
  "use strict";
  var docs = window.mgdlSearchDocs || [];
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var all = document.getElementById("search-all");
  var params = new URLSearchParams(window.location.search);
  var q = (params.get("q") || "").trim();
  var input = document.getElementById("site-search-q");
  if (input) { input.value = q; }
  if (typeof lunr === "undefined") { status.textContent = "The search index could not be loaded; every report and section is listed below."; return; }
  if (!q) { status.textContent = "Type a word above: titles, prose, captions and run names of every report are searched."; return; }

  var index = lunr(function () {
    this.ref("i");
    this.field("t", { boost: 6 });
    this.field("r", { boost: 2 });
    this.field("x");
    // Run names like compare--mgdl: split on - as well (lunr's default separator does).
    for (var i = 0; i < docs.length; i++) {
      this.add({ i: String(i), t: docs[i].t, r: docs[i].r, x: docs[i].x });
    }
  });

  var terms = lunr.tokenizer(q).map(function (t) { return t.toString(); }).filter(function (t) { return t.length > 0; });
  var hits = index.query(function (query) {
    terms.forEach(function (term) {
      query.term(term, { boost: 10 });
      query.term(term, { boost: 1, wildcard: lunr.Query.wildcard.TRAILING });
    });
  });

  function snippet(text) {
    var lower = text.toLowerCase();
    var at = -1;
    for (var i = 0; i < terms.length && at < 0; i++) { at = lower.indexOf(terms[i]); }
    var start = Math.max(0, at - 80);
    var s = (start > 0 ? "…" : "") + text.slice(start, start + 220) + (start + 220 < text.length ? "…" : "");
    return s;
  }

  function highlight(parent, text) {
    var lower = text.toLowerCase();
    var pos = 0;
    while (pos < text.length) {
      var next = -1, len = 0;
      terms.forEach(function (t) {
        var k = lower.indexOf(t, pos);
        if (k >= 0 && (next < 0 || k < next)) { next = k; len = t.length; }
      });
      if (next < 0) { parent.appendChild(document.createTextNode(text.slice(pos))); break; }
      parent.appendChild(document.createTextNode(text.slice(pos, next)));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(next, next + len);
      parent.appendChild(mark);
      pos = next + len;
    }
  }

  hits.forEach(function (hit) {
    var doc = docs[Number(hit.ref)];
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = doc.h;
    a.textContent = doc.t;
    li.appendChild(a);
    var where = document.createElement("span");
    where.className = "meta";
    where.textContent = " · " + doc.k + (doc.t !== doc.r ? " in " + doc.r : "");
    li.appendChild(where);
    var p = document.createElement("p");
    p.className = "search-snippet";
    highlight(p, snippet(doc.x));
    li.appendChild(p);
    list.appendChild(li);
  });
  status.textContent = hits.length + (hits.length === 1 ? " result" : " results") + " for “" + q + "”.";
  if (all) { all.hidden = true; }
})();
