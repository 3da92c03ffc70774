"use strict";
const $ = (id) => document.getElementById(id);
const panels = new Map();
const offers = new Map();
let me = null;

const conn = connect("agent", (f) => {
  if (f.type === "entry") {
    const p = panelFor(f.chat, f.invitation);
    p.log.add(f.item);
    if (["joined", "left", "owner_changed", "invited", "customer_left", "mode_changed"].includes(f.item.type)) p.refresh();
  } else if (f.type === "routing") {
    routing(f.event);
  }
});

function setState(s, reason) {
  $("state").textContent = s.replace("_", " ") + (reason ? " · " + reason : "");
  $("state").className = "state " + s;
  $("state").dataset.state = s;
  $("rona").classList.toggle("hidden", s !== "rona");
}

function routing(e) {
  switch (e.type) {
    case "agent_state_changed": setState(e.state, e.reason); break;
    case "chat_offered": ring(e); break;
    case "offer_resolved": {
      const o = offers.get(e.offer);
      if (o) { clearInterval(o.timer); o.node.remove(); offers.delete(e.offer); }
      $("no-offers").classList.toggle("hidden", offers.size > 0);
      break;
    }
    case "chat_wrap_up": case "chat_done": case "chat_ended": case "chat_transferred": case "consultant_left": {
      const p = panels.get(e.chat);
      if (p) p.refresh();
      if (p && e.type === "chat_done") p.root.classList.add("done");
      break;
    }
  }
}

function ring(e) {
  // The wire omits the zero kind, route.
  const kinds = { route: "New chat", invite: "Invitation", transfer: "Transfer" };
  const kind = e.kind || "route";
  const countdown = el("span", { class: "countdown" });
  const node = el("div", { class: "offer", "data-offer": e.offer, "data-chat": e.chat },
    el("div", {}, el("b", {}, (kinds[kind] || kind) + ": " + (e.customer || e.chat)), " · " + (e.queue || "")),
    e.from ? el("div", {}, "from " + e.from + (e.comment ? ": " + e.comment : "")) : null,
    el("div", { class: "row" }, "Answer within ", countdown,
      el("button", { class: "accept", onclick: () => answer(e, true) }, "Accept"),
      el("button", { class: "reject secondary", onclick: () => answer(e, false) }, "Reject")));
  const expires = new Date(e.expires_at).getTime();
  const tick = () => { countdown.textContent = clock(expires - Date.now()); };
  tick();
  offers.set(e.offer, { node, timer: setInterval(tick, 250) });
  $("offers").append(node);
  $("no-offers").classList.add("hidden");
}

async function answer(e, yes) {
  try {
    const r = await conn.req(yes ? "accept" : "reject", { offer: e.offer });
    if (yes) { const p = panelFor(e.chat, false); p.info(r); p.history(); }
  } catch (err) {
    const o = offers.get(e.offer);
    if (o) o.node.append(el("div", { class: "warning" }, err.message));
  }
}

function panelFor(chat, invited) {
  let p = panels.get(chat);
  if (p) return p;
  p = new ChatPanel($("chats"), chat, conn, tools);
  if (invited) p.root.classList.add("invited");
  p.root.addEventListener("click", () => p.root.classList.remove("invited"));
  panels.set(chat, p);
  p.refresh();
  p.history().catch(() => {});
  return p;
}

