/* Ana Komek web chat widget. Served by the API inside a wrapper (api/app/widget/bundle.py)
 * that defines `io` (the vendored socket.io client, kept out of the page's globals) and
 * `AK` (interface strings from the Babel catalogs, the CSS, the default exit URL).
 * It holds no interface text of its own: every label is AK.strings[lang][key].
 * Nothing goes to localStorage or cookies; the conversation lives in sessionStorage only,
 * so it survives a reload or a dropped connection and is gone when the tab closes. */
var script = document.currentScript;
var origin = script && script.src ? new URL(script.src, location.href).origin : location.origin;
var data = (script && script.dataset) || {};
var LANGS = ["kk", "ru", "en"];
var KEY = "anakomek.";
var POLL_MS = 4000;

function safeUrl(value, fallback) {
  try {
    var url = new URL(value, location.href);
    if (url.protocol === "http:" || url.protocol === "https:") return url.href;
  } catch (e) {
    /* not a URL: use the fallback */
  }
  return fallback;
}

var apiUrl = safeUrl(data.apiUrl || origin, origin).replace(/\/$/, "");
// Rasa listens on :5005 next to the API by default (docs/ARCHITECTURE.md: ports).
var socketUrl = safeUrl(data.socketUrl || origin.replace(/:\d+$/, "") + ":5005", origin);
var exitUrl = safeUrl(data.exitUrl || AK.exitUrl, AK.exitUrl);

var store = {
  get: function (name, fallback) {
    try {
      var raw = sessionStorage.getItem(KEY + name);
      return raw === null ? fallback : JSON.parse(raw);
    } catch (e) {
      return fallback;
    }
  },
  set: function (name, value) {
    try {
      sessionStorage.setItem(KEY + name, JSON.stringify(value));
    } catch (e) {
      /* storage full or blocked: the chat still works, it just won't survive a reload */
    }
  },
};

var lang = store.get("lang", null) || (LANGS.indexOf(data.lang) >= 0 ? data.lang : "en");
var log = store.get("log", []);
var sessionId = store.get("session", null);
var handoff = store.get("handoff", null);
var pending = [];
var labelled = [];
var pollTimer = null;
var lastEsc = 0;

function t(key) {
  return (AK.strings[lang] || AK.strings.en)[key] || AK.strings.en[key] || key;
}

function el(tag, cls, attrs) {
  var node = document.createElement(tag);
  if (cls) node.className = cls;
  for (var name in attrs || {}) node.setAttribute(name, attrs[name]);
  return node;
}

// An element whose text or attribute is an interface string, refreshed on a language switch.
function label(node, key, attr) {
  labelled = labelled.filter(function (item) {
    return item[0] !== node || item[2] !== attr;
  });
  labelled.push([node, key, attr]);
  if (attr) node.setAttribute(attr, t(key));
  else node.textContent = t(key);
  return node;
}

// ------------------------------------------------------------------ safe Markdown subset

// Phone numbers become tel: links (a tap dials): +7 and ten digits, 8 800 toll-free, and
// the short service numbers the bot names (112, 102, 103, 111, 109, 1414...).
var PHONE = "\\+7(?:[ ()-]*\\d){10}|\\b8[ -]?800(?:[ -]*\\d){7}|\\b(?:10[1-4]|109|111|112|115|150|1406|1414)\\b";
var TOKEN = new RegExp(
  "\\*\\*([^*\\n]+)\\*\\*|\\[([^\\]\\n]+)\\]\\((https?:\\/\\/[^\\s)]+)\\)|" +
    "(https?:\\/\\/[^\\s<>\"]*[^\\s<>\".,;:!?)'])|(" + PHONE + ")",
  "g"
);

function link(href, text) {
  var a = el("a", "ak-link", { href: href, target: "_blank", rel: "noopener noreferrer" });
  a.textContent = text;
  return a;
}

function phoneLink(number) {
  var a = el("a", "ak-tel", { href: "tel:" + number.replace(/[^\d+]/g, "") });
  a.textContent = number;
  return a;
}

// Bold, links and line breaks built as DOM nodes: bot text only ever goes into textContent.
function renderText(parent, text) {
  String(text)
    .split("\n")
    .forEach(function (line, i) {
      if (i) parent.appendChild(el("br"));
      var at = 0;
      var m;
      TOKEN.lastIndex = 0;
      while ((m = TOKEN.exec(line))) {
        if (m.index > at) parent.appendChild(document.createTextNode(line.slice(at, m.index)));
        if (m[1]) {
          var b = el("strong");
          b.textContent = m[1];
          parent.appendChild(b);
        } else if (m[5]) {
          parent.appendChild(phoneLink(m[5]));
        } else {
          var href = safeUrl(m[3] || m[4], null);
          parent.appendChild(href ? link(href, m[2] || m[4]) : document.createTextNode(m[0]));
        }
        at = TOKEN.lastIndex;
      }
      if (at < line.length) parent.appendChild(document.createTextNode(line.slice(at)));
    });
}

