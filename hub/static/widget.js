/*! feedback-hub survey banner. Apache-2.0.
 * <script src="https://hub.example/widget.js" data-token="fh_…" data-survey="nps-main" async></script>
 * then, once the user is known: feedbackHub.identify({id, email, username, company, country, locale})
 * Renders in a shadow root, talks only to its own hub, and never throws into the host page. */
(function () {
  "use strict";
  var STRINGS = __FEEDBACK_HUB_STRINGS__;
  var ALIASES = { no: "nb", nn: "nb" };
  // Operation name → id of its document, registered in the hub (hub/web/persisted.py).
  var OPERATIONS = __FEEDBACK_HUB_OPERATIONS__;
  var CSS =
    ":host{all:initial}" +
    ".box{position:fixed;z-index:2147483000;left:50%;bottom:12px;transform:translateX(-50%);box-sizing:border-box;width:calc(100vw - 16px);max-width:30rem;padding:16px 16px 12px;background:#fff;color:#1f2328;border-radius:12px;box-shadow:0 4px 24px rgba(0,0,0,.22);font:15px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;text-align:left}" +
    ".q{margin:0 28px 10px 0;font-weight:600;font-size:15px}" +
    ".scale{display:flex;gap:3px}" +
    ".scale button{flex:1 1 0;min-width:0;height:38px;padding:0;border:1px solid #8c959f;border-radius:6px;background:#fff;color:#1f2328;font:inherit;cursor:pointer}" +
    ".scale button:hover{background:#ddf4ff}" +
    "button:focus-visible,textarea:focus-visible{outline:2px solid #0969da;outline-offset:1px}" +
    ".ends{display:flex;justify-content:space-between;margin-top:4px;font-size:12px;color:#57606a}" +
    ".x{position:absolute;top:6px;right:6px;width:32px;height:32px;border:0;background:none;color:#57606a;font-size:22px;line-height:1;cursor:pointer;border-radius:6px}" +
    "label{display:block;margin:0 28px 8px 0;font-weight:600}" +
    "textarea{box-sizing:border-box;width:100%;min-height:72px;padding:6px 8px;border:1px solid #8c959f;border-radius:6px;font:inherit;color:inherit;background:#fff;resize:vertical}" +
    ".row{display:flex;justify-content:flex-end;gap:8px;margin-top:8px}" +
    ".send{border:0;border-radius:6px;padding:8px 16px;background:#0969da;color:#fff;font:inherit;cursor:pointer}" +
    ".send[disabled]{opacity:.6;cursor:default}" +
    ".thanks{margin:0 28px 4px 0;font-weight:600}";

  var script = document.currentScript;
  var attr = function (name) { return script ? script.getAttribute("data-" + name) : null; };
  var endpoint = attr("endpoint");
  try { if (!endpoint && script) endpoint = new URL("/graphql", script.src).href; } catch (e) { endpoint = null; }
  var config = { token: attr("token"), survey: attr("survey"), channel: attr("channel") || "IN_APP_WEB", endpoint: endpoint };
  var started = false;
  var ui = null;

  function words(locale) {
    var lang = String(locale || "en").toLowerCase().split(/[-_]/)[0];
    return STRINGS[ALIASES[lang] || lang] || STRINGS.en;
  }

  function call(name, variables) {
    return fetch(config.endpoint, {
      method: "POST",
      mode: "cors",
      credentials: "omit",
      headers: { "Content-Type": "application/json", Authorization: "Bearer " + config.token },
      body: JSON.stringify({
        operationName: name,
        variables: variables,
        extensions: { persistedQuery: { version: 1, sha256Hash: OPERATIONS[name] } }
      })
    }).then(function (response) {
      if (!response.ok) throw new Error("feedback-hub: HTTP " + response.status);
      return response.json();
    }).then(function (body) {
      if (!body || body.errors || !body.data) throw new Error("feedback-hub: request refused");
      return body.data;
    });
  }

  function el(tag, props, children) {
    var node = document.createElement(tag);
    for (var name in props) {
      if (name === "text") node.textContent = props[name];
      else node.setAttribute(name, props[name]);
    }
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  function remove() {
    if (ui && ui.host.parentNode) ui.host.parentNode.removeChild(ui.host);
    ui = null;
  }

  function close() {
    if (!ui) return;
    var displayId = ui.displayId, answered = ui.responseId;
    remove();
    if (!answered) call("WidgetDecline", { d: displayId }).catch(function () {});
  }

  function setBody(nodes) {
    var box = ui.box;
    while (box.childNodes.length > 1) box.removeChild(box.lastChild);
    nodes.forEach(function (node) { box.appendChild(node); });
  }

  function showThanks(text) {
    var message = el("p", { "class": "thanks", role: "status", tabindex: "-1", text: text });
    setBody([message]);
    message.focus();
  }

  function showFollowUp(question) {
    var t = ui.words;
    var area = el("textarea", { id: "fh-comment", maxlength: "5000", "aria-label": t.comment_label });
    var send = el("button", { type: "button", "class": "send", text: t.send });
    send.addEventListener("click", function () {
      var text = area.value.trim();
      if (!text || !ui) return;
      send.setAttribute("disabled", "");
      call("WidgetComment", { r: ui.responseId, t: text }).then(function (data) {
        var result = data.submitComment;
        if (!ui) return;
        if (result.__typename !== "CommentSubmitted") { remove(); return; }
        showThanks(result.thankYou);
      }).catch(remove);
    });
    setBody([el("label", { "for": "fh-comment", text: question }), area, el("div", { "class": "row" }, [send])]);
    area.focus();
  }

  function score(value) {
    if (!ui || ui.busy) return;
    ui.busy = true;
    call("WidgetScore", { d: ui.displayId, n: value }).then(function (data) {
      var result = data.submitScore;
      if (!ui) return;
      if (result.__typename !== "ScoreSubmitted") { remove(); return; }
      ui.responseId = result.responseId;
      showFollowUp(result.followUp);
    }).catch(remove);
  }

  function show(displayId, survey) {
    var t = words(survey.locale);
    var host = el("div", { "data-feedback-hub": "" });
    var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : null;
    if (!root) return;
    var shut = el("button", { type: "button", "class": "x", "aria-label": t.close, title: t.close, text: "\u00d7" });
    var question = el("p", { "class": "q", id: "fh-question", text: survey.question });
    var scale = el("div", { "class": "scale", role: "group", "aria-labelledby": "fh-question", "aria-describedby": "fh-ends" });
    for (var n = survey.scale.min; n <= survey.scale.max; n++) {
      (function (value) {
        var button = el("button", { type: "button", "aria-label": t.score + " " + value, text: String(value) });
        button.addEventListener("click", function () { score(value); });
        scale.appendChild(button);
      })(n);
    }
    var ends = el("div", { "class": "ends", id: "fh-ends" }, [
      el("span", { text: t[survey.metric + "_low"] }), el("span", { text: t[survey.metric + "_high"] })
    ]);
    var box = el("div", { "class": "box", role: "dialog", "aria-labelledby": "fh-question", lang: survey.locale }, [shut, question, scale, ends]);
    root.appendChild(el("style", { text: CSS }));
    root.appendChild(box);
    shut.addEventListener("click", close);
    box.addEventListener("keydown", function (event) { if (event.key === "Escape") close(); });
    ui = { host: host, box: box, words: t, displayId: displayId, responseId: null, busy: false };
    document.body.appendChild(host);
  }

  function loginOnce(user) {
    var key = "feedback-hub:login:" + user.id;
    try {
      if (window.sessionStorage.getItem(key)) return Promise.resolve();
      window.sessionStorage.setItem(key, "1");
    } catch (e) { /* storage blocked: count the login anyway */ }
    return call("WidgetLogin", { u: user }).catch(function () {});
  }

  function identify(person) {
    try {
      if (started || !person || person.id == null || !config.token || !config.survey || !config.endpoint) return;
      if (typeof fetch !== "function" || !document.body) return;
      started = true;
      var user = {
        id: String(person.id),
        email: person.email || null,
        username: person.username || null,
        locale: person.locale || navigator.language || null
      };
      var href = String(location.href);
      var context = {
        company: person.company || null,
        country: person.country || null,
        url: /^https?:/.test(href) ? href.slice(0, 2048) : null
      };
      var vars = { s: config.survey, u: user, c: config.channel };
      loginOnce(user).then(function () {
        return call("WidgetEligibility", vars);
      }).then(function (data) {
        if (!data.surveyEligibility.eligible) return null;
        vars.x = context;
        return call("WidgetDisplay", vars);
      }).then(function (data) {
        var result = data && data.recordDisplay;
        if (result && result.__typename === "DisplayRecorded") show(result.displayId, result.survey);
      }).catch(function () { remove(); });
    } catch (e) { /* never break the host page */ }
  }

  var queued = window.feedbackHub && window.feedbackHub.q;
  window.feedbackHub = { identify: identify, close: close };
  if (queued && queued.length) {
    for (var i = 0; i < queued.length; i++) {
      if (queued[i][0] === "identify") identify(queued[i][1]);
    }
  }
})();