// tools are what an agent can do in a chat.
function tools(p) {
  p.compose(["normal", "whisper"]);
  const pick = (cls, items) => el("select", { class: cls }, ...items);
  const queueOpts = () => (me.queues || []).map((q) => el("option", { value: q.id }, q.name));
  const agentOpts = () => ["ada", "bob", "cy"].filter((a) => a !== me.agent).map((a) => el("option", { value: a }, a));

  const responses = pick("responses", []);
  const loadResponses = async () => {
    const rs = await p.call("responses", { text: "" }).catch(() => []);
    responses.replaceChildren(...(rs || []).map((r) => el("option", { value: r.id }, r.name)));
  };
  p.root.append(el("div", { class: "row" }, "Responses ", responses,
    el("button", { class: "secondary", onclick: loadResponses }, "Load"),
    el("button", { class: "insert-response", onclick: async () => {
      const text = await p.call("insert_response", { option: responses.value }).catch(() => null);
      if (text !== null) p.root.querySelector("input.text").value = text;
    } }, "Insert")));

  const prompt = el("input", { class: "prompt", placeholder: "question", size: 12 });
  const choices = el("input", { class: "choices-input", placeholder: "yes, no", size: 10 });
  p.root.append(el("div", { class: "row" }, prompt, choices, el("button", { class: "offer-options secondary", onclick: () => {
    const options = choices.value.split(",").map((s) => s.trim()).filter(Boolean).map((label, i) => ({ id: "o" + (i + 1), label: label }));
    p.call("options", { text: prompt.value, options }).catch(() => {});
  } }, "Offer options")));

  const invAgent = pick("invite-agent", agentOpts());
  const invQueue = pick("invite-queue", queueOpts());
  p.root.append(el("div", { class: "row" }, "Invite ", invAgent,
    el("button", { class: "invite secondary", onclick: () => p.call("invite", { agent: invAgent.value }).catch(() => {}) }, "agent"),
    invQueue, el("button", { class: "invite-queue-btn secondary", onclick: () => p.call("invite", { queue: invQueue.value }).catch(() => {}) }, "queue"),
    el("button", { class: "leave secondary", onclick: () => p.call("leave").catch(() => {}) }, "Leave chat")));

  const trAgent = pick("transfer-agent", agentOpts());
  const trQueue = pick("transfer-queue", queueOpts());
  const comment = el("input", { class: "comment", placeholder: "note", size: 8 });
  p.root.append(el("div", { class: "row" }, "Transfer ", trAgent,
    el("button", { class: "transfer secondary", onclick: () => p.call("transfer", { agent: trAgent.value, text: comment.value }).catch(() => {}) }, "blind"),
    el("button", { class: "handover secondary", title: "Hand over to an invited colleague who joined", onclick: () => p.call("handover", { agent: trAgent.value }).catch(() => {}) }, "warm: hand over"),
    trQueue, el("button", { class: "transfer-queue-btn secondary", onclick: () => p.call("transfer", { queue: trQueue.value, text: comment.value }).catch(() => {}) }, "to queue"), comment));

  const reason = pick("wrap-reason", (me.wrap_up_reasons || []).map((r) => el("option", { value: r }, r)));
  const confirm = el("div", { class: "warning end-warning hidden" });
  const end = async (yes) => {
    try {
      await p.conn.req("end", { chat: p.chat, reason: reason.value, confirm: yes });
      confirm.classList.add("hidden");
      p.ok();
    } catch (e) {
      if (e.result && e.result.confirm) {
        confirm.replaceChildren(e.message + " ", el("button", { class: "end-confirm danger", onclick: () => end(true) }, "End anyway"));
        confirm.classList.remove("hidden");
      } else p.fail(e);
    }
  };
  p.root.append(el("div", { class: "row" }, "Wrap-up ", reason,
    el("button", { class: "end danger", onclick: () => end(false) }, "End chat"),
    el("button", { class: "complete secondary", onclick: () => p.call("complete_wrap_up").catch(() => {}) }, "Wrap-up done")), confirm);
}

$("login-btn").onclick = async () => {
  try {
    me = await conn.req("login", { agent: $("agent").value, state: $("initial-state").value, reason: $("initial-reason").value });
    $("me").textContent = "· " + me.name;
    $("login").classList.add("hidden");
    $("desk").classList.remove("hidden");
    setState(me.state, me.reason);
  } catch (e) { $("login-error").textContent = e.message; $("login-error").classList.remove("hidden"); }
};
$("set-state").onclick = () => conn.req("state", { state: $("state-select").value, reason: $("state-reason").value })
  .catch((e) => { $("login-error").textContent = e.message; });
$("dir-refresh").onclick = async () => {
  const page = await conn.req("directory", { text: $("dir-search").value });
  $("directory").replaceChildren(...(page || []).filter((a) => a.id !== me.agent).map((a) =>
    el("li", { "data-agent": a.id }, a.name + (a.logged_in ? "" : " (away)") + " ",
      el("button", { class: "a2a secondary", onclick: async () => {
        const text = "Hi " + a.name.split(" ")[0] + ", got a minute?";
        const r = await conn.req("a2a", { agent: a.id, text });
        panelFor(r.chat, false);
      } }, "Chat"))));
};
