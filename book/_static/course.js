// Accessible names that match what a reader sees (axe: label-content-name-mismatch).
// - The theme's search buttons say "Search Ctrl + K" but are labelled "Search".
// - myst-nb's folded cells say "Show the solution" but are labelled "Toggle hidden content".
// Without the label, each one's accessible name is its visible text.
document.addEventListener("DOMContentLoaded", () => {
  for (const el of document.querySelectorAll(".search-button-field[aria-label], details.hide > summary[aria-label]")) {
    el.removeAttribute("aria-label");
  }
});
