"use strict";
const $ = (id) => document.getElementById(id);
const panels = new Map();

const conn = connect("supervisor", (f) => {
  if (f.type === "wallboard") render(f.board);
  else if (f.type === "entry") {
    const p = panelFor(f.chat);
    p.log.add(f.item);
    if (["joined", "left", "owner_changed", "mode_changed"].includes(f.item.type)) p.refresh();
  }
});

function rows(tbody, items, key, cells) {
  // Redraw only what changed, so buttons stay put under the pointer.
  const shown = JSON.stringify(items);
  if (tbody.dataset.shown === shown) return;
  tbody.dataset.shown = shown;
  tbody.replaceChildren(...items.map((it) => {
    const tr = el("tr", { "data-key": it[key] });
    for (const c of cells(it)) tr.append(c instanceof HTMLTableCellElement ? c : el("td", {}, c));
    return tr;
  }));
}

function render(b) {
  rows($("queues").tBodies[0], b.queues || [], "id", (q) => [
    q.name, el("td", { class: "num waiting" }, String(q.waiting)), el("td", { class: "longest" }, clock(q.longest_wait_ms)),
    el("td", { class: "num talking" }, String(q.talking)),
    el("td", { class: "staff" }, Object.entries(q.agents || {}).map(([s, n]) => n + " " + s.replace("_", " ")).join(", ") || "nobody",
      " · " + q.eligible + " free")]);
  rows($("agents").tBodies[0], b.agents || [], "id", (a) => [
    a.name, el("td", {}, el("span", { class: "state " + a.state, "data-state": a.state }, a.state.replace("_", " ") + (a.reason ? " · " + a.reason : ""))),
    el("td", { class: "used" }, String(a.chats))]);
  rows($("live").tBodies[0], b.chats || [], "id", (c) => [
    c.id, c.customer, c.agent || "—", c.state,
    el("td", {}, ...["monitor", "coach", "barge"].map((m) =>
      el("button", { class: m + " secondary", onclick: () => supervise(c.id, m) }, m)))]);
}

async function supervise(chat, mode) {
  const p = panelFor(chat);
  try { p.info(await conn.req("supervise", { chat, mode })); p.ok(); p.history().catch(() => {}); } catch (e) { p.fail(e); }
}

function panelFor(chat) {
  let p = panels.get(chat);
  if (!p) {
    p = new ChatPanel($("chats"), chat, conn, (p) => p.compose(["coach", "normal"]));
    panels.set(chat, p);
  }
  return p;
}

$("login-btn").onclick = async () => {
  try {
    const me = await conn.req("login", { agent: $("agent").value });
    $("me").textContent = "· " + me.name;
    $("login").classList.add("hidden");
    for (const id of ["board-queues", "board-agents", "board-chats"]) $(id).classList.remove("hidden");
  } catch (e) { $("login-error").textContent = e.message; $("login-error").classList.remove("hidden"); }
};
