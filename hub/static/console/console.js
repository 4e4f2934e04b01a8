// The console's script. Pages work without it; it only adds to them.
"use strict";

// Live updates. An element marked data-live="<event>" is refreshed when the hub's
// event stream (/console/events) names that event: the page fetches its own address
// again and swaps in the element's new content. Events carry no data, only a name.
(function () {
  var regions = document.querySelectorAll("[data-live]");
  if (!regions.length || !window.EventSource || !window.fetch || !window.DOMParser) {
    return;
  }
  var announcer = document.createElement("div");
  announcer.className = "visually-hidden";
  announcer.setAttribute("role", "status");
  announcer.setAttribute("aria-live", "polite");
  document.body.appendChild(announcer);

  var busy = false;
  var waiting = {};
  var source = new EventSource("/console/events");

  function namesOnPage() {
    var names = [];
    regions.forEach(function (region) {
      var name = region.getAttribute("data-live");
      if (names.indexOf(name) < 0) {
        names.push(name);
      }
    });
    return names;
  }

  function typingIn(region) {
    var active = document.activeElement;
    return active && region.contains(active) &&
      /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName);
  }

  // What identifies the focused element across a refresh: its id, or a link's address.
  function focusKey(region) {
    var active = document.activeElement;
    if (!active || !region.contains(active) || active === region) {
      return null;
    }
    if (active.id) {
      return "#" + CSS.escape(active.id);
    }
    if (active.getAttribute("href")) {
      return 'a[href="' + CSS.escape(active.getAttribute("href")) + '"]';
    }
    return "";
  }

  function restoreFocus(region, key) {
    if (key === null) {
      return;
    }
    var again = key ? region.querySelector(key) : null;
    if (again) {
      again.focus();
    } else {
      if (!region.hasAttribute("tabindex")) {
        region.setAttribute("tabindex", "-1");
      }
      region.focus();
    }
  }

  function swap(name, fresh) {
    var current = document.querySelectorAll('[data-live="' + name + '"]');
    var found = fresh.querySelectorAll('[data-live="' + name + '"]');
    var changed = false;
    current.forEach(function (region, index) {
      var replacement = found[index];
      if (!replacement || region.innerHTML === replacement.innerHTML) {
        return;
      }
      if (typingIn(region)) {
        waiting[name] = true;
        return;
      }
      var key = focusKey(region);
      region.innerHTML = replacement.innerHTML;
      restoreFocus(region, key);
      changed = true;
    });
    if (changed) {
      var message = current[0].getAttribute("data-live-message");
      if (message) {
        announcer.textContent = "";
        window.setTimeout(function () { announcer.textContent = message; }, 100);
      }
    }
  }

  function refresh() {
    if (busy || document.hidden) {
      return;
    }
    var names = Object.keys(waiting);
    if (!names.length) {
      return;
    }
    waiting = {};
    busy = true;
    fetch(window.location.href, {
      credentials: "same-origin",
      cache: "no-store",
      redirect: "manual",
      headers: { "Accept": "text/html" }
    }).then(function (response) {
      if (!response.ok) {
        throw new Error("page " + response.status);
      }
      return response.text();
    }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html");
      names.forEach(function (name) { swap(name, fresh); });
    }).catch(function () {
      source.close();  // signed out, or the page is gone: a reload says why
    }).then(function () {
      busy = false;
      refresh();
    });
  }

  namesOnPage().forEach(function (name) {
    source.addEventListener(name, function () {
      waiting[name] = true;
      refresh();
    });
  });
  source.addEventListener("signed-out", function () { source.close(); });
  document.addEventListener("visibilitychange", refresh);
  document.addEventListener("focusout", function () { window.setTimeout(refresh, 0); });
})();
