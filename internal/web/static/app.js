// Times are sent as UTC ISO strings in <time datetime>; show them in the viewer's own time zone.
function localTimes(root) {
  for (const t of (root || document).querySelectorAll("time[datetime]")) {
    const d = new Date(t.getAttribute("datetime"));
    if (!isNaN(d)) t.textContent = d.toLocaleString();
  }
}
document.addEventListener("DOMContentLoaded", () => localTimes(document));
document.addEventListener("htmx:afterSwap", (e) => localTimes(e.target));