// ------------------------------------------------------------------ the interface

var root = el("div", "ak-root", { lang: lang });
var style = el("style");
style.textContent = AK.css;
var exitButton = el("button", "ak-exit", { type: "button" });
label(exitButton, "exit");
label(exitButton, "exit_hint", "title");
var launcher = el("button", "ak-launcher", {
  type: "button",
  "aria-expanded": "false",
  "aria-controls": "ak-panel",
});
label(launcher, "open");
var panel = el("section", "ak-panel", { id: "ak-panel", hidden: "" });
label(panel, "title", "aria-label");
var header = el("div", "ak-header");
var title = label(el("h2", "ak-title"), "title");
var closeButton = el("button", "ak-close", { type: "button" });
label(closeButton, "close", "aria-label");
closeButton.textContent = "×";
header.appendChild(title);
header.appendChild(closeButton);
var notice = label(el("p", "ak-notice"), "privacy");
var messages = el("div", "ak-log", { role: "log", "aria-live": "polite", tabindex: "0" });
label(messages, "conversation", "aria-label");
var status = el("p", "ak-status", { role: "status" });
var form = el("form", "ak-form");
var inputLabel = label(el("label", "ak-sr", { for: "ak-input" }), "input_label");
var input = el("input", "ak-input", {
  id: "ak-input",
  type: "text",
  maxlength: "1000",
  autocomplete: "off",
});
label(input, "placeholder", "placeholder");
var sendButton = label(el("button", "ak-send", { type: "submit" }), "send");
[inputLabel, input, sendButton].forEach(function (n) {
  form.appendChild(n);
});
[header, notice, messages, status, form].forEach(function (n) {
  panel.appendChild(n);
});
[style, exitButton, panel, launcher].forEach(function (n) {
  root.appendChild(n);
});

function setLang(next) {
  if (LANGS.indexOf(next) < 0 || next === lang) return;
  lang = next;
  store.set("lang", lang);
  root.setAttribute("lang", lang);
  labelled.forEach(function (item) {
    if (item[2]) item[0].setAttribute(item[2], t(item[1]));
    else item[0].textContent = t(item[1]);
  });
}

function setStatus(key) {
  status.textContent = key ? t(key) : "";
}

// ------------------------------------------------------------------ messages

function speaker(kind) {
  return label(el("span", "ak-sr"), kind === "user" ? "you" : kind === "person" ? "person" : "bot");
}

function feedbackRow(entry) {
  var row = el("div", "ak-feedback");
  if (entry.done) {
    label(row, "thanks");
    return row;
  }
  [
    ["helpful", true],
    ["not_helpful", false],
  ].forEach(function (choice) {
    var b = label(el("button", "ak-chip", { type: "button" }), choice[0]);
    b.addEventListener("click", function () {
      sendFeedback(entry, choice[1], row);
    });
    row.appendChild(b);
  });
  return row;
}

function render(entry) {
  if (entry.kind === "feedback") return feedbackRow(entry);
  var box = el("div", "ak-msg ak-" + entry.kind);
  box.appendChild(speaker(entry.kind));
  var body = el("div", "ak-text");
  renderText(body, entry.text || "");
  box.appendChild(body);
  if (entry.buttons && entry.buttons.length) {
    var row = el("div", "ak-buttons");
    entry.buttons.forEach(function (button) {
      var b = el("button", "ak-chip", { type: "button" });
      b.textContent = button.title;
      b.disabled = !!entry.used;
      b.addEventListener("click", function () {
        entry.used = true;
        store.set("log", log);
        Array.prototype.forEach.call(row.children, function (c) {
          c.disabled = true;
        });
        send(button.payload, button.title);
      });
      row.appendChild(b);
    });
    box.appendChild(row);
  }
  return box;
}

function add(entry) {
  log.push(entry);
  store.set("log", log);
  messages.appendChild(render(entry));
  messages.scrollTop = messages.scrollHeight;
}

function clearChat() {
  log = [];
  store.set("log", log);
  stopPolling();
  while (messages.firstChild) messages.removeChild(messages.firstChild);
}

// ------------------------------------------------------------------ the bot

var socket = io(socketUrl, { transports: ["websocket", "polling"], autoConnect: false });

function emitMessage(text, metadata) {
  var body = { message: text, session_id: sessionId };
  if (metadata) body.metadata = metadata;
  socket.emit("user_uttered", body);
}

function send(text, shown, metadata) {
  text = String(text).trim();
  if (!text) return;
  if (/^\/forget$/i.test(text)) clearChat();
  if (shown !== null) add({ kind: "user", text: shown || text });
  if (socket.connected && sessionId) emitMessage(text, metadata);
  else pending.push([text, metadata]);
}

