/*! feedback-hub survey banner. Apache-2.0.
 * <script src="https://hub.example/widget.js" data-token="fh_…" data-survey="nps-main" async></script>
 * then, once the user is known: feedbackHub.identify({id, email, username, company, country, locale})
 * Optional data- attributes: data-endpoint (another /graphql), data-channel, data-thanks-seconds
 * (how long the thank-you stays, 4 by default, 0 until closed), data-debug (say in the console
 * what the hub answered and why the banner did or did not show).
 * Renders in a shadow root, talks only to its own hub, and never throws into the host page. */
(function () {
  "use strict";
  var STRINGS = __FEEDBACK_HUB_STRINGS__;
  var ALIASES = { no: "nb", nn: "nb" };
  // Operation name → id of its document, registered in the hub (hub/web/persisted.py).
  var OPERATIONS = __FEEDBACK_HUB_OPERATIONS__;
  var CSS =
    ":host{all:initial}" +
    ".live{position:absolute;width:1px;height:1px;margin:-1px;padding:0;border:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}" +
    ".box{position:fixed;z-index:2147483000;left:50%;bottom:12px;transform:translateX(-50%);box-sizing:border-box;width:calc(100vw - 16px);max-width:30rem;padding:16px 16px 12px;background:#fff;color:#1f2328;border-radius:12px;box-shadow:0 4px 24px rgba(0,0,0,.22);font:15px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;text-align:left}" +
    ".q{margin:0 28px 10px 0;font-weight:600;font-size:15px}" +
    ".scale{display:flex;gap:3px}" +
    ".scale button{flex:1 1 0;min-width:0;height:38px;padding:0;border:1px solid #8c959f;border-radius:6px;background:#fff;color:#1f2328;font:inherit;cursor:pointer}" +
    ".scale button:hover{background:#ddf4ff}" +
    "button:focus-visible,textarea:focus-visible,.box:focus-visible{outline:2px solid #0969da;outline-offset:1px}" +
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
  var thanksSeconds = attr("thanks-seconds");
  // 0 keeps the thank-you until closed; anything not a number of seconds gives 4.
  thanksSeconds = thanksSeconds && Number(thanksSeconds) >= 0 ? Math.min(Number(thanksSeconds), 3600) : 4;
  var config = {
    token: attr("token"),
    survey: attr("survey"),
    channel: attr("channel") || "IN_APP_WEB",
    endpoint: endpoint,
    thanksSeconds: thanksSeconds,
    debug: attr("debug") !== null && attr("debug") !== "false"
  };
  var started = false;
  var ui = null;

  // With data-debug, what the hub answered and why the banner did or did not show.
  function debug(message, detail) {
    if (!config.debug || !window.console) return;
    var text = "feedback-hub: " + message;
    if (detail !== undefined) text += " " + JSON.stringify(detail);
    window.console.info(text);
  }

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
      if (!body || body.errors || !body.data) {
        var codes = ((body && body.errors) || []).map(function (error) {
          return (error.extensions && error.extensions.code) || "ERROR";
        });
        throw new Error("feedback-hub: " + name + " refused (" + codes.join(", ") + ")");
      }
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

  function onKey(event) {
    // Escape declines from anywhere on the page, unless the page used it already (to
    // close its own menu, say) or it ends an input method's composition.
    if (event.key === "Escape" && !event.defaultPrevented && !event.isComposing) close();
  }

  function remove() {
    if (!ui) return;
    var gone = ui;
    ui = null;
    document.removeEventListener("keydown", onKey);
    window.clearTimeout(gone.timer);
    var focusInside = document.activeElement === gone.host;
    if (gone.host.parentNode) gone.host.parentNode.removeChild(gone.host);
    // Focus that was in the banner goes back to where the person was before it.
    if (focusInside && gone.before && gone.before.isConnected && gone.before.focus) gone.before.focus();
  }

  function close() {
    if (!ui) return;
    var displayId = ui.displayId, answered = ui.responseId;
    remove();
    if (!answered) call("WidgetDecline", { d: displayId }).catch(function () {});
  }

  // The banner goes away when a step fails; with data-debug, the console says why.
  function fail(reason) {
    debug("closed: " + String(reason && reason.message || reason).replace(/^feedback-hub: /, ""));
    remove();
  }

  // A step's content after the close button; `title` is the id of what names the dialog.
  function setBody(nodes, title) {
    var box = ui.box;
    while (box.childNodes.length > 1) box.removeChild(box.lastChild);
    nodes.forEach(function (node) { box.appendChild(node); });
    box.setAttribute("aria-labelledby", title);
  }

  function announce(text) {
    var live = ui.live;
    // Set once the region is in the page, so screen readers notice the change.
    window.setTimeout(function () { live.textContent = text; }, 100);
  }

  function showThanks(text) {
    setBody([el("p", { "class": "thanks", id: "fh-thanks", text: text })], "fh-thanks");
    announce(text);
    ui.shut.focus();
    if (config.thanksSeconds > 0) ui.timer = window.setTimeout(remove, config.thanksSeconds * 1000);
  }

  function showFollowUp(question) {
    var t = ui.words;
    var area = el("textarea", { id: "fh-comment", maxlength: "5000" });
    var send = el("button", { type: "button", "class": "send", text: t.send });
    send.addEventListener("click", function () {
      var text = area.value.trim();
      if (!text || !ui) return;
      send.setAttribute("disabled", "");
      call("WidgetComment", { r: ui.responseId, t: text }).then(function (data) {
        var result = data.submitComment;
        if (!ui) return;
        if (result.__typename !== "CommentSubmitted") { fail("submitComment answered " + result.__typename); return; }
        showThanks(result.thankYou);
      }).catch(fail);
    });
    var label = el("label", { "for": "fh-comment", id: "fh-follow-up", text: question });
    setBody([label, area, el("div", { "class": "row" }, [send])], "fh-follow-up");
    area.focus();
  }

  function score(value) {
    if (!ui || ui.busy) return;
    ui.busy = true;
    call("WidgetScore", { d: ui.displayId, n: value }).then(function (data) {
      var result = data.submitScore;
      if (!ui) return;
      if (result.__typename !== "ScoreSubmitted") { fail("submitScore answered " + result.__typename); return; }
      ui.responseId = result.responseId;
      showFollowUp(result.followUp);
    }).catch(fail);
  }

  function show(displayId, survey) {
    var t = words(survey.locale);
    var host = el("div", { "data-feedback-hub": "" });
    var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : null;
    if (!root) { debug("not shown: this browser has no shadow DOM"); return; }
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
    // Not modal and not focused: whoever is typing in the page goes on typing; the live
    // region tells screen reader users it is there, and Escape closes it from anywhere.
    var box = el("div", {
      "class": "box", role: "dialog", "aria-modal": "false", "aria-labelledby": "fh-question",
      tabindex: "-1", lang: survey.locale
    }, [shut, question, scale, ends]);
    var live = el("div", { "class": "live", role: "status", "aria-live": "polite", lang: survey.locale });
    root.appendChild(el("style", { text: CSS }));
    root.appendChild(live);
    root.appendChild(box);
    shut.addEventListener("click", close);
    ui = {
      host: host, box: box, live: live, shut: shut, words: t, displayId: displayId,
      responseId: null, busy: false, timer: null, before: document.activeElement
    };
    document.addEventListener("keydown", onKey);
    document.body.appendChild(host);
    announce(t.survey_opened + " " + survey.question);
    debug("shown", { displayId: displayId });
  }

  function loginOnce(user) {
    var key = "feedback-hub:login:" + user.id;
    try {
      if (window.sessionStorage.getItem(key)) return Promise.resolve();
      window.sessionStorage.setItem(key, "1");
    } catch (e) { /* storage blocked: count the login anyway */ }
    return call("WidgetLogin", { u: user }).catch(function () {});
  }

  // Why identify() cannot start, or null when it can.
  function blocker(person) {
    if (started) return "identify() was called already";
    if (!person || person.id == null) return "identify() needs a person with an id";
    if (!config.token) return "the script tag has no data-token";
    if (!config.survey) return "the script tag has no data-survey";
    if (!config.endpoint) return "no endpoint: set data-endpoint";
    if (typeof fetch !== "function") return "this browser has no fetch";
    if (!document.body) return "the page has no body yet";
    return null;
  }

  function identify(person) {
    try {
      var blocked = blocker(person);
      if (blocked) { debug("not shown: " + blocked); return; }
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
        return call(config.debug ? "WidgetEligibilityDebug" : "WidgetEligibility", vars);
      }).then(function (data) {
        var answer = data.surveyEligibility;
        debug("eligibility", answer);
        if (!answer.eligible) {
          debug("not shown: not eligible (" + answer.reason + ", again from " + (answer.nextEligibleAt || "no known date") + ")");
          return null;
        }
        vars.x = context;
        return call("WidgetDisplay", vars);
      }).then(function (data) {
        var result = data && data.recordDisplay;
        if (result && result.__typename === "DisplayRecorded") show(result.displayId, result.survey);
        else if (result) debug("not shown: recordDisplay answered " + result.__typename);
      }).catch(function (error) {
        debug("not shown: " + String(error && error.message || error).replace(/^feedback-hub: /, ""));
        remove();
      });
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
