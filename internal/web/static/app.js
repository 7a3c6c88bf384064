// Times are sent as UTC ISO strings in <time datetime>; show them in the viewer's own time zone.
function localTimes(root) {
  for (const t of (root || document).querySelectorAll("time[datetime]")) {
    const d = new Date(t.getAttribute("datetime"));
    if (!isNaN(d)) t.textContent = t.hasAttribute("data-date") ? d.toLocaleDateString() : d.toLocaleString();
  }
}
// Forms that take a local time (snooze until) say which zone it is in.
function zones(root) {
  const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (tz) for (const i of (root || document).querySelectorAll("input.tz")) i.value = tz;
}
document.addEventListener("DOMContentLoaded", () => { localTimes(document); zones(document); });
document.addEventListener("htmx:afterSwap", (e) => { localTimes(e.target); zones(e.target); });

// A login link (salesflow token create --login) carries the token in the #fragment, which the browser
// never sends: put it in the sign-in form and drop it from the address bar and history. Signing in
// still takes a press of the button, so a link from someone else cannot sign you in unawares.
document.addEventListener("DOMContentLoaded", () => {
  const m = location.hash.match(/^#token=(.+)$/);
  const input = document.getElementById("token");
  if (!m || !input) return;
  history.replaceState(null, "", location.pathname + location.search);
  input.value = decodeURIComponent(m[1]);
  const note = document.getElementById("link-note");
  if (note) note.hidden = false;
  input.form.querySelector("button[type=submit]").focus();
});
