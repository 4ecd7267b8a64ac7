/* Takeup exit survey. One <script> tag on the council's page:
   <script src="https://…/static/insight/widget.js" data-survey="KEY" data-rate="20" data-lang="en" defer></script>
   A sampled share of visitors sees a small invitation; the survey opens in a dialog inside a
   shadow root, so its styles neither leak into the page nor take the page's. No cookie, no storage. */
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me || !window.fetch || !document.body || !document.body.attachShadow) return;
  var key = me.getAttribute("data-survey");
  var rate = parseFloat(me.getAttribute("data-rate") || "100");
  var lang = (me.getAttribute("data-lang") || document.documentElement.lang || "en").slice(0, 2) === "cy" ? "cy" : "en";
  var base = new URL(me.src).origin;
  if (!key || !(Math.random() * 100 < rate)) return;

  var T = {
    en: { invite: "Help us improve this website: answer a few short questions as you leave.", yes: "Answer the survey", no: "No thanks",
      title: "Tell us about your visit", send: "Send your answers", close: "Close", optional: "(optional)", thanks: "Thank you. Your answers will help us improve the website.",
      problem: "There is a problem", fail: "Your answers could not be sent. Try again later.", privacy: "We do not keep your IP address or set a cookie.",
      required: "Answer this question." },
    cy: { invite: "Helpwch ni i wella’r wefan hon: atebwch ychydig o gwestiynau byr wrth adael.", yes: "Ateb yr arolwg", no: "Dim diolch",
      title: "Dywedwch wrthym am eich ymweliad", send: "Anfon eich atebion", close: "Cau", optional: "(dewisol)", thanks: "Diolch. Bydd eich atebion yn ein helpu i wella’r wefan.",
      problem: "Mae problem", fail: "Nid oedd modd anfon eich atebion. Rhowch gynnig arall arni’n nes ymlaen.", privacy: "Nid ydym yn cadw eich cyfeiriad IP nac yn gosod cwci.",
      required: "Atebwch y cwestiwn hwn." }
  }[lang];

  var CSS = ":host{all:initial}*{box-sizing:border-box;font-family:system-ui,sans-serif;color:#0b0c0c}" +
    ".bar{position:fixed;bottom:0;left:0;right:0;z-index:2147483646;background:#f3f2f1;border-top:5px solid #1d70b8;padding:15px;font-size:19px;line-height:1.3}" +
    ".bar p{margin:0 0 10px}button{font:inherit;font-size:19px;padding:8px 12px;margin:0 10px 10px 0;border:2px solid transparent;border-radius:0;cursor:pointer;background:#00703c;color:#fff;box-shadow:0 2px 0 #002d18}" +
    "button.sec{background:#f3f2f1;color:#0b0c0c;box-shadow:0 2px 0 #929191}button:focus,input:focus,textarea:focus,[tabindex]:focus{outline:3px solid #fd0;outline-offset:0;box-shadow:inset 0 0 0 2px #0b0c0c}" +
    ".back{position:fixed;inset:0;background:rgba(11,12,12,.6);z-index:2147483647;overflow:auto;padding:20px}" +
    ".dlg{background:#fff;max-width:640px;margin:0 auto;padding:20px;border:2px solid #0b0c0c}h2{font-size:27px;margin:0 0 15px}" +
    "fieldset{border:0;padding:0;margin:0 0 20px}legend{font-weight:700;font-size:19px;margin-bottom:8px}label{font-size:19px}" +
    ".opt{display:block;margin:6px 0}.opt input{width:24px;height:24px;margin:0 8px 0 0;vertical-align:middle}" +
    ".hint{color:#505a5f;font-size:16px;margin:0 0 8px}textarea{width:100%;font:inherit;font-size:19px;border:2px solid #0b0c0c;padding:5px}" +
    ".err{color:#d4351c;font-weight:700;margin:0 0 8px}.sum{border:5px solid #d4351c;padding:15px;margin-bottom:20px}.sum a{color:#d4351c}.hp{position:absolute;left:-10000px}";

  var host = document.createElement("div");
  host.setAttribute("data-takeup-survey", "");
  document.body.appendChild(host);
  var root = host.attachShadow({ mode: "open" });
  var style = document.createElement("style");
  style.textContent = CSS;
  root.appendChild(style);

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text) e.textContent = text;
    return e;
  }

  var bar = el("div", { "class": "bar", role: "region", "aria-label": T.title });
  bar.appendChild(el("p", {}, T.invite));
  var yes = el("button", { type: "button" }, T.yes);
  var no = el("button", { type: "button", "class": "sec" }, T.no);
  bar.appendChild(yes);
  bar.appendChild(no);
  root.appendChild(bar);
  no.onclick = function () { host.remove(); };
  yes.onclick = function () {
    yes.disabled = true;
    fetch(base + "/s/" + key + "/config.json").then(function (r) { return r.ok ? r.json() : null; })
      .then(function (cfg) { if (cfg) open(cfg.questions); else host.remove(); })
      .catch(function () { host.remove(); });
  };

  function open(questions) {
    bar.remove();
    var back = el("div", { "class": "back" });
    var dlg = el("div", { "class": "dlg", role: "dialog", "aria-modal": "true", "aria-labelledby": "tk-title" });
    var h = el("h2", { id: "tk-title", tabindex: "-1" }, T.title);
    var form = el("form", { novalidate: "" });
    var summary = el("div", { "class": "sum", role: "alert", tabindex: "-1", hidden: "" });
    dlg.appendChild(h);
    dlg.appendChild(el("p", { "class": "hint" }, T.privacy));
    dlg.appendChild(summary);
    questions.forEach(function (q) {
      var text = lang === "cy" ? q.cy : q.en, hint = lang === "cy" ? q.hint_cy : q.hint_en;
      var group = el(q.kind === "text" ? "div" : "fieldset", { id: "tk-q-" + q.key });
      var err = el("p", { "class": "err", id: "tk-e-" + q.key, hidden: "" });
      if (q.kind === "text") {
        group.appendChild(el("label", { "for": "tk-i-" + q.key }, text));
        if (hint) group.appendChild(el("p", { "class": "hint", id: "tk-h-" + q.key }, hint));
        group.appendChild(err);
        var ta = el("textarea", { id: "tk-i-" + q.key, name: q.key, rows: "3", maxlength: "500" });
        if (hint) ta.setAttribute("aria-describedby", "tk-h-" + q.key);
        group.appendChild(ta);
      } else {
        group.appendChild(el("legend", {}, text + (q.required ? "" : " " + T.optional)));
        if (hint) group.appendChild(el("p", { "class": "hint" }, hint));
        group.appendChild(err);
        q.choices.forEach(function (c, i) {
          var id = "tk-i-" + q.key + "-" + i;
          var row = el("div", { "class": "opt" });
          row.appendChild(el("input", { type: q.kind === "multiple" ? "checkbox" : "radio", id: id, name: q.key, value: c[0] }));
          row.appendChild(el("label", { "for": id }, lang === "cy" ? c[2] : c[1]));
          group.appendChild(row);
        });
      }
      form.appendChild(group);
    });
    var hp = el("input", { "class": "hp", name: "website", tabindex: "-1", autocomplete: "off", "aria-hidden": "true" });
    form.appendChild(hp);
    var send = el("button", { type: "submit" }, T.send);
    var close = el("button", { type: "button", "class": "sec" }, T.close);
    form.appendChild(send);
    form.appendChild(close);
    dlg.appendChild(form);
    back.appendChild(dlg);
    root.appendChild(back);
    var before = document.activeElement;
    h.focus();

    function finish() { host.remove(); if (before && before.focus) before.focus(); }
    close.onclick = finish;
    back.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { finish(); return; }
      if (e.key !== "Tab") return;
      var f = dlg.querySelectorAll("input:not(.hp),textarea,button,[tabindex='-1'][role='alert']:not([hidden])");
      var first = f[0], last = f[f.length - 1], active = root.activeElement;
      if (e.shiftKey && (active === first || active === h)) { last.focus(); e.preventDefault(); }
      else if (!e.shiftKey && active === last) { first.focus(); e.preventDefault(); }
    });

    form.onsubmit = function (e) {
      e.preventDefault();
      var answers = {};
      questions.forEach(function (q) {
        var inputs = form.querySelectorAll("[name='" + q.key + "']");
        if (q.kind === "multiple") {
          answers[q.key] = Array.prototype.filter.call(inputs, function (i) { return i.checked; }).map(function (i) { return i.value; });
        } else if (q.kind === "text") {
          answers[q.key] = inputs[0].value;
        } else {
          var c = Array.prototype.filter.call(inputs, function (i) { return i.checked; })[0];
          answers[q.key] = c ? c.value : "";
        }
      });
      var missing = questions.filter(function (q) {
        var a = answers[q.key];
        return q.required && (!a || (a.length !== undefined && a.length === 0));
      }).map(function (q) { return { field: "answers." + q.key, message: T.required }; });
      if (missing.length) { showErrors(missing); return; }
      send.disabled = true;
      fetch(base + "/s/" + key + "/responses", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ answers: answers, path: location.pathname, language: lang, website: hp.value })
      }).then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
        .then(function (res) {
          send.disabled = false;
          if (res.ok) {
            dlg.textContent = "";
            var status = el("div", { role: "status" });
            var done = el("h2", { id: "tk-title", tabindex: "-1" }, T.thanks);
            status.appendChild(done);
            dlg.appendChild(status);
            var ok = el("button", { type: "button" }, T.close);
            ok.onclick = finish;
            dlg.appendChild(ok);
            done.focus();
            return;
          }
          showErrors(res.body.errors || []);
        })
        .catch(function () { send.disabled = false; showErrors([{ field: "", message: T.fail }]); });
    };

    function showErrors(errors) {
      summary.textContent = "";
      summary.appendChild(el("h3", {}, T.problem));
      var list = el("ul");
      questions.forEach(function (q) { var e = root.getElementById("tk-e-" + q.key); e.hidden = true; });
      errors.forEach(function (x) {
        var k = (x.field || "").replace("answers.", "");
        var e = root.getElementById("tk-e-" + k);
        var item = el("li");
        if (e) {
          e.hidden = false;
          e.textContent = x.message;
          var a = el("a", { href: "#tk-q-" + k }, x.message);
          a.onclick = function (ev) { ev.preventDefault(); var first = root.getElementById("tk-q-" + k).querySelector("input,textarea"); if (first) first.focus(); };
          item.appendChild(a);
        } else {
          item.textContent = x.message;
        }
        list.appendChild(item);
      });
      summary.appendChild(list);
      summary.hidden = false;
      summary.focus();
    }
  }
})();
