// Buttons that post to the JSON API (crawl now, pause/resume, reload, cancel): no framework,
// the page reloads to show the new state; errors are shown next to the button. Each carries
// the session's CSRF token, which the page holds in <meta name="csrf-token">.
const csrfToken = () => {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
};
document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-post]");
  if (!button) return;
  if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
  const result = button.parentElement.querySelector(".result");
  const say = (text, ok) => {
    if (result) { result.textContent = text; result.className = "result " + (ok ? "ok" : "bad"); }
  };
  button.disabled = true;
  try {
    const response = await fetch(button.dataset.post, {
      method: "POST",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrfToken()},
      body: button.dataset.json || null,
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      say(body.detail || response.statusText, false);
      button.disabled = false;
      return;
    }
    if (body.id && body.status) {
      say(body.status === "skipped" ? "not started: " + body.reason : "run " + body.status, body.status !== "skipped");
      if (body.status !== "skipped") { window.location.href = "/ui/runs/" + encodeURIComponent(body.id); return; }
      button.disabled = false;
      return;
    }
    say("done", true);
    window.setTimeout(() => window.location.reload(), 400);
  } catch (error) {
    say(String(error), false);
    button.disabled = false;
  }
});