socket.on("connect", function () {
  setStatus("");
  socket.emit("session_request", { session_id: sessionId });
});

socket.on("session_confirm", function (id) {
  sessionId = typeof id === "string" ? id : (id && id.session_id) || sessionId;
  store.set("session", sessionId);
  while (pending.length) {
    var next = pending.shift();
    emitMessage(next[0], next[1]);
  }
});

socket.on("disconnect", function () {
  setStatus("reconnecting");
});

socket.on("connect_error", function () {
  if (sessionId) setStatus("reconnecting");
});

socket.on("bot_uttered", function (message) {
  if (!message || typeof message !== "object") return;
  if (message.lang) setLang(message.lang);
  if (message.text) {
    var buttons = (message.quick_replies || message.buttons || []).filter(function (b) {
      return b && b.title && b.payload;
    });
    add({ kind: "bot", text: message.text, buttons: buttons });
  }
  if (message.snippet_id) {
    add({ kind: "feedback", snippet: message.snippet_id, lang: message.lang || lang });
  }
  if (message.handoff_id) {
    handoff = { id: message.handoff_id, after: (handoff && handoff.after) || 0 };
    store.set("handoff", handoff);
    startPolling();
  }
});

// ------------------------------------------------------------------ the API

function sendFeedback(entry, helpful, row) {
  fetch(apiUrl + "/v1/widget/feedback", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      snippet_id: entry.snippet,
      helpful: helpful,
      lang: LANGS.indexOf(entry.lang) >= 0 ? entry.lang : lang,
      channel: "socketio",
    }),
  })
    .then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      entry.done = true;
      store.set("log", log);
      row.parentNode.replaceChild(feedbackRow(entry), row);
    })
    .catch(function () {
      setStatus("feedback_failed");
    });
}

function poll() {
  if (!handoff || !sessionId) return;
  var url =
    apiUrl +
    "/v1/handoffs/replies?session=" +
    encodeURIComponent(sessionId) +
    "&after=" +
    encodeURIComponent(handoff.after || 0);
  fetch(url)
    .then(function (response) {
      return response.ok ? response.json() : null;
    })
    .then(function (body) {
      if (!body || !handoff) return;
      (body.messages || []).forEach(function (m) {
        handoff.after = Math.max(handoff.after || 0, m.id);
        // The untaken notice carries her choices (keep waiting, leave a message, back to
        // the bot), as it does on Telegram; a staff reply has none.
        add({ kind: "person", text: m.text, buttons: m.buttons || [] });
      });
      store.set("handoff", handoff);
      if (body.status === "closed") stopPolling();
    })
    .catch(function () {
      /* offline for a moment: the next poll tries again */
    });
}

function startPolling() {
  if (!pollTimer) pollTimer = setInterval(poll, POLL_MS);
  poll();
}

function stopPolling() {
  clearInterval(pollTimer);
  pollTimer = null;
  handoff = null;
  store.set("handoff", null);
}

// ------------------------------------------------------------------ panel, exit

function open(show) {
  panel.hidden = !show;
  launcher.setAttribute("aria-expanded", String(show));
  label(launcher, show ? "hide" : "open");
  store.set("open", show);
  if (!show) return;
  if (!socket.connected) {
    setStatus("connecting");
    socket.connect();
  }
  // Her first visit: the greeting, in the page's language.
  if (!log.length && !sessionId && !pending.length) send("/greet", null, { lang: lang });
  input.focus();
}

function quickExit() {
  try {
    if (socket.connected && sessionId) emitMessage("/forget");
    socket.disconnect();
  } catch (e) {
    /* leaving matters more than telling the bot */
  }
  try {
    sessionStorage.clear();
  } catch (e) {
    /* storage blocked: nothing was kept */
  }
  if (root.parentNode) root.parentNode.removeChild(root);
  location.replace(exitUrl);
}

launcher.addEventListener("click", function () {
  open(panel.hidden);
});
closeButton.addEventListener("click", function () {
  open(false);
  launcher.focus();
});
exitButton.addEventListener("click", quickExit);
document.addEventListener("keydown", function (event) {
  if (event.key !== "Escape") return;
  var now = Date.now();
  if (now - lastEsc < 1500) quickExit();
  lastEsc = now;
});
form.addEventListener("submit", function (event) {
  event.preventDefault();
  var text = input.value;
  input.value = "";
  send(text);
});

log.forEach(function (entry) {
  messages.appendChild(render(entry));
});

function mount() {
  document.body.appendChild(root);
  if (store.get("open", false)) open(true);
  else if (sessionId) socket.connect();
  if (handoff) startPolling();
}

if (document.body) mount();
else document.addEventListener("DOMContentLoaded", mount);
