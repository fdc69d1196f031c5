// The class dashboard: asks the service for the counts every few seconds and redraws the tables.
// Everything is built with DOM calls and textContent (no HTML from data), and served by the service
// itself (its Content-Security-Policy allows scripts from 'self' only).
"use strict";

(function () {
  const base = document.querySelector("link[rel=stylesheet]").getAttribute("href").replace(/static\/.*$/, "");
  const xsrf = document.querySelector("meta[name=insights-xsrf]").content;
  const refreshMs = 1000 * Number(document.querySelector("meta[name=insights-refresh]").content || 3);
  const since = document.getElementById("since");
  const pause = document.getElementById("pause");
  const status = document.getElementById("status");
  const problem = document.getElementById("problem");
  const namesBox = document.getElementById("names");
  const namesPanel = document.getElementById("names-panel");
  let paused = false;
  let timer = null;
  let asked = null; // the names shown: {exercise, what, label}

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) node.append(child);
    return node;
  }

  async function get(path) {
    const response = await fetch(base + path, {
      headers: {"X-XSRFToken": xsrf, "Accept": "application/json"},
      credentials: "same-origin", cache: "no-store",
    });
    let body = null;
    try { body = await response.json(); } catch (e) { /* not JSON: said below */ }
    if (!response.ok) {
      throw new Error((body && body.message) || `the service answered ${response.status}`);
    }
    return body;
  }

  function learners(n) { return n === 1 ? "1 learner" : `${n} learners`; }

  function namesButton(exercise, what, label, n) {
    const button = el("button", {type: "button", class: "names",
      "aria-label": `names of the ${learners(n)}: ${label}, exercise ${exercise}`, text: "names"});
    button.addEventListener("click", async () => {
      asked = {exercise, what, label};
      await showNames();
      document.getElementById("names-title").focus();  // the names are shown near the top: go there
    });
    return button;
  }

  function renderTop(top) {
    const list = document.getElementById("top");
    list.replaceChildren();
    if (!top.length) { list.append(el("li", {class: "none", text: "None yet."})); return; }
    for (const m of top) {
      list.append(el("li", {"data-exercise": m.exercise, "data-diagnosis": m.diagnosis},
        el("span", {class: "where", text: `${m.exercise}: `}), el("span", {class: "label", text: m.label}),
        " — ", el("span", {class: "count", text: learners(m.learners)}),
        namesButton(m.exercise, m.diagnosis, m.label, m.learners)));
    }
  }

  function renderNotebook(nb) {
    const id = `nb-${nb.notebook}`;
    const table = el("table", {},
      el("caption", {text: `Notebook ${nb.title}: per exercise, how many learners tried it, how many got it right, ` +
                            "their commonest mistakes, and how many took a hint"}),
      el("thead", {}, el("tr", {},
        el("th", {scope: "col", text: "Exercise"}), el("th", {scope: "col", text: "Tried"}),
        el("th", {scope: "col", text: "Right"}), el("th", {scope: "col", text: "Share right"}),
        el("th", {scope: "col", text: "Commonest mistakes (learners)"}), el("th", {scope: "col", text: "Hints"}))));
    const body = el("tbody");
    for (const x of nb.exercises) {
      const share = x.tried ? Math.round(100 * x.right / x.tried) : 0;
      const fill = el("span", {class: "fill"});
      fill.style.width = `${share}%`;
      const mistakes = el("ol");
      for (const m of x.mistakes.slice(0, 3)) {
        mistakes.append(el("li", {"data-diagnosis": m.diagnosis}, el("span", {class: "label", text: m.label}), " ",
          el("span", {class: "count", text: String(m.learners)}), namesButton(x.exercise, m.diagnosis, m.label, m.learners)));
      }
      if (x.mistakes.length > 3) mistakes.append(el("li", {class: "none", text: `and ${x.mistakes.length - 3} more`}));
      const hints = el("td", {class: "num hints", text: String(x.hints)});
      if (x.hints) hints.append(namesButton(x.exercise, "hints", "took a hint", x.hints));
      body.append(el("tr", {"data-exercise": x.exercise},
        el("th", {scope: "row"}, el("span", {class: "id", text: x.exercise}), el("span", {class: "title", text: x.title})),
        el("td", {class: "num tried", text: String(x.tried)}),
        el("td", {class: "num right", text: String(x.right)}),
        el("td", {class: "share"}, el("span", {class: "pct", text: x.tried ? `${share} %` : "–"}),
          el("span", {class: "bar", "aria-hidden": "true"}, fill)),
        el("td", {class: "mistakes"}, x.mistakes.length ? mistakes : el("span", {class: "none", text: "none"})),
        hints));
    }
    table.append(body);
    return el("section", {class: "notebook", "aria-labelledby": id, "data-notebook": nb.notebook},
      el("h2", {id, text: `Notebook ${nb.title}`}), table);
  }

  function render(summary) {
    renderTop(summary.top);
    const box = document.getElementById("notebooks");
    box.replaceChildren(...summary.notebooks.map(renderNotebook));
    if (!summary.notebooks.length) box.append(el("p", {class: "none", text: "No checks yet in this period."}));
    const when = new Date(summary.generated * 1000).toLocaleTimeString();
    status.textContent = `${learners(summary.learners)}, ${summary.events} events in this period; updated ${when}` +
      (paused ? " (paused)." : `, again every ${refreshMs / 1000} s.`);
    document.body.dataset.events = String(summary.events);
  }

  async function showNames() {
    if (!asked) return;
    const {exercise, what, label} = asked;
    try {
      const data = await get(`api/learners?exercise=${encodeURIComponent(exercise)}&what=${encodeURIComponent(what)}` +
                             `&since=${encodeURIComponent(since.value)}`);
      const list = el("ul");
      for (const name of data.learners) list.append(el("li", {text: name}));
      namesBox.replaceChildren(el("p", {text: `Exercise ${exercise}, ${label}: ${learners(data.learners.length)}.`}), list,
        el("button", {type: "button", class: "names", text: "hide names"}));
      namesPanel.hidden = false;
      namesBox.lastChild.addEventListener("click", () => {
        asked = null;
        namesBox.replaceChildren();
        namesPanel.hidden = true;
        document.getElementById("top-title").focus();
      });
    } catch (error) {
      namesPanel.hidden = false;
      namesBox.replaceChildren(el("p", {class: "problem", text: `The names could not be fetched: ${error.message}`}));
    }
  }

  async function refresh() {
    clearTimeout(timer);
    try {
      render(await get(`api/summary?since=${encodeURIComponent(since.value)}`));
      if (!problem.hidden) { problem.hidden = true; problem.textContent = ""; }
    } catch (error) {
      problem.hidden = false;
      problem.textContent = `The counts could not be updated (${error.message}); trying again.`;
    }
    if (!paused) timer = setTimeout(refresh, refreshMs);
  }

  since.addEventListener("change", () => {
    for (const id of ["csv-counts", "csv-events"]) {
      const link = document.getElementById(id);
      link.href = link.href.replace(/since=[^&]*/, `since=${since.value}`);
    }
    refresh();
    showNames();
  });
  pause.addEventListener("click", () => {
    paused = !paused;
    pause.setAttribute("aria-pressed", String(paused));
    pause.textContent = paused ? "Resume updates" : "Pause updates";
    refresh();
  });
  refresh();
})();
