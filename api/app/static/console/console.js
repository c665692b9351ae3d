// Staff console: copy buttons and the live conversation of a handoff. No text lives here:
// labels come from the page (data-* attributes rendered from the catalogs).
"use strict";

function copyButtons() {
  for (const button of document.querySelectorAll("button.copy")) {
    button.addEventListener("click", async () => {
      const source = document.getElementById(button.dataset.copy);
      const status = button.nextElementSibling;
      try {
        await navigator.clipboard.writeText(source.textContent.trim());
        status.textContent = button.dataset.copied;
      } catch (error) {
        status.textContent = button.dataset.failed;
      }
    });
  }
}

function pollConversation() {
  const list = document.querySelector("[data-poll]");
  if (!list) return;
  const every = Number(list.dataset.every || "4000");
  async function refresh() {
    try {
      const response = await fetch(list.dataset.poll, { credentials: "same-origin" });
      if (response.redirected) {
        // Signed out meanwhile (the fragment answered with the sign-in page): show it.
        window.location.reload();
        return;
      }
      if (response.ok) {
        const html = await response.text();
        if (html !== list.innerHTML) list.innerHTML = html;
      }
    } catch (error) {
      // Offline for a moment: the next round tries again.
    }
    setTimeout(refresh, every);
  }
  setTimeout(refresh, every);
}

// The navigation's count of waiting handoffs: polled, and a browser notification when it
// grows (only once she allowed them with the button; the text holds no personal data).
function waitingCount() {
  const badge = document.getElementById("waiting-count");
  if (!badge) return;
  const every = Number(badge.dataset.every || "15000");
  const allow = document.getElementById("allow-notifications");
  const canNotify = "Notification" in window;
  if (allow && canNotify && Notification.permission === "default") {
    allow.hidden = false;
    allow.addEventListener("click", async () => {
      await Notification.requestPermission();
      allow.hidden = true;
    });
  }
  let last = null;
  async function refresh() {
    try {
      const response = await fetch(badge.dataset.countUrl, { credentials: "same-origin" });
      if (response.ok && !response.redirected) {
        const waiting = Number((await response.json()).waiting);
        badge.textContent = waiting > 0 ? String(waiting) : "";
        badge.dataset.waiting = String(waiting);
        if (last !== null && waiting > last && canNotify && Notification.permission === "granted") {
          new Notification(badge.dataset.notify);
        }
        last = waiting;
      }
    } catch (error) {
      // Offline for a moment: the next round tries again.
    }
    setTimeout(refresh, every);
  }
  refresh();
}

document.addEventListener("DOMContentLoaded", () => {
  copyButtons();
  pollConversation();
  waitingCount();
});
